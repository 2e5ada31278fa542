package main

import (
	"context"
	"fmt"
	"io"

	"industrydata/client"
)

const runsSummary = "start runs, list them, and read their statistics and reports (runs start|list|stats|report)"

// The summaries of the commands, in the group's list and atop their --help.
const (
	runsStartSummary  = "start a run: import every ready inbound flow, then refresh the user report (runs/start)"
	runsListSummary   = "list the tenant's runs, newest first"
	runsStatsSummary  = "print what a run's imports counted: people, organizations, groups, memberships"
	runsReportSummary = "print a run's user report (its summary, the users with issues), or download it as CSV"
)

// runsGroup is `industrydata runs <command>`.
var runsGroup = commandGroup{name: "runs", subs: []subcommand{
	{name: "start", args: "[--wait]", summary: runsStartSummary, run: runRunsStart},
	{name: "list", summary: runsListSummary, run: runRunsList},
	{name: "stats", args: "[ID]", summary: runsStatsSummary, run: runRunsStats},
	{name: "report", args: "[ID]", summary: runsReportSummary, run: runRunsReport},
}}

func runRuns(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runsGroup.run(ctx, args, getenv, stdout, stderr)
}

func runRunsStart(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs start")
	wait := fs.Bool("wait", false, "wait for the run to end, showing its progress; exit 1 when it failed")
	help := commandHelp{summary: runsStartSummary,
		usage: "industrydata runs start [--wait] [--output table|json]"}
	f, _, c, err := apiCommand(fs, args, 0, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	started, err := c.StartRuns(ctx)
	if err != nil {
		return failed(fs.Name(), err)
	}
	return reportStart(ctx, c, started, *wait, fs.Name(), f, stdout, stderr)
}

// reportStart prints a started run; with wait, waits for its operation and
// prints how it ended, failing with exit status 1 when it failed.
func reportStart(ctx context.Context, c *client.Client, s client.StartedRun, wait bool, command string, f *apiFlags, stdout, stderr io.Writer) error {
	if !wait {
		if f.json() {
			return printJSON(stdout, startedJSON{Run: s.Run, Operation: s.OperationLocation})
		}
		return fields(stdout, "run", s.Run.ID, "status", string(s.Run.Status), "operation", s.OperationLocation)
	}
	if !f.json() {
		fmt.Fprintf(stdout, "run %s started\n", s.Run.ID)
	}
	op, err := waitFor(ctx, c, s.OperationLocation, command, f, stdout, stderr)
	if err != nil {
		return err
	}
	run, err := c.Runs().Get(ctx, s.Run.ID)
	if err != nil {
		return failed(command, err)
	}
	if f.json() {
		err = printJSON(stdout, startedJSON{Run: run, Operation: op.ID, Result: &op})
	} else {
		kv := []string{"run", run.ID, "status", string(run.Status), "operation", string(op.Status)}
		if run.BlockingError != nil {
			kv = append(kv, "blockingError", run.BlockingError.Code+": "+run.BlockingError.Message)
		}
		if op.Location() != "" {
			kv = append(kv, "report", op.Location())
		}
		err = fields(stdout, kv...)
	}
	if err != nil {
		return err
	}
	if op.Status == client.OperationFailed {
		return operationFailed{command: command, detail: op.Detail()}
	}
	return nil
}

// startedJSON is what a run start prints with --output json: the run, the
// URL of its operation, and with --wait the operation as it ended.
type startedJSON struct {
	Run       client.Run        `json:"run"`
	Operation string            `json:"operation"`
	Result    *client.Operation `json:"result,omitempty"`
}

func runRunsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs list")
	filter := fs.String("filter", "", "OData `EXPR` the runs must match ($filter): \"status eq 'failed'\"")
	limit := fs.Int("limit", 0, "print at most `N` runs, the newest (0: all)")
	help := commandHelp{summary: runsListSummary,
		usage: "industrydata runs list [--filter EXPR] [--limit N] [--output table|json]"}
	f, _, c, err := apiCommand(fs, args, 0, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	var runs []client.Run
	for r, err := range c.Runs().List(ctx, &client.Query{Filter: *filter}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		if runs = append(runs, r); *limit > 0 && len(runs) == *limit {
			break
		}
	}
	if f.json() {
		return printJSON(stdout, nonNil(runs))
	}
	return runsTable(stdout, runs)
}

func runsTable(w io.Writer, runs []client.Run) error {
	t := newTable(w, "ID", "STATUS", "STARTED", "ENDED", "DISPLAY NAME")
	for _, r := range runs {
		t.row(r.ID, string(r.Status), when(&r.StartDateTime), when(r.EndDateTime), r.DisplayName)
	}
	return t.flush()
}

func runRunsStats(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs stats")
	help := commandHelp{summary: runsStatsSummary,
		usage: "industrydata runs stats [ID] [--output table|json]",
		about: "ID is the run's id; without it, the tenant's latest run (getStatistics)."}
	f, rest, c, err := apiCommand(fs, args, 1, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	id := ""
	if len(rest) > 0 {
		id = rest[0]
	}
	s, err := c.RunStats(ctx, id)
	if err != nil {
		return failed(fs.Name(), err)
	}
	if f.json() {
		return printJSON(stdout, s)
	}
	fields(stdout, "run", s.RunID, "status", string(s.Status))
	fmt.Fprintln(stdout)
	t := newTable(stdout, "ACTIVITY", "STATUS", "PEOPLE", "ORGANIZATIONS", "GROUPS", "MEMBERSHIPS", "ERRORS", "WARNINGS")
	for _, a := range s.ActivityStatistics {
		t.row(a.DisplayName, string(a.Status), counted(a.People), counted(a.Organizations), counted(a.Groups),
			counted(a.Memberships), number(a.Errors), number(a.Warnings))
	}
	if s.InboundTotals != nil {
		n := s.InboundTotals
		t.row("total (active)", "", fmt.Sprint(n.People), fmt.Sprint(n.Organizations), fmt.Sprint(n.Groups),
			fmt.Sprint(n.Memberships), fmt.Sprint(n.Errors), fmt.Sprint(n.Warnings))
	}
	return t.flush()
}

// counted is a count of an import: "active of total", "" for none.
func counted(c *client.EntityCount) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d of %d", c.Active, c.Total)
}

func number(n *int64) string {
	if n == nil {
		return ""
	}
	return fmt.Sprint(*n)
}
