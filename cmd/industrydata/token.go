package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"industrydata"
	"industrydata/auth"
)

// usageError is a mistake on the command line (a missing or malformed flag);
// main reports it and exits with status 2.
type usageError struct {
	msg     string
	err     error  // the cause, when there is one (flag.ErrHelp for -h)
	command string // the command whose line it is, set by run: main points to its --help
}

func (e usageError) Error() string { return e.msg }

// Unwrap returns the cause.
func (e usageError) Unwrap() error { return e.err }

// ExitStatus is 2, the status of a usage error.
func (usageError) ExitStatus() int { return 2 }

// runToken implements `industrydata token` (SPEC §8): it prints a JWT signed
// with the local key in --data-dir (creating the key on first use) followed
// by a newline on stdout, and nothing else. With neither --scopes nor
// --roles the token grants every permission as roles. Bad input is a
// usageError, and so is -h (after the help is printed to stderr), as for
// serve.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token")
	dataDir := fs.String("data-dir", "./data", "directory `DIR` holding the signing key")
	tenant := fs.String("tenant", "", "tenant id `TID` (the tid claim) the token is for; required")
	scopes := fs.String("scopes", "", "space-separated `PERMISSIONS` granted as scp: a delegated token")
	roles := fs.String("roles", "", "space-separated `PERMISSIONS` granted as roles: an application token")
	subject := fs.String("subject", "", "subject `ID` (the sub and oid claims); a random GUID if empty")
	expires := fs.Duration("expires", time.Hour, "lifetime of the token, at most a year")
	help := commandHelp{
		summary: tokenSummary,
		usage:   `industrydata token [--data-dir ./data] --tenant TID [--scopes "A B"] [--roles "A B"] [--subject ID] [--expires 1h]`,
		about: "The token is signed (HS256) with the key in --data-dir, which serve on that directory accepts.\n" +
			"With neither --scopes nor --roles it grants every permission.",
		after: "permissions: " + permissionList(),
	}
	if err := parseFlags(fs, args, getenv, help, stderr); err != nil {
		return usageError{msg: "token: " + err.Error(), err: err}
	}
	if *tenant == "" {
		return usageError{msg: "token: --tenant is required"}
	}
	if *dataDir == "" {
		return usageError{msg: "token: --data-dir must not be empty"}
	}
	req := auth.TokenRequest{
		Tenant:  *tenant,
		Scopes:  splitPermissions(*scopes),
		Roles:   splitPermissions(*roles),
		Subject: *subject,
		Expires: *expires,
	}
	if err := req.Validate(); err != nil {
		return usageError{msg: "token: " + flagProblem(err)}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	token, err := mint(*dataDir, req, true)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// mint signs req with the local key in dataDir: the token command's
// minting, which the API commands share for their default token. create
// says whether a missing key may be created: the token command creates it
// (serve reads the one it finds), the API commands do not, since a key
// made on the client's side would sign tokens the running server refuses.
func mint(dataDir string, req auth.TokenRequest, create bool) (string, error) {
	if !create {
		if _, err := os.Stat(filepath.Join(dataDir, auth.KeyFileName)); err != nil {
			return "", noLocalKey{dataDir: dataDir}
		}
	}
	key, err := auth.LoadOrCreateKey(dataDir)
	if err != nil {
		return "", err
	}
	return auth.Mint(key, req)
}

// noLocalKey is the error of an API command that would mint its token with
// a key the data directory lacks: a usage error, as the fix is a flag.
type noLocalKey struct{ dataDir string }

func (e noLocalKey) Error() string {
	return fmt.Sprintf("no signing key in --data-dir %s (serve creates %s there on its first start): "+
		"pass the server's --data-dir, or a token with --token", e.dataDir, auth.KeyFileName)
}

// ExitStatus is 2: the fix is on the command line.
func (noLocalKey) ExitStatus() int { return 2 }

// splitPermissions splits a --scopes or --roles value on spaces and commas.
func splitPermissions(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// flagProblem words a TokenRequest validation error in terms of the flag at
// fault.
func flagProblem(err error) string {
	var e *industrydata.Error
	if errors.As(err, &e) && e.Target != "" {
		return fmt.Sprintf("--%s: %s", e.Target, e.Message)
	}
	return err.Error()
}

// permissionList is every permission name, space-separated.
func permissionList() string {
	names := make([]string, len(industrydata.AllPermissions))
	for i, p := range industrydata.AllPermissions {
		names[i] = string(p)
	}
	return strings.Join(names, " ")
}
