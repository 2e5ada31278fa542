package roster_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"industrydata/roster"
)

const (
	usersHeader = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds," +
		"givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
	orgsHeader = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"
)

// user is a users.csv row of OneRoster's 18 columns with the fields that
// matter to most tests; the rest are fixed.
func user(id, orgs, role, username, email string) string {
	return fmt.Sprintf(`%s,active,2024-05-01T08:30:00Z,true,"%s",%s,%s,,Ada,Lovelace,,,%s,,,,,`,
		id, orgs, role, username, email)
}

// csvFile joins a header and rows into a file with LF line ends.
func csvFile(header string, rows ...string) string {
	return header + "\n" + strings.Join(rows, "\n") + "\n"
}

// outcome renders one result of Next: "user <sourcedId> @<line>", or
// "<code> <line>:<column>" for a Problem ("fatal" appended when it is).
func outcome(id string, line int, err error) string {
	var p *roster.Problem
	if errors.As(err, &p) {
		s := fmt.Sprintf("%s %d:%d", p.Code, p.Line, p.Column)
		if p.Fatal() {
			s += " fatal"
		}
		return s
	}
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("user %s @%d", id, line)
}

// warningsOf renders warnings as "<code> <line>:<column>".
func warningsOf(ps []roster.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %d:%d", p.Code, p.Line, p.Column))
	}
	return out
}

// nexter is what both readers have in common for readAll.
type nexter[T any] interface {
	Next() (T, error)
	Warnings() []roster.Problem
}

// readAll calls Next until io.EOF or a fatal error and returns every
// outcome. It checks that a fatal error repeats, and that the stream ends.
func readAll[T any](t *testing.T, r nexter[T], id func(T) (string, int)) []string {
	t.Helper()
	var out []string
	for range 10_000 {
		v, err := r.Next()
		if err == io.EOF {
			if _, again := r.Next(); again != io.EOF {
				t.Fatalf("Next after io.EOF: %v", again)
			}
			return out
		}
		s, line := id(v)
		out = append(out, outcome(s, line, err))
		if roster.IsFatal(err) {
			if _, again := r.Next(); again != err {
				t.Fatalf("Next after fatal %v: %v", err, again)
			}
			return out
		}
	}
	t.Fatalf("Next never ended")
	return nil
}

func userID(u roster.User) (string, int) { return u.SourcedID, u.Line }
func orgID(o roster.Org) (string, int)   { return o.SourcedID, o.Line }
