package rostercheck_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata/roster"
	"industrydata/rostercheck"
)

// FuzzValidate: whatever users.csv, orgs.csv and enrollments.csv hold,
// Validate returns a Result (no panic, no error) whose problems have a
// known code, a file of the binding and a place, whose counts add up, and
// which is the same when the files are read a byte at a time.
func FuzzValidate(f *testing.F) {
	for _, tc := range ruleCases {
		fl := edited(tc.edits...)
		f.Add([]byte(fl["users.csv"]), []byte(fl["orgs.csv"]), []byte(fl["enrollments.csv"]))
	}
	f.Add([]byte("\uFEFF"+usersHeader+"\r\n\"u1\",,,true,\"s1\",teacher,a,,,,,,,,,,,\r\n"), []byte(""), []byte("\x00"))
	known := map[string]bool{}
	for _, c := range rostercheck.Codes {
		known[c.Code] = true
	}
	f.Fuzz(func(t *testing.T, users, orgs, enrollments []byte) {
		fl := baseFiles()
		fl["users.csv"], fl["orgs.csv"], fl["enrollments.csv"] = string(users), string(orgs), string(enrollments)
		whole, err := rostercheck.Validate(context.Background(), opener(fl, nil), rostercheck.Options{})
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		bytewise, err := rostercheck.Validate(context.Background(), func(name string) (io.ReadCloser, error) {
			rc, err := opener(fl, nil)(name)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(iotest.OneByteReader(rc)), nil
		}, rostercheck.Options{})
		if err != nil {
			t.Fatalf("Validate a byte at a time: %v", err)
		}
		// Bytes is what was read: less of a file given up on a fatal
		// error, by as much as the reads happened to bring in.
		if diff := cmp.Diff(whole, bytewise, cmpopts.IgnoreFields(rostercheck.FileSummary{}, "Bytes")); diff != "" {
			t.Fatalf("whole vs a byte at a time (-whole +bytewise):\n%s", diff)
		}
		total := 0
		for _, n := range whole.Counts {
			total += n
		}
		if total != whole.ErrorCount+whole.WarningCount || whole.Valid() != (whole.ErrorCount == 0) {
			t.Fatalf("counts %v do not add up to %d errors and %d warnings", whole.Counts, whole.ErrorCount, whole.WarningCount)
		}
		for _, p := range append(whole.Errors, whole.Warnings...) {
			if !known[p.Code] || !slices.Contains(roster.Files, p.File) || p.Line < 0 || p.Column < 0 ||
				p.Message == "" || !utf8.ValidString(p.Message) || strings.Contains(p.Message, "\n") {
				t.Fatalf("malformed problem %#v", p)
			}
		}
	})
}
