package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"industrydata"
	"industrydata/metrics"
	"industrydata/runner"
)

const cleanupSummary = "delete what the retention lets go (operations, runs, audit, validated sets of deleted connectors, expired upload sessions, stale blocks), or count it with --dry-run"

// retentionConfig is what the retention flags say; serve and cleanup
// read the same ones.
type retentionConfig struct {
	industrydata.Retention
	batch        int
	auditArchive string
}

func (c *retentionConfig) flags(fs *flag.FlagSet) {
	d := industrydata.DefaultRetention
	fs.DurationVar(&c.Operations, "retain-operations", d.Operations, "how long a finished operation is kept after its last action (0 keeps them forever)")
	fs.DurationVar(&c.Runs, "retain-runs", d.Runs, "how long a run is kept after it ended, even among the newest --retain-runs-kept (0: no age limit)")
	fs.IntVar(&c.RunsKept, "retain-runs-kept", d.RunsKept, "runs kept per process and per flow, the newest (0: no count limit; with --retain-runs 0, runs are kept forever)")
	fs.DurationVar(&c.Audit, "retain-audit", d.Audit, "how long an audit record is kept (0 keeps them forever)")
	fs.DurationVar(&c.UploadBlocks, "retain-upload-blocks", d.UploadBlocks, "how long a block never committed is kept after it was staged (0 keeps them forever)")
	fs.IntVar(&c.batch, "cleanup-batch", runner.DefaultCleanupBatch, "rows the cleanup deletes per transaction")
	fs.StringVar(&c.auditArchive, "audit-archive", "", "directory `DIR` where audit records are archived (gzip JSON lines, a file per UTC day) before the cleanup deletes them; empty: deleted unarchived")
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
	if c.auditArchive != "" {
		if fi, err := os.Stat(c.auditArchive); err == nil && !fi.IsDir() {
			return fmt.Errorf("--audit-archive %s is not a directory", c.auditArchive)
		}
	}
	return nil
}

// cleanupJob is the cleanup of store under c, as a job of its queue; it
// makes the archive directory.
func (c *retentionConfig) cleanupJob(store industrydata.Store, log *slog.Logger, m *metrics.Cleanup, leaseTTL time.Duration) (runner.CleanupJob, error) {
	cl := runner.Cleaner{Store: store, Retention: c.Retention, Clock: industrydata.SystemClock{}, Batch: c.batch,
		Metrics: m, Logger: log}
	if c.auditArchive != "" {
		if err := os.MkdirAll(c.auditArchive, 0o700); err != nil {
			return runner.CleanupJob{}, fmt.Errorf("--audit-archive: %w", err)
		}
		cl.Archive = &runner.AuditArchive{Dir: c.auditArchive}
	}
	return runner.NewCleanupJob(runner.CleanupJob{Cleaner: cl, Jobs: store, LeaseTTL: leaseTTL}), nil
}

// errCleanupBusy: another worker holds the cleanup's job.
var errCleanupBusy = errors.New("cleanup: a cleanup is running already (a server holds its job); try again once it ends")

// runCleanup implements `industrydata cleanup`: one cleanup of the store
// serve uses, run as the queue's cleanup job (so never beside a server's),
// or with --dry-run a count of what it would delete, printed per kind. It
// may run while serve does.
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
		usage:   "industrydata cleanup [--dry-run] [--data-dir ./data] [--database-url URL] [--retain-operations 720h] [--retain-audit 8760h] [--audit-archive DIR]",
		about: "Deletes, a batch per transaction, the finished operations, runs, audit records, validated sets of deleted\n" +
			"connectors, expired upload sessions and uncommitted blocks past their retention, and prints per kind the rows\n" +
			"and bytes that went (or would go).",
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
	job, err := r.cleanupJob(store, slog.New(slog.DiscardHandler), nil, runner.DefaultLeaseTTL)
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	var swept []runner.Sweep
	if *dryRun {
		swept, err = job.Cleaner.DryRun(ctx)
	} else if _, err = job.Queue(ctx); err == nil {
		var ran bool
		if swept, ran, err = job.RunQueued(ctx); err == nil && !ran {
			err = errCleanupBusy
		}
	}
	t := newTable(stdout, "KIND", "ROWS", "BYTES")
	for _, s := range swept {
		t.row(string(s.Kind), strconv.FormatInt(s.Rows, 10), strconv.FormatInt(s.Bytes, 10))
	}
	if ferr := t.flush(); err == nil {
		err = ferr
	}
	return err
}
