package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"industrydata/roster"
	"industrydata/rostercheck"
)

const (
	rosterValidateSummary = "check a directory of OneRoster v1.1 CSV files as the service's validation does"
	rosterUploadSummary   = "upload a directory of OneRoster v1.1 CSV files to a data connector, and validate them"
)

// rosterGroup is `industrydata roster <command>`.
var rosterGroup = commandGroup{name: "roster", subs: []subcommand{
	{name: "validate", args: "DIR", summary: rosterValidateSummary, run: runRosterValidate},
	{name: "upload", args: "DIR --connector ID", summary: rosterUploadSummary, run: runRosterUpload},
}}

// runRoster dispatches `industrydata roster <command>`.
func runRoster(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return rosterGroup.run(ctx, args, getenv, stdout, stderr)
}

// invalidRoster is the error of a roster that has errors: exit status 1,
// the problems being printed already.
type invalidRoster struct{ summary string }

func (e invalidRoster) Error() string { return "roster validate: " + e.summary }

// ExitStatus is 1: the files have errors.
func (invalidRoster) ExitStatus() int { return 1 }

// runRosterValidate implements `industrydata roster validate DIR` (SPEC
// §8, §11): the service's validation (package rostercheck) on the files of
// DIR, its problems on stdout, exit status 1 when there are errors and 0
// with warnings only.
func runRosterValidate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("roster validate")
	output := fs.String("output", "text", "`FORMAT` of the problems: text, one line each, or json, the whole result")
	help := commandHelp{
		summary: rosterValidateSummary,
		usage:   "industrydata roster validate DIR [--output text|json]",
		about: "Reads the OneRoster v1.1 CSV files of DIR (manifest.csv, orgs.csv, users.csv, academicSessions.csv,\n" +
			"courses.csv, classes.csv, enrollments.csv, demographics.csv; orgs.csv and users.csv are required, other\n" +
			"files are ignored) and prints each problem as file:line:column: severity code: message, then a summary.\n" +
			"Exit status: 0 when the files are valid (warnings allowed), 1 when they have errors, 2 for a usage error.",
		after: "The codes and what they mean: docs/API.md, section 11.7.",
	}
	rest, err := parseFlagsArgs(fs, args, 1, getenv, help, stderr)
	if err != nil {
		return usageError{msg: "roster validate: " + err.Error(), err: err}
	}
	if len(rest) == 0 {
		return usageError{msg: "roster validate: DIR, the directory of the CSV files, is required"}
	}
	if *output != "text" && *output != "json" {
		return usageError{msg: fmt.Sprintf("roster validate: --output %q must be text or json", *output)}
	}
	dir := rest[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError{msg: fmt.Sprintf("roster validate: %q is not a directory", dir)}
	}
	open := func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, name)) }
	res, err := rostercheck.Validate(ctx, open, rostercheck.Options{})
	if err != nil {
		return fmt.Errorf("roster validate: %w", err)
	}
	bw := bufio.NewWriter(stdout)
	if *output == "json" {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		err = enc.Encode(res)
	} else {
		err = printProblems(bw, res)
	}
	if err = errors.Join(err, bw.Flush()); err != nil {
		return fmt.Errorf("roster validate: write: %w", err)
	}
	if !res.Valid() {
		return invalidRoster{summary: res.Summary()}
	}
	return nil
}

// printProblems writes the text output: a line a problem, errors first,
// then a summary line.
func printProblems(w io.Writer, res *rostercheck.Result) error {
	for _, p := range res.Errors {
		fmt.Fprintln(w, p)
	}
	for _, p := range res.Warnings {
		fmt.Fprintln(w, p)
	}
	rows := 0
	for _, f := range res.Files {
		rows += f.Rows
	}
	fmt.Fprintf(w, "%d of the %d files of OneRoster v1.1 checked, %d rows: %s\n", len(res.Files), len(roster.Files), rows, res.Summary())
	if kept := len(res.Errors) + len(res.Warnings); kept < res.ErrorCount+res.WarningCount {
		_, err := fmt.Fprintf(w, "(%d problems listed: the first %d of each code)\n", kept, rostercheck.DefaultMaxPerCode)
		return err
	}
	return nil
}
