package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/auth"
)

// tokenRun runs the token command with env as its environment.
func tokenRun(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err = runToken(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// verifyWith verifies the single line of stdout with the key in dataDir.
func verifyWith(t *testing.T, dataDir, stdout string) industrydata.Principal {
	t.Helper()
	if !strings.HasSuffix(stdout, "\n") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not one line ending in a newline: %q", stdout)
	}
	key, err := auth.LoadOrCreateKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.NewLocalVerifier(key, nil).Verify(context.Background(), strings.TrimSuffix(stdout, "\n"))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return p
}

func TestRunTokenAllPermissionsByDefault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	out, errOut, err := tokenRun(t, nil, "--data-dir", dir, "--tenant", testTenant, "--subject", "user-7")
	if err != nil {
		t.Fatalf("runToken: %v (stderr %q)", err, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want nothing", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, auth.KeyFileName)); err != nil {
		t.Errorf("no key file: %v", err)
	}
	want := industrydata.Principal{Tenant: testTenant, Subject: "user-7", App: auth.CLIAppID,
		Permissions: append([]industrydata.Permission(nil), industrydata.AllPermissions...)}
	if diff := cmp.Diff(want, verifyWith(t, dir, out)); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}

	// A second token reuses the key; the tenant, a GUID, is one whatever
	// its case.
	out2, _, err := tokenRun(t, nil, "--data-dir="+dir, "--tenant="+strings.ToUpper(testTenant))
	if err != nil {
		t.Fatal(err)
	}
	p := verifyWith(t, dir, out2)
	if p.Subject == "" || p.Subject == "user-7" {
		t.Errorf("default subject = %q, want a fresh GUID", p.Subject)
	}
	if p.Tenant != testTenant {
		t.Errorf("tenant %q, want %q, lower-cased", p.Tenant, testTenant)
	}
}

func TestRunTokenScopesAndRoles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want industrydata.Principal
	}{
		{
			name: "scopes give a delegated token",
			args: []string{"--scopes", "IndustryData-Run.Read.All IndustryData.ReadBasic.All"},
			want: industrydata.Principal{Delegated: true,
				Permissions: []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermRunRead}},
		},
		{
			name: "roles give an application token",
			args: []string{"--roles", "IndustryData-DataConnector.Upload,IndustryData-Run.Start"},
			want: industrydata.Principal{
				Permissions: []industrydata.Permission{industrydata.PermRunStart, industrydata.PermDataConnectorUpload}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--data-dir", dir, "--tenant", "fabfab00-0000-4000-8000-000000000002", "--subject", "s1"}, tt.args...)
			out, _, err := tokenRun(t, nil, args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Tenant, tt.want.Subject, tt.want.App = "fabfab00-0000-4000-8000-000000000002", "s1", auth.CLIAppID
			if diff := cmp.Diff(tt.want, verifyWith(t, dir, out)); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunTokenExpires(t *testing.T) {
	dir := t.TempDir()
	out, _, err := tokenRun(t, nil, "--data-dir", dir, "--tenant", testTenant, "--expires", "2m")
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(2*time.Minute + auth.Leeway + time.Minute) }
	if _, err := auth.NewLocalVerifier(key, later).Verify(context.Background(), strings.TrimSpace(out)); err == nil {
		t.Errorf("a 2-minute token is still accepted 8 minutes later")
	}
}

func TestRunTokenEnvironment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "from-env")
	env := map[string]string{
		"INDUSTRYDATA_DATA_DIR": dir,
		"INDUSTRYDATA_TENANT":   "e0e0e0e0-0000-4000-8000-000000000004",
		"INDUSTRYDATA_SCOPES":   "IndustryData-DataConnector.Read.All",
	}
	out, _, err := tokenRun(t, env)
	if err != nil {
		t.Fatal(err)
	}
	p := verifyWith(t, dir, out)
	if p.Tenant != "e0e0e0e0-0000-4000-8000-000000000004" || !p.Delegated || !p.HasAny(industrydata.PermDataConnectorRead) {
		t.Errorf("principal = %+v", p)
	}
	// Flags win over the environment.
	out, _, err = tokenRun(t, env, "--tenant", "f1a90000-0000-4000-8000-000000000005")
	if err != nil {
		t.Fatal(err)
	}
	if p := verifyWith(t, dir, out); p.Tenant != "f1a90000-0000-4000-8000-000000000005" {
		t.Errorf("tenant = %q, want flag-tenant", p.Tenant)
	}
}

func TestRunTokenUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{name: "missing tenant", want: "--tenant is required"},
		{name: "bad tenant", args: []string{"--tenant", "a/b"}, want: "--tenant"},
		{name: "unknown scope", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--scopes", "User.Read"}, want: "IndustryData-DataConnector.Upload"},
		{name: "unknown role", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--roles", "Nope"}, want: "--roles"},
		{name: "bad duration", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--expires", "soon"}, want: "expires"},
		{name: "bad duration in env", env: map[string]string{"INDUSTRYDATA_EXPIRES": "soon"}, args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003"}, want: "INDUSTRYDATA_EXPIRES"},
		{name: "zero duration", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--expires", "0s"}, want: "--expires"},
		{name: "duration over a year", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--expires", "9000h"}, want: "--expires"},
		{name: "unknown flag", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--bogus"}, want: "bogus"},
		{name: "stray argument", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "extra"}, want: "extra"},
		{name: "bad subject", args: []string{"--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--subject", "a b"}, want: "--subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"--data-dir", dir}, tt.args...)
			out, _, err := tokenRun(t, tt.env, args...)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) is not a usageError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("bad input created the data dir (%v)", err)
			}
		})
	}
}

func TestRunTokenHelp(t *testing.T) {
	out, errOut, err := tokenRun(t, nil, "-h")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v (%T) is not a usageError", err, err)
	}
	if out != "" || !strings.Contains(errOut, "--tenant TID") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
}

func TestRunTokenBadKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, auth.KeyFileName), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := tokenRun(t, nil, "--data-dir", dir, "--tenant", "7e7e7e7e-0000-4000-8000-000000000003")
	if err == nil {
		t.Fatal("runToken succeeded with a malformed key file")
	}
	var ue usageError
	if errors.As(err, &ue) {
		t.Errorf("a broken key file is not a usage error: %v", err)
	}
	if out != "" {
		t.Errorf("stdout = %q", out)
	}
}
