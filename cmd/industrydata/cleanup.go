package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"industrydata"
	"industrydata/runner"
)

const cleanupSummary = "delete what the retention lets go (operations, audit, expired upload sessions, stale blocks), or count it with --dry-run"

// retentionConfig is what the retention flags say; serve and cleanup
// read the same ones.
type retentionConfig struct {
	industrydata.Retention
	batch int
}

func (c *retentionConfig) flags(fs *flag.FlagSet) {
	d := industrydata.DefaultRetention
	fs.DurationVar(&c.Operations, "retain-operations", d.Operations, "how long a finished operation is kept after its last action (0 keeps them forever)")
	fs.DurationVar(&c.Runs, "retain-runs", d.Runs, "how long a run is kept, beyond the newest --retain-runs-kept (0 keeps them forever; not enforced yet)")
	fs.IntVar(&c.RunsKept, "retain-runs-kept", d.RunsKept, "runs kept per process and per flow whatever their age (not enforced yet)")
	fs.DurationVar(&c.Audit, "retain-audit", d.Audit, "how long an audit record is kept (0 keeps them forever)")
	fs.DurationVar(&c.UploadBlocks, "retain-upload-blocks", d.UploadBlocks, "how long a block never committed is kept after it was staged (0 keeps them forever)")
	fs.IntVar(&c.batch, "cleanup-batch", runner.DefaultCleanupBatch, "rows the cleanup deletes per transaction")
}

// validate refuses a negative setting.
func (c *retentionConfig) validate() error {
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"--retain-operations", c.Operations < 0}, {"--retain-runs", c.Runs < 0}, {"--retain-runs-kept", c.RunsKept < 0},
		{"--retain-audit", c.Audit < 0}, {"--retain-upload-blocks", c.UploadBlocks < 0},
	} {
		if f.neg {
			return fmt.Errorf("%s must not be negative (0 keeps forever)", f.name)
		}
	}
	if c.batch < 1 {
		return fmt.Errorf("--cleanup-batch %d must be positive", c.batch)
	}
	return nil
}

// cleaner is the cleanup of store under c.
func (c *retentionConfig) cleaner(store industrydata.CleanupStore, log *slog.Logger) runner.Cleaner {
	return runner.Cleaner{Store: store, Retention: c.Retention, Clock: industrydata.SystemClock{}, Batch: c.batch, Logger: log}
}

// runCleanup implements `industrydata cleanup`: one sweep of the store
// serve uses, or with --dry-run a count of what it would delete, printed
// per kind. It may run while serve does.
func runCleanup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cleanup")
	var c serveConfig
	fs.StringVar(&c.dataDir, "data-dir", "./data", "directory `DIR` of the SQLite database")
	fs.StringVar(&c.databaseURL, "database-url", "", "database `URL`, as for serve: empty for SQLite under --data-dir, sqlite:PATH, or postgres://user@host/database")
	var r retentionConfig
	r.flags(fs)
	dryRun := fs.Bool("dry-run", false, "count what would go, per kind, and delete nothing")
	help := commandHelp{
		summary: cleanupSummary,
		usage:   "industrydata cleanup [--dry-run] [--data-dir ./data] [--database-url URL] [--retain-operations 720h] [--retain-audit 8760h]",
		about: "Deletes, a batch per transaction, the finished operations, audit records, expired upload sessions and\n" +
			"uncommitted blocks past their retention, and prints per kind the rows and uploaded bytes that went (or would go).",
	}
	if err := parseFlags(fs, args, getenv, help, stderr); err != nil {
		return usageError{msg: "cleanup: " + err.Error(), err: err}
	}
	if err := r.validate(); err != nil {
		return usageError{msg: "cleanup: " + err.Error()}
	}
	sc, err := storeConfig(c)
	if err != nil {
		return usageError{msg: "cleanup: " + err.Error()}
	}
	store, err := sc.open(ctx, slog.New(slog.DiscardHandler), false)
	if err != nil {
		return fmt.Errorf("cleanup: open store: %w", err)
	}
	defer store.Close()
	cl := r.cleaner(store, slog.New(slog.DiscardHandler))
	sweep := cl.Sweep
	if *dryRun {
		sweep = cl.DryRun
	}
	swept, err := sweep(ctx)
	t := newTable(stdout, "KIND", "ROWS", "BYTES")
	for _, s := range swept {
		t.row(string(s.Kind), strconv.FormatInt(s.Rows, 10), strconv.FormatInt(s.Bytes, 10))
	}
	if ferr := t.flush(); err == nil {
		err = ferr
	}
	return err
}
