package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"industrydata/client"
)

func runRunsReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs report")
	filter := fs.String("filter", "issues/any()", "OData `EXPR` of the entries to print ($filter); \"\" prints every user")
	csvFile := fs.String("csv", "", "download the entries (those --filter matches, when given) as CSV to `FILE`; - is standard output")
	help := commandHelp{summary: runsReportSummary,
		usage: "industrydata runs report [ID] [--filter EXPR] [--csv FILE] [--output table|json]",
		about: "ID is the run's id; without it, the tenant's latest run. The run must have finished with a report."}
	f, rest, c, err := apiCommand(fs, args, 1, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	runID := ""
	if len(rest) > 0 {
		runID = rest[0]
	}
	ref, rep, err := findReport(ctx, c, runID)
	if err != nil {
		return failed(fs.Name(), err)
	}
	if *csvFile != "" {
		q := &client.Query{}
		if flagGiven(fs, "filter") {
			q.Filter = *filter
		}
		return failed(fs.Name(), downloadCSV(ctx, c, ref, q, *csvFile, stdout))
	}
	var entries []client.UserReportEntry
	for e, err := range c.UserReportEntries(ctx, ref, &client.Query{Filter: *filter, Top: 999}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		entries = append(entries, e)
	}
	if f.json() {
		return printJSON(stdout, struct {
			Report  client.UserReport        `json:"report"`
			Entries []client.UserReportEntry `json:"entries"`
		}{rep, nonNil(entries)})
	}
	return printReport(stdout, ref, rep, entries)
}

// findReport finds the report of the run runID, or of the latest run when
// runID is "": the run's process is the one whose runs hold it.
func findReport(ctx context.Context, c *client.Client, runID string) (client.ReportRef, client.UserReport, error) {
	if runID == "" {
		for r, err := range c.Runs().List(ctx, &client.Query{Top: 1}) {
			if err != nil {
				return client.ReportRef{}, client.UserReport{}, err
			}
			runID = r.ID
			break
		}
		if runID == "" {
			return client.ReportRef{}, client.UserReport{}, errors.New("the tenant has no run yet: start one with 'industrydata runs start'")
		}
	}
	var last error
	for p, err := range c.Processes().List(ctx, nil) {
		if err != nil {
			return client.ReportRef{}, client.UserReport{}, err
		}
		ref := client.ReportRef{ProcessID: p.ID, RunID: runID}
		rep, err := c.UserReport(ctx, ref)
		if err == nil {
			return ref, rep, nil
		}
		var e *client.Error
		if !errors.As(err, &e) || e.StatusCode != 404 {
			return ref, rep, err
		}
		last = err
	}
	if last == nil {
		last = fmt.Errorf("the tenant has no process, so run %s has no report", runID)
	}
	return client.ReportRef{}, client.UserReport{}, last
}

// downloadCSV streams the report's CSV file to path ("-": stdout).
func downloadCSV(ctx context.Context, c *client.Client, ref client.ReportRef, q *client.Query, path string, stdout io.Writer) error {
	body, err := c.UserReportCSV(ctx, ref, q)
	if err != nil {
		return err
	}
	defer body.Close()
	if path == "-" {
		_, err = io.Copy(stdout, body)
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, body); err != nil {
		out.Close()
		// A cut download leaves no file that could be taken for whole.
		os.Remove(path)
		return fmt.Errorf("the download was cut: %w", err)
	}
	return out.Close()
}

// printReport prints the summary, the counts by role and by org, and the
// entries.
func printReport(w io.Writer, ref client.ReportRef, rep client.UserReport, entries []client.UserReportEntry) error {
	s := rep.Summary
	if err := fields(w, "run", ref.RunID, "process", ref.ProcessID, "created", when(&rep.CreatedDateTime),
		"users", fmt.Sprintf("%d (%d active, %d inactive)", s.TotalUsers, s.ActiveUsers, s.InactiveUsers),
		"usersWithIssues", fmt.Sprint(s.UsersWithIssues)); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t := newTable(w, "ROLE", "USERS")
	for _, r := range s.UsersByRole {
		t.row(r.Role, fmt.Sprint(r.Count))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newTable(w, "ORG", "NAME", "USERS")
	for _, o := range s.UsersByOrg {
		t.row(o.OrgSourcedID, o.OrgName, fmt.Sprint(o.Count))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newTable(w, "SOURCED ID", "USERNAME", "ROLE", "ORGS", "ACTIVE", "ISSUES")
	for _, e := range entries {
		t.row(e.SourcedID, e.Username, e.Role, strings.Join(e.OrgSourcedIDs, ","), fmt.Sprint(e.IsActive), strings.Join(e.Issues, ","))
	}
	return t.flush()
}
