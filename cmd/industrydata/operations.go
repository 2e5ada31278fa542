package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"industrydata/client"
)

const operationsSummary = "list, read and update long-running operations (operations list|get|update)"

// The summaries of the commands, in the group's list and atop their --help.
const (
	operationsListSummary   = "list the tenant's operations, oldest first"
	operationsGetSummary    = "print one operation; a validation's errors and warnings as a table"
	operationsUpdateSummary = "change an operation's status, statusDetail, resourceLocation or lastActionDateTime"
)

// operationsGroup is `industrydata operations <command>`.
var operationsGroup = commandGroup{name: "operations", subs: []subcommand{
	{name: "list", summary: operationsListSummary, run: runOperationsList},
	{name: "get", args: "ID", summary: operationsGetSummary, run: runOperationsGet},
	{name: "update", args: "ID", summary: operationsUpdateSummary, run: runOperationsUpdate},
}}

func runOperations(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return operationsGroup.run(ctx, args, getenv, stdout, stderr)
}

func runOperationsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("operations list")
	filter := fs.String("filter", "", "OData `EXPR` the operations must match ($filter): \"status eq 'running'\"")
	limit := fs.Int("limit", 0, "print at most `N` operations (0: all)")
	help := commandHelp{summary: operationsListSummary,
		usage: "industrydata operations list [--filter EXPR] [--limit N] [--output table|json]"}
	f, _, c, err := apiCommand(fs, args, 0, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	var ops []client.Operation
	for op, err := range c.Operations().List(ctx, &client.Query{Filter: *filter}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		ops = append(ops, op)
		if *limit > 0 && len(ops) == *limit {
			break
		}
	}
	if f.json() {
		return printJSON(stdout, nonNil(ops))
	}
	t := newTable(stdout, "ID", "TYPE", "STATUS", "CREATED", "STATUS DETAIL")
	for _, op := range ops {
		t.row(op.ID, shortType(op.ODataType), string(op.Status), when(&op.CreatedDateTime), op.Detail())
	}
	return t.flush()
}

func runOperationsGet(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("operations get")
	help := commandHelp{summary: operationsGetSummary,
		usage: "industrydata operations get ID [--output table|json]"}
	f, rest, c, err := apiCommand(fs, args, 1, 1, "ID, the operation's id", getenv, help, stderr)
	if err != nil {
		return err
	}
	op, err := c.Operations().Get(ctx, rest[0])
	if err != nil {
		return failed(fs.Name(), err)
	}
	if f.json() {
		return printJSON(stdout, op)
	}
	if err := operationFields(stdout, op); err != nil {
		return err
	}
	if len(op.Errors)+len(op.Warnings) > 0 {
		fmt.Fprintln(stdout)
		return problemsTable(stdout, op, 0)
	}
	return nil
}

func runOperationsUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("operations update")
	status := fs.String("status", "", "new `STATUS`: notStarted, running, succeeded, failed")
	detail := fs.String("status-detail", "", "new statusDetail `TEXT`; \"\" clears it (null)")
	location := fs.String("resource-location", "", "new resourceLocation `URL`; \"\" clears it (null)")
	last := fs.String("last-action", "", "new lastActionDateTime `TIME` (RFC 3339); the service sets it when the status changes without one")
	help := commandHelp{summary: operationsUpdateSummary,
		usage: "industrydata operations update ID [--status S] [--status-detail TEXT] [--resource-location URL] [--last-action TIME]"}
	f, rest, c, err := apiCommand(fs, args, 1, 1, "ID, the operation's id", getenv, help, stderr)
	if err != nil {
		return err
	}
	// Only the flags given change the operation: an empty value given is
	// a null, one not given is left out.
	var u client.OperationUpdate
	if flagGiven(fs, "status") {
		u.Status = client.Some(client.OperationStatus(*status))
	}
	u.StatusDetail = optionalText(flagGiven(fs, "status-detail"), *detail)
	u.ResourceLocation = optionalText(flagGiven(fs, "resource-location"), *location)
	if flagGiven(fs, "last-action") {
		t, err := time.Parse(time.RFC3339Nano, *last)
		if err != nil {
			return usageError{msg: fmt.Sprintf("%s: --last-action %q must be an RFC 3339 time such as 2024-05-01T08:30:00Z", fs.Name(), *last)}
		}
		u.LastActionDateTime = client.Some(t)
	}
	if u == (client.OperationUpdate{}) {
		return usageError{msg: fs.Name() + ": nothing to change: give --status, --status-detail, --resource-location or --last-action"}
	}
	op, err := c.Operations().Update(ctx, rest[0], u)
	if err != nil {
		return failed(fs.Name(), err)
	}
	if f.json() {
		return printJSON(stdout, op)
	}
	return operationFields(stdout, op)
}

// optionalText is a PATCH's text property from a flag: left out when not
// given, null when given empty.
func optionalText(given bool, v string) client.Optional[string] {
	switch {
	case !given:
		return client.Optional[string]{}
	case v == "":
		return client.Null[string]()
	}
	return client.Some(v)
}

// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
