package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"industrydata/rostercheck"
)

const (
	testOrgs  = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ns1,active,,School,school,1,\n"
	testUsers = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
		"u1,active,,true,s1,teacher,ada,,Ada,Lovelace,,,ada@example.org,,,,,\n"
)

// rosterDir writes files into a new directory and returns it.
func rosterDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRosterValidate: the problems in text and JSON, and the exit status:
// 0 for a valid roster, warnings or not, 1 for one with errors.
func TestRosterValidate(t *testing.T) {
	warnUsers := testUsers + "u2,active,,true,,student,bo,,Bo,Smith,,,,,,,,\n"
	badOrgs := testOrgs + "s2,active,,Other,campus,2,\n"
	tests := []struct {
		name   string
		files  map[string]string
		args   []string
		status int
		want   string // the whole stdout
	}{
		{name: "valid", files: map[string]string{"orgs.csv": testOrgs, "users.csv": testUsers}, status: 0,
			want: "2 of the 8 files of OneRoster v1.1 checked, 2 rows: no problems\n"},
		{name: "warnings only", files: map[string]string{"orgs.csv": testOrgs, "users.csv": warnUsers, "notes.txt": "ignored"}, status: 0,
			want: "users.csv:3:5: warning noOrg: orgSourcedIds is empty\n" +
				"2 of the 8 files of OneRoster v1.1 checked, 3 rows: 1 warning (noOrg 1)\n"},
		{name: "errors", files: map[string]string{"orgs.csv": badOrgs, "users.csv": warnUsers}, status: 1,
			want: "orgs.csv:3:5: error invalidOrgType: type \"campus\" is not an org type (RefOrgType)\n" +
				"users.csv:3:5: warning noOrg: orgSourcedIds is empty\n" +
				"2 of the 8 files of OneRoster v1.1 checked, 4 rows: 1 error (invalidOrgType 1); 1 warning (noOrg 1)\n"},
		{name: "users.csv missing", files: map[string]string{"orgs.csv": testOrgs}, status: 1,
			want: "users.csv:0:0: error missingFile: users.csv is missing: OneRoster rosters here need orgs.csv and users.csv\n" +
				"1 of the 8 files of OneRoster v1.1 checked, 1 rows: 1 error (missingFile 1)\n"},
		{name: "flag after DIR", files: map[string]string{"orgs.csv": testOrgs, "users.csv": testUsers}, args: []string{"--output", "text"},
			status: 0, want: "2 of the 8 files of OneRoster v1.1 checked, 2 rows: no problems\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := rosterDir(t, tc.files)
			var stdout, stderr, report bytes.Buffer
			err := run(context.Background(), append([]string{"roster", "validate", dir}, tc.args...), func(string) string { return "" }, &stdout, &stderr)
			if status := exitStatus(err, &report); status != tc.status {
				t.Errorf("exit status %d (%v), want %d", status, err, tc.status)
			}
			if stdout.String() != tc.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), tc.want)
			}
			if tc.status == 1 && !strings.HasPrefix(report.String(), "industrydata: roster validate: ") {
				t.Errorf("stderr %q, want the summary", report.String())
			}
		})
	}
}

// TestRosterValidateJSON: --output json (or its environment twin) prints
// the Result as one JSON object.
func TestRosterValidateJSON(t *testing.T) {
	dir := rosterDir(t, map[string]string{"orgs.csv": testOrgs + "s2,active,,Other,campus,2,\n", "users.csv": testUsers})
	var stdout, stderr bytes.Buffer
	env := map[string]string{"INDUSTRYDATA_OUTPUT": "json"}
	err := run(context.Background(), []string{"roster", "validate", dir}, func(k string) string { return env[k] }, &stdout, &stderr)
	if exitStatus(err, &bytes.Buffer{}) != 1 {
		t.Errorf("exit status of %v, want 1", err)
	}
	var res rostercheck.Result
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(res.Errors) != 1 || res.Errors[0] != (rostercheck.Problem{Code: "invalidOrgType", File: "orgs.csv", Line: 3, Column: 5,
		Message: `type "campus" is not an org type (RefOrgType)`}) || res.ErrorCount != 1 || res.Counts["invalidOrgType"] != 1 ||
		len(res.Files) != 2 || res.Files[1].Name != "users.csv" || res.Files[1].Rows != 1 {
		t.Errorf("result %+v", res)
	}
}

// TestRosterValidateUsage: mistakes on the command line are usage errors
// (exit status 2) pointing to the command's help; -h prints it.
func TestRosterValidateUsage(t *testing.T) {
	dir := rosterDir(t, nil)
	for _, tc := range []struct {
		args []string
		want string
		help string
	}{
		{[]string{"roster"}, "roster: no command given", "roster"},
		{[]string{"roster", "check"}, `roster: unknown command "check"`, "roster"},
		{[]string{"roster", "validate"}, "DIR, the directory of the CSV files, is required", "roster validate"},
		{[]string{"roster", "validate", dir, "--output", "xml"}, `--output "xml" must be text or json`, "roster validate"},
		{[]string{"roster", "validate", dir, "other"}, `unexpected argument "other"`, "roster validate"},
		{[]string{"roster", "validate", filepath.Join(dir, "none")}, "is not a directory", "roster validate"},
		{[]string{"roster", "validate", "--bogus", dir}, "flag provided but not defined: -bogus", "roster validate"},
	} {
		var stdout, stderr, report bytes.Buffer
		err := run(context.Background(), tc.args, func(string) string { return "" }, &stdout, &stderr)
		if status := exitStatus(err, &report); status != 2 {
			t.Errorf("%q: exit status %d (%v), want 2", tc.args, status, err)
		}
		lines := strings.Split(strings.TrimSuffix(report.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], tc.want) || lines[1] != "Run 'industrydata "+tc.help+" --help' for usage." {
			t.Errorf("%q reported:\n%s\nwant %q, then the pointer to %s --help", tc.args, report.String(), tc.want, tc.help)
		}
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"roster", "validate", "--help"}, func(string) string { return "" }, &stdout, &stderr)
	if exitStatus(err, &bytes.Buffer{}) != 0 || stdout.Len() > 0 {
		t.Errorf("--help: %v, stdout %q", err, stdout.String())
	}
	help := stderr.String()
	if !strings.HasPrefix(help, "industrydata roster validate - "+rosterValidateSummary+"\n") ||
		!strings.Contains(help, "  --output FORMAT  INDUSTRYDATA_OUTPUT\n      ") {
		t.Errorf("help:\n%s", help)
	}
}

// TestRosterValidateAsProgram: the exit statuses a school's script sees.
func TestRosterValidateAsProgram(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		files  map[string]string
		status int
	}{
		{map[string]string{"orgs.csv": testOrgs, "users.csv": testUsers + "u2,active,,true,,student,bo,,Bo,Smith,,,,,,,,\n"}, 0},
		{map[string]string{"orgs.csv": testOrgs, "users.csv": "PK\x03\x04\x00\x00"}, 1},
	} {
		cmd := exec.Command(exe, "--", "roster", "validate", rosterDir(t, tc.files))
		cmd.Env = childEnviron()
		out, err := cmd.CombinedOutput()
		status := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			status = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != tc.status {
			t.Errorf("exit status %d, want %d; output:\n%s", status, tc.status, out)
		}
	}
}
