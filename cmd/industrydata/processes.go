package main

import (
	"context"
	"fmt"
	"io"

	"industrydata/client"
)

const processesSummary = "list, read, update and run the tenant's process (processes list|get|update|run)"

// The summaries of the commands, in the group's list and atop their --help.
const (
	processesListSummary   = "list the tenant's processes"
	processesGetSummary    = "print a process and its newest runs"
	processesUpdateSummary = "change a process's displayName or readinessStatus"
	processesRunSummary    = "start a run of the process alone: the report of what the inbound flows hold now, no import"
)

// processesGroup is `industrydata processes <command>`.
var processesGroup = commandGroup{name: "processes", subs: []subcommand{
	{name: "list", summary: processesListSummary, run: runProcessesList},
	{name: "get", args: "[ID]", summary: processesGetSummary, run: runProcessesGet},
	{name: "update", args: "[ID]", summary: processesUpdateSummary, run: runProcessesUpdate},
	{name: "run", args: "[ID] [--wait]", summary: processesRunSummary, run: runProcessesRun},
}}

func runProcesses(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return processesGroup.run(ctx, args, getenv, stdout, stderr)
}

// processAbout says what a missing ID means.
const processAbout = "ID is the process's id; without it, the tenant's process (a tenant has one userReportRefreshProcess)."

// theProcess returns the process id names, or the tenant's only one.
func theProcess(ctx context.Context, c *client.Client, command string, args []string) (client.Process, error) {
	if len(args) > 0 {
		p, err := c.Processes().Get(ctx, args[0])
		return p, failed(command, err)
	}
	var found []client.Process
	for p, err := range c.Processes().List(ctx, nil) {
		if err != nil {
			return client.Process{}, failed(command, err)
		}
		found = append(found, p)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return client.Process{}, requestFailed{command: command, err: fmt.Errorf("the tenant has no process")}
	}
	return client.Process{}, usageError{msg: fmt.Sprintf("%s: the tenant has %d processes: name one by its ID", command, len(found))}
}

func runProcessesList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("processes list")
	help := commandHelp{summary: processesListSummary, usage: "industrydata processes list [--output table|json]"}
	f, _, c, err := apiCommand(fs, args, 0, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	var ps []client.Process
	for p, err := range c.Processes().List(ctx, nil) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		ps = append(ps, p)
	}
	if f.json() {
		return printJSON(stdout, nonNil(ps))
	}
	t := newTable(stdout, "ID", "TYPE", "DISPLAY NAME", "READINESS", "ETAG")
	for _, p := range ps {
		t.row(p.ID, shortType(p.ODataType), p.DisplayName, string(p.ReadinessStatus), p.ETag)
	}
	return t.flush()
}

func runProcessesGet(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("processes get")
	help := commandHelp{summary: processesGetSummary, usage: "industrydata processes get [ID] [--output table|json]",
		about: processAbout}
	f, rest, c, err := apiCommand(fs, args, 1, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	p, err := theProcess(ctx, c, fs.Name(), rest)
	if err != nil {
		return err
	}
	var runs []client.Run
	for r, err := range c.ProcessRuns(ctx, p.ID, &client.Query{Top: 10}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		if runs = append(runs, r); len(runs) == 10 {
			break
		}
	}
	p.Runs = runs
	if f.json() {
		return printJSON(stdout, p)
	}
	if err := processFields(stdout, p); err != nil {
		return err
	}
	if len(runs) > 0 {
		fmt.Fprintln(stdout)
		return runsTable(stdout, runs)
	}
	return nil
}

func processFields(w io.Writer, p client.Process) error {
	return fields(w, "id", p.ID, "type", shortType(p.ODataType), "displayName", p.DisplayName,
		"readinessStatus", string(p.ReadinessStatus), "eTag", p.ETag)
}

func runProcessesUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("processes update")
	name := fs.String("display-name", "", "new displayName `NAME`")
	readiness := fs.String("readiness-status", "", "new readinessStatus `STATUS`: ready, notReady, failed, disabled, …")
	help := commandHelp{summary: processesUpdateSummary,
		usage: "industrydata processes update [ID] [--display-name NAME] [--readiness-status STATUS] [--output table|json]",
		about: processAbout + "\nThe process is read first: what the flags leave out keeps its value, and its eTag makes the update\n" +
			"fail (412) rather than undo a change made in between."}
	f, rest, c, err := apiCommand(fs, args, 1, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	if !flagGiven(fs, "display-name") && !flagGiven(fs, "readiness-status") {
		return usageError{msg: fs.Name() + ": nothing to change: give --display-name or --readiness-status"}
	}
	p, err := theProcess(ctx, c, fs.Name(), rest)
	if err != nil {
		return err
	}
	// The service needs both properties and the eTag on every PATCH.
	patch := client.Process{ETag: p.ETag, DisplayName: p.DisplayName, ReadinessStatus: p.ReadinessStatus}
	if flagGiven(fs, "display-name") {
		patch.DisplayName = *name
	}
	if flagGiven(fs, "readiness-status") {
		patch.ReadinessStatus = client.ReadinessStatus(*readiness)
	}
	p, err = c.Processes().Update(ctx, p.ID, patch)
	if err != nil {
		return failed(fs.Name(), err)
	}
	if f.json() {
		return printJSON(stdout, p)
	}
	return processFields(stdout, p)
}

func runProcessesRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("processes run")
	wait := fs.Bool("wait", false, "wait for the run to end, showing its progress; exit 1 when it failed")
	help := commandHelp{summary: processesRunSummary,
		usage: "industrydata processes run [ID] [--wait] [--output table|json]", about: processAbout}
	f, rest, c, err := apiCommand(fs, args, 1, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	p, err := theProcess(ctx, c, fs.Name(), rest)
	if err != nil {
		return err
	}
	started, err := c.StartProcessRun(ctx, p.ID)
	if err != nil {
		return failed(fs.Name(), err)
	}
	return reportStart(ctx, c, started, *wait, fs.Name(), f, stdout, stderr)
}
