package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"industrydata"
	"industrydata/auth"
)

// auditPage is how many records the export reads at a time: its memory
// stays bounded whatever the size of the log.
const auditPage = 500

// runAudit implements `industrydata audit`: it writes the audit log, oldest
// first, as JSON lines (one industrydata.AuditLine each) to --output, reading the store
// serve uses (the same --data-dir and --database-url) a page at a time. It
// may run while serve does.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit")
	// The store flags fill a serveConfig so that storeConfig, serve's own
	// reading of them, opens the very same database.
	var c serveConfig
	fs.StringVar(&c.dataDir, "data-dir", "./data", "directory `DIR` of the SQLite database")
	fs.StringVar(&c.databaseURL, "database-url", "", "database `URL`, as for serve: empty for SQLite under --data-dir, sqlite:PATH, or postgres://user@host/database")
	tenant := fs.String("tenant", "", "only the records of tenant `TID`; all tenants' when empty")
	since := fs.String("since", "", "only the records made at `TIME` (RFC 3339) or later")
	output := fs.String("output", "-", "`FILE` to write the JSON lines to; - is standard output")
	help := commandHelp{
		summary: auditSummary,
		usage:   "industrydata audit [--data-dir ./data] [--database-url URL] [--tenant TID] [--since RFC3339] [--output -]",
		about: "Prints the audit log, oldest first, one JSON object a line: every create, update, delete and run start, with\n" +
			"who made it (principal, app, request-id) and the properties it changed, old and new.",
	}
	if err := parseFlags(fs, args, getenv, help, stderr); err != nil {
		return usageError{msg: "audit: " + err.Error(), err: err}
	}
	q := industrydata.AuditQuery{Limit: auditPage}
	if *tenant != "" {
		// Tenant ids are GUIDs, stored lower-cased: any spelling matches.
		id, ok := auth.ParseTenantID(*tenant)
		if !ok {
			return usageError{msg: fmt.Sprintf("audit: --tenant %q is not a tenant id (a GUID)", *tenant)}
		}
		q.Tenant = id
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return usageError{msg: fmt.Sprintf("audit: --since %q must be an RFC 3339 time such as 2024-05-01T00:00:00Z", *since)}
		}
		q.Since = t
	}
	if *output == "" {
		return usageError{msg: "audit: --output must not be empty (- is standard output)"}
	}
	sc, err := storeConfig(c)
	if err != nil {
		return usageError{msg: "audit: " + err.Error()}
	}
	// An export reads an existing log: opening a missing file would create
	// an empty database where the operator probably mistyped a path.
	store, err := sc.open(ctx, slog.New(slog.DiscardHandler), false)
	if err != nil {
		return fmt.Errorf("audit: open store: %w", err)
	}
	defer store.Close()

	out, closeOut := stdout, func() error { return nil }
	if *output != "-" {
		f, err := os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		out, closeOut = f, f.Close
	}
	err = exportAudit(ctx, store, q, out)
	return errors.Join(err, closeOut())
}

// exportAudit writes the records q selects, after q.After, as JSON
// lines to w, a page of q.Limit at a time.
func exportAudit(ctx context.Context, st industrydata.AuditStore, q industrydata.AuditQuery, w io.Writer) error {
	if q.Limit == 0 {
		q.Limit = industrydata.DefaultAuditLimit
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // values are shown as they are stored
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs, err := st.ListAudit(ctx, q)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		for _, r := range recs {
			if err := enc.Encode(r.Line()); err != nil {
				return fmt.Errorf("audit: write: %w", err)
			}
		}
		// A page shorter than asked is the end of the log (for now).
		if len(recs) < q.Limit {
			break
		}
		q.After = recs[len(recs)-1].Position()
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	return nil
}
