package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"industrydata/client"
)

// uploadJSON is what roster upload prints with --output json.
type uploadJSON struct {
	Connector  string                `json:"connector"`
	Files      []client.UploadedFile `json:"files"`
	Skipped    []string              `json:"skipped"`
	Validation string                `json:"validation,omitempty"` // the operation's URL
	Result     *client.Operation     `json:"result,omitempty"`     // with --wait
}

// runRosterUpload implements `industrydata roster upload DIR --connector
// ID`: the connector's upload session, the directory's OneRoster files
// uploaded to it with the Azure SDK, and with --validate its validation.
func runRosterUpload(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("roster upload")
	connector := fs.String("connector", "", "the data connector's `ID`, or its display name when no connector has that id; required")
	reset := fs.Bool("reset", false, "start a new upload session: what was uploaded to the connector's current one is discarded")
	validate := fs.Bool("validate", false, "validate the files once uploaded (they become the connector's validated set when there are no errors)")
	wait := fs.Bool("wait", false, "with --validate: wait for the validation, show its progress and print its problems; exit 1 when it failed")
	help := commandHelp{summary: rosterUploadSummary,
		usage: "industrydata roster upload DIR --connector ID [--reset] [--validate [--wait]] [--output table|json]",
		about: "Uploads the OneRoster v1.1 CSV files of DIR (manifest.csv, orgs.csv, users.csv, academicSessions.csv, courses.csv,\n" +
			"classes.csv, enrollments.csv, demographics.csv; other files are left alone) to the connector's upload session,\n" +
			"with the Azure Storage SDK, as AzCopy would. Files uploaded before to the same session stay unless --reset."}
	f, rest, c, err := apiCommand(fs, args, 1, 1, "DIR, the directory of the CSV files", getenv, help, stderr)
	if err != nil {
		return err
	}
	if *connector == "" {
		return usageError{msg: fs.Name() + ": --connector is required"}
	}
	if *wait && !*validate {
		return usageError{msg: fs.Name() + ": --wait waits for the validation: it needs --validate"}
	}
	dir := rest[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError{msg: fmt.Sprintf("%s: %q is not a directory", fs.Name(), dir)}
	}
	conn, err := findConnector(ctx, c, *connector)
	if err != nil {
		return failed(fs.Name(), err)
	}
	session, err := c.GetUploadSession(ctx, conn.ID, *reset)
	if err != nil {
		return failed(fs.Name(), err)
	}
	log := stdout // where the lines of progress go: not into JSON
	if f.json() {
		log = stderr
	}
	up, err := c.UploadRoster(ctx, session.SessionURL, dir, nil)
	if err != nil {
		return failed(fs.Name(), err)
	}
	for _, name := range up.Skipped {
		fmt.Fprintf(log, "skipped %s: not a OneRoster v1.1 CSV file name\n", name)
	}
	for _, file := range up.Files {
		fmt.Fprintf(log, "uploaded %s (%d bytes)\n", file.Name, file.Size)
	}
	out := uploadJSON{Connector: conn.ID, Files: up.Files, Skipped: nonNil(up.Skipped)}
	if !*validate {
		if f.json() {
			return printJSON(stdout, out)
		}
		return nil
	}
	out.Validation, err = c.Validate(ctx, conn.ID)
	if err != nil {
		return failed(fs.Name(), err)
	}
	if !*wait {
		if f.json() {
			return printJSON(stdout, out)
		}
		_, err := fmt.Fprintf(log, "validation started: %s\n", out.Validation)
		return err
	}
	op, err := waitFor(ctx, c, out.Validation, fs.Name(), f, stdout, stderr)
	if err != nil {
		return err
	}
	if f.json() {
		out.Result = &op
		err = printJSON(stdout, out)
	} else {
		if len(op.Errors)+len(op.Warnings) > 0 {
			err = problemsTable(stdout, op, maxProblemRows)
		}
	}
	if err != nil {
		return err
	}
	if op.Status == client.OperationFailed {
		return operationFailed{command: fs.Name(), detail: op.Detail()}
	}
	return nil
}

// findConnector finds the connector whose id is key, or else the one whose
// display name is key (a name two connectors share is refused).
func findConnector(ctx context.Context, c *client.Client, key string) (client.DataConnector, error) {
	var named []client.DataConnector
	for conn, err := range c.DataConnectors().List(ctx, nil) {
		if err != nil {
			return conn, err
		}
		if conn.ID == key {
			return conn, nil
		}
		if conn.DisplayName == key {
			named = append(named, conn)
		}
	}
	switch len(named) {
	case 1:
		return named[0], nil
	case 0:
		return client.DataConnector{}, fmt.Errorf("no data connector has the id or the name %q ('industrydata connectors list' lists them)", key)
	}
	ids := make([]string, len(named))
	for i, n := range named {
		ids[i] = n.ID
	}
	return client.DataConnector{}, usageError{msg: fmt.Sprintf("roster upload: %d data connectors are named %q: give one's id (%s)", len(named), key, strings.Join(ids, ", "))}
}
