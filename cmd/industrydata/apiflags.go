package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"industrydata/auth"
	"industrydata/client"
)

// defaultURL is the server the API commands call when neither --url nor
// INDUSTRYDATA_URL says another: serve's default address.
const defaultURL = "http://127.0.0.1:8080"

// apiFlags are the flags every command that calls the API shares: where
// the service is, how to get a token, and how to print what comes back.
type apiFlags struct {
	url, token, dataDir, tenant, output string
}

// addAPIFlags defines the shared flags on fs.
func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	f := &apiFlags{}
	fs.StringVar(&f.url, "url", defaultURL, "`URL` of the service: http(s)://host[:port], or its industryData root")
	fs.StringVar(&f.token, "token", "", "bearer `TOKEN`; without one, a token of every permission is minted with the key in --data-dir for --tenant")
	fs.StringVar(&f.dataDir, "data-dir", "./data", "the server's data directory `DIR`, whose signing key mints the token when --token is not given")
	fs.StringVar(&f.tenant, "tenant", "", "tenant id `TID` (a GUID) of the minted token; needed without --token")
	fs.StringVar(&f.output, "output", "table", "`FORMAT` of what is printed: table, for people, or json")
	return f
}

// apiAbout is the part of every API command's help that says where the
// URL and the token come from, and what the exit statuses mean.
const apiAbout = "The service is --url (" + defaultURL + " by default). The token is --token; without it, the command mints one\n" +
	"of every permission for --tenant with the signing key in --data-dir, as 'industrydata token' does.\n" +
	"Exit status: 0 done; 1 the operation failed (--wait), or the roster has errors; 2 a mistake on the command\n" +
	"line; 3 the service refused the request or could not be reached."

// check validates the shared flags; command is the command's name, for
// the messages.
func (f *apiFlags) check(command string) error {
	if f.output != "table" && f.output != "json" {
		return usageError{msg: fmt.Sprintf("%s: --output %q must be table or json", command, f.output)}
	}
	if f.token == "" {
		if f.tenant == "" {
			return usageError{msg: command + ": no token: give --token (INDUSTRYDATA_TOKEN), or --tenant (INDUSTRYDATA_TENANT) to mint one with the key in --data-dir"}
		}
		if !auth.ValidTenantID(f.tenant) {
			return usageError{msg: fmt.Sprintf("%s: --tenant %q is not a tenant id (a GUID)", command, f.tenant)}
		}
	}
	return nil
}

// client returns the client of the flags' service, minting the token when
// none is given.
func (f *apiFlags) client() (*client.Client, error) {
	var src client.TokenSource = client.StaticToken(f.token)
	if f.token == "" {
		m := &minted{dataDir: f.dataDir, tenant: f.tenant, now: time.Now}
		// The first token now: a missing key is a mistake to report
		// before any request.
		if _, err := m.Token(context.Background()); err != nil {
			return nil, err
		}
		src = m
	}
	c, err := client.New(f.url, client.Options{Token: src})
	if err != nil {
		return nil, usageError{msg: "--url: " + err.Error()}
	}
	return c, nil
}

// apiCommand parses the line of an API command: its own flags (defined by
// own on fs) and the shared ones, up to most positional arguments, of which
// need are required (named by what). It returns the arguments and the
// client.
func apiCommand(fs *flag.FlagSet, args []string, most, need int, what string, getenv func(string) string,
	help commandHelp, stderr io.Writer) (*apiFlags, []string, *client.Client, error) {
	f := addAPIFlags(fs)
	if help.about == "" {
		help.about = apiAbout
	} else {
		help.about += "\n\n" + apiAbout
	}
	rest, err := parseFlagsArgs(fs, args, most, getenv, help, stderr)
	if err != nil {
		return nil, nil, nil, usageError{msg: fs.Name() + ": " + err.Error(), err: err}
	}
	if len(rest) < need {
		return nil, nil, nil, usageError{msg: fmt.Sprintf("%s: %s is required", fs.Name(), what)}
	}
	if err := f.check(fs.Name()); err != nil {
		return nil, nil, nil, err
	}
	c, err := f.client()
	var noKey noLocalKey
	if errors.As(err, &noKey) {
		return nil, nil, nil, usageError{msg: fs.Name() + ": " + err.Error(), err: err}
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return f, rest, c, nil
}

// flagGiven reports whether the flag name was set, on the command line
// or by its environment twin (which sets it without fs knowing): whether
// it is set at all, for flags whose empty value means something.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if f := fs.Lookup(name); f != nil && f.Value.String() != f.DefValue {
		given = true
	}
	return given
}

// minted is the token of the API commands without --token: minted with
// the server's key, and minted again when it nears its end, so that a
// --wait longer than a token's hour goes on.
type minted struct {
	dataDir, tenant string
	now             func() time.Time

	mu    sync.Mutex
	token string
	renew time.Time
}

// mintedLife is the lifetime of a minted token; it is renewed after
// mintedRenew, well before the server would refuse it.
const (
	mintedLife  = time.Hour
	mintedRenew = 50 * time.Minute
)

// Token returns the current token, minting one when there is none yet or
// it is due for renewal.
func (m *minted) Token(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := m.now(); m.token == "" || !now.Before(m.renew) {
		tok, err := mint(m.dataDir, auth.TokenRequest{Tenant: m.tenant, Expires: mintedLife, Now: now}, false)
		if err != nil {
			return "", err
		}
		m.token, m.renew = tok, now.Add(mintedRenew)
	}
	return m.token, nil
}

// json reports whether the output is JSON.
func (f *apiFlags) json() bool { return f.output == "json" }

// requestFailed is the error of a request the service refused (an
// *client.Error) or that did not reach it: exit status 3.
type requestFailed struct {
	command string
	err     error
}

func (e requestFailed) Error() string { return e.command + ": " + e.err.Error() }
func (e requestFailed) Unwrap() error { return e.err }

// ExitStatus is 3.
func (requestFailed) ExitStatus() int { return 3 }

// failed wraps err, from the client, as the command's requestFailed; an
// error that says what exit status it has keeps it.
func failed(command string, err error) error {
	var s interface{ ExitStatus() int }
	if err == nil || errors.As(err, &s) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return requestFailed{command: command, err: errors.New("interrupted")}
	}
	return requestFailed{command: command, err: err}
}

// operationFailed is the error of an operation that ended failed: exit
// status 1, what it says being printed already.
type operationFailed struct {
	command string
	detail  string
}

func (e operationFailed) Error() string {
	if e.detail == "" {
		return e.command + ": the operation failed"
	}
	return e.command + ": the operation failed: " + e.detail
}

// ExitStatus is 1.
func (operationFailed) ExitStatus() int { return 1 }
