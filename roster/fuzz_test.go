package roster_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"industrydata/roster"
)

var knownCodes = map[string]bool{
	roster.CodeMissingHeader: true, roster.CodeBadHeader: true, roster.CodeMissingColumn: true,
	roster.CodeDuplicateColumn: true, roster.CodeFieldCount: true, roster.CodeBadQuote: true,
	roster.CodeInvalidUTF8: true, roster.CodeFieldTooLong: true, roster.CodeRecordTooLong: true,
	roster.CodeTooManyRows: true, roster.CodeMissingSourcedID: true, roster.CodeDuplicateID: true,
	roster.CodeUnknownColumn: true, roster.CodeInvalidStatus: true, roster.CodeInvalidEnabledUser: true,
	roster.CodeInvalidDate: true, roster.CodeInvalidOrgType: true, roster.CodeMissingOrgName: true,
	roster.CodeNotText: true, roster.CodeMisplacedBOM: true,
}

// FuzzUsersCSV checks that no input panics the users.csv reader, that every
// error is a *Problem naming a place in the file, that what it returns is
// well formed, and that reading the input a byte at a time gives exactly
// what reading it whole gives.
func FuzzUsersCSV(f *testing.F) {
	for _, seed := range []string{
		csvFile(usersHeader, user("u1", "o1,o2", "teacher", "jdoe", "j@x.org"), user("u2", "", "x", "", "")),
		"\uFEFF" + strings.ReplaceAll(csvFile(usersHeader, user("u1", "o1", "student", "a", "")), "\n", "\r\n"),
		csvFile(usersHeader+",extra", user("u1", "o1", "student", "a", "")+",1"),
		csvFile(usersHeader, `u1,active,,true,"o1,student,a,,,,,,,,,,,`),
		csvFile(usersHeader, `u1,active,,true,o"1,student,a,,,,,,,,,,,`, `u2,,,,,,,,,,,,,,,,,`),
		csvFile(usersHeader, "u1,active,,true,o1,student,\xff,,,,,,,,,,,"),
		csvFile(usersHeader, user("u1", "", "", "", ""), user("u1", "", "", "", ""), "x"),
		csvFile("sourcedId,role,SOURCEDID"),
		csvFile(usersHeader, "u1,bad,never,maybe,o1,student,a,,,,,,,,,,,"),
		usersHeader,
		"",
		"\n\n",
		`"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, wholeWarn := fuzzRead(t, bytes.NewReader(data), len(data))
		bytewise, byteWarn := fuzzRead(t, iotest.OneByteReader(bytes.NewReader(data)), len(data))
		if diff := cmp.Diff(whole, bytewise); diff != "" {
			t.Fatalf("read whole vs a byte at a time (-whole +bytewise):\n%s", diff)
		}
		if diff := cmp.Diff(wholeWarn, byteWarn); diff != "" {
			t.Fatalf("warnings whole vs a byte at a time (-whole +bytewise):\n%s", diff)
		}
	})
}

// fuzzRead reads r to its end, checking each result, and returns them.
func fuzzRead(t *testing.T, r io.Reader, size int) ([]string, []roster.Problem) {
	ur := roster.NewUserReader(r, roster.Options{})
	var out []string
	for calls := 0; ; calls++ {
		if calls > size+2 {
			t.Fatalf("%d calls of Next on %d bytes", calls, size)
		}
		u, err := ur.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var p *roster.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v (%T) is not a *Problem", err, err)
			}
			checkProblem(t, *p)
			out = append(out, p.Error())
			if p.Fatal() {
				if _, again := ur.Next(); again != err {
					t.Fatalf("after fatal %v, Next = %v", err, again)
				}
				break
			}
			continue
		}
		if u.SourcedID == "" || u.SourcedID != strings.TrimSpace(u.SourcedID) || u.Line < 1 {
			t.Fatalf("user %q on line %d", u.SourcedID, u.Line)
		}
		for _, s := range append([]string{u.SourcedID, u.Role, u.Username, u.Email, u.GivenName}, u.OrgSourcedIDs...) {
			if !utf8.ValidString(s) {
				t.Fatalf("user %q has invalid UTF-8 %q", u.SourcedID, s)
			}
		}
		out = append(out, fmt.Sprintf("user %q @%d %v", u.SourcedID, u.Line, u.OrgSourcedIDs))
	}
	for _, w := range ur.Warnings() {
		checkProblem(t, w)
	}
	return out, ur.Warnings()
}

func checkProblem(t *testing.T, p roster.Problem) {
	t.Helper()
	if p.File != "users.csv" || p.Line < 1 || p.Column < 0 || !knownCodes[p.Code] || p.Message == "" || !utf8.ValidString(p.Message) {
		t.Fatalf("malformed problem %#v", p)
	}
}
