package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"industrydata/client"
)

// A validation's problems: errors first, each place in its columns, and
// past the bound a line saying how many more there are and where.
func TestProblemsTable(t *testing.T) {
	op := client.Operation{Errors: []client.PublicError{{Code: "missingFile", Message: "users.csv is missing", Target: "users.csv:0:0"}}}
	op.ID = "op-1"
	for i := range 5 {
		op.Warnings = append(op.Warnings, client.PublicError{Code: "noOrg", Message: "orgSourcedIds is empty", Target: fmt.Sprintf("users.csv:%d:5", i+2)})
	}
	var b bytes.Buffer
	if err := problemsTable(&b, op, 3); err != nil {
		t.Fatal(err)
	}
	want := "FILE       LINE  COLUMN  SEVERITY  CODE         MESSAGE\n" +
		"users.csv  0     0       error     missingFile  users.csv is missing\n" +
		"users.csv  2     5       warning   noOrg        orgSourcedIds is empty\n" +
		"users.csv  3     5       warning   noOrg        orgSourcedIds is empty\n" +
		"(3 more: 'industrydata operations get op-1' lists them all)\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := problemsTable(&b, op, 0); err != nil || strings.Count(b.String(), "\n") != 7 {
		t.Errorf("unbounded table (%v):\n%s", err, b.String())
	}
}
