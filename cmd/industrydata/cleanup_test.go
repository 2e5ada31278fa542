package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/sqlite"
)

// seedCleanup makes a data directory whose store holds two operations
// finished 31 days ago, one finished now and one running since long ago,
// each with the audit record of its creation.
func seedCleanup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(dir, "industrydata.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	old := now.Add(-31 * 24 * time.Hour)
	for i, st := range []struct {
		status industrydata.LongRunningOperationStatus
		last   time.Time
	}{{industrydata.OperationSucceeded, old}, {industrydata.OperationFailed, old}, {industrydata.OperationSucceeded, now}, {industrydata.OperationRunning, old}} {
		op := industrydata.Operation{ID: "op-" + string(rune('a'+i)), Type: "microsoft.graph.longRunningOperation",
			CreatedDateTime: st.last, LastActionDateTime: &st.last, Status: st.status}
		if err := s.CreateOperation(t.Context(), testTenant, industrydata.Actor{}, &op); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// cleanupTable is the table cleanup prints for operations rows and no
// other (the seed has no run, set, session or block, and its audit
// records are kept).
func cleanupTable(ops string) string {
	return "KIND            ROWS  BYTES\n" +
		"operations      " + ops + "     0\n" +
		"runs            0     0\n" +
		"audit           0     0\n" +
		"validatedSets   0     0\n" +
		"uploadSessions  0     0\n" +
		"uploadBlocks    0     0\n"
}

func TestCleanupDryRunCountsAndRunDeletes(t *testing.T) {
	dir := seedCleanup(t)
	// The audit records are a second old at most: a day's retention keeps them.
	args := []string{"cleanup", "--data-dir", dir, "--retain-audit", "24h"}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run"}, cleanupTable("2")},
		{nil, cleanupTable("2")},
		{[]string{"--dry-run"}, cleanupTable("0")},
	} {
		out, err := runCLI(t, append(args, step.args...)...)
		if err != nil || out != step.want {
			t.Fatalf("cleanup %v = %q, %v; want %q", step.args, out, err, step.want)
		}
	}
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(dir, "industrydata.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, kept := range map[string]bool{"op-a": false, "op-b": false, "op-c": true, "op-d": true} {
		_, err := s.GetOperation(t.Context(), testTenant, id)
		if kept != (err == nil) {
			t.Errorf("operation %s: %v; want kept %v", id, err, kept)
		}
		if !kept && !errors.Is(err, industrydata.ErrNotFound) {
			t.Errorf("operation %s: %v; want ErrNotFound", id, err)
		}
	}
}

func TestCleanupRetentionFromEnvironmentAndZeroKeeps(t *testing.T) {
	dir := seedCleanup(t)
	archive := filepath.Join(t.TempDir(), "archive")
	env := map[string]string{"INDUSTRYDATA_RETAIN_AUDIT": "1ns", "INDUSTRYDATA_RETAIN_OPERATIONS": "0",
		"INDUSTRYDATA_RETAIN_RUNS": "0", "INDUSTRYDATA_RETAIN_RUNS_KEPT": "0", "INDUSTRYDATA_AUDIT_ARCHIVE": archive}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"cleanup", "--data-dir", dir}, func(k string) string { return env[k] }, &stdout, &stderr)
	// No operation or run goes (0 keeps forever); the audit records do,
	// but for the newest, archived first.
	want := regexp.MustCompile(`^KIND +ROWS +BYTES\naudit +3 +[1-9][0-9]*\nvalidatedSets +0 +0\nuploadSessions +0 +0\nuploadBlocks +0 +0\n$`)
	if err != nil || !want.MatchString(stdout.String()) {
		t.Fatalf("cleanup = %q, %v; want %s", stdout.String(), err, want)
	}
	files, err := filepath.Glob(filepath.Join(archive, "audit-*.jsonl.gz"))
	if err != nil || len(files) != 1 {
		t.Fatalf("archive files = %v, %v; want the day's", files, err)
	}
}

func TestCleanupRefusedWhileAServerRunsIt(t *testing.T) {
	dir := seedCleanup(t)
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(dir, "industrydata.db")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueCleanup(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClaimJob(t.Context(), "server", time.Now(), time.Hour, industrydata.JobCleanup); err != nil || !ok {
		t.Fatalf("ClaimJob = %v, %v", ok, err)
	}
	s.Close()
	_, err = runCLI(t, "cleanup", "--data-dir", dir)
	if !errors.Is(err, errCleanupBusy) {
		t.Fatalf("cleanup while a server holds its job: %v; want %v", err, errCleanupBusy)
	}
	// Counting needs no job.
	if out, err := runCLI(t, "cleanup", "--data-dir", dir, "--dry-run"); err != nil || out != cleanupTable("2") {
		t.Fatalf("cleanup --dry-run = %q, %v", out, err)
	}
}

func TestRetentionFlagsRefuseNegatives(t *testing.T) {
	for _, args := range [][]string{
		{"--retain-operations", "-1h"}, {"--retain-audit", "-1s"}, {"--retain-runs", "-1h"}, {"--retain-runs-kept", "-1"},
		{"--retain-upload-blocks", "-1m"}, {"--cleanup-batch", "0"}, {"--audit-archive", notADir(t)},
	} {
		_, err := runCLI(t, append([]string{"cleanup", "--data-dir", t.TempDir(), "--dry-run"}, args...)...)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(u.msg, args[0]) {
			t.Errorf("cleanup %v: %v; want a usage error naming %s", args, err, args[0])
		}
		_, err = parseServeFlags(args, func(string) string { return "" }, &bytes.Buffer{})
		if !errors.As(err, &u) || !strings.Contains(u.msg, args[0]) {
			t.Errorf("serve %v: %v; want a usage error naming %s", args, err, args[0])
		}
	}
	if _, err := parseServeFlags([]string{"--cleanup-interval", "-1m"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("serve --cleanup-interval -1m: no error")
	}
}

// notADir is a path that exists and is not a directory.
func notADir(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServeRetentionDefaultsAndEnvironment(t *testing.T) {
	c, err := parseServeFlags(nil, func(k string) string {
		return map[string]string{"INDUSTRYDATA_RETAIN_AUDIT": "48h", "INDUSTRYDATA_CLEANUP_INTERVAL": "5m",
			"INDUSTRYDATA_RETAIN_RUNS_KEPT": "3", "INDUSTRYDATA_AUDIT_ARCHIVE": "/var/archive"}[k]
	}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := industrydata.DefaultRetention
	want.Audit, want.RunsKept = 48*time.Hour, 3
	if c.retention.Retention != want || c.cleanupInterval != 5*time.Minute || c.retention.auditArchive != "/var/archive" {
		t.Errorf("retention %+v, interval %s, archive %q; want %+v, 5m, /var/archive", c.retention.Retention, c.cleanupInterval,
			c.retention.auditArchive, want)
	}
}
