package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"industrydata"
)

// A database whose reports were stored a row per entry (migration 4) keeps
// every entry through migration 5, which makes them blocks, and through
// its way down again.
func TestMigrateEntriesToBlocks(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, p := migrator(t, path)
	defer db.Close()
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}

	// Two reports: one over several blocks' worth, one small.
	want := map[int64][]industrydata.UserReportEntry{7: benchEntries(1, 2*maxBlockEntries+5), 9: benchEntries(1, 3)}
	want[9][1].Issues = []industrydata.UserReportIssue{industrydata.IssueMissingEmail, industrydata.IssueNoOrg}
	want[9][2].OrgSourcedIDs = nil
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for report, entries := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_reports (report, tenant, run_id, process_id, etag, created_ticks, summary)
		VALUES (?, 't', ?, 'p', 'e', 0, '{}')`, report, fmt.Sprint("run-", report)); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				report, e.Seq, e.SourcedID, e.Username, e.Role, jsonArray(e.OrgSourcedIDs), e.IsActive, jsonArray(e.Issues)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := errors.Join(tx.Commit(), db.Close()); err != nil {
		t.Fatal(err)
	}

	s := open(t, Config{Path: path})
	for report, entries := range want {
		got, err := s.ListReportEntries(ctx, "t", fmt.Sprint("run-", report), industrydata.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(entries, got); diff != "" {
			t.Errorf("report %d after migration 5 (-want +got):\n%s", report, diff)
		}
	}
	var blocks int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM report_blocks WHERE report = 7`).Scan(&blocks); err != nil || blocks != 3 {
		t.Errorf("report 7 is %d blocks (%v), want 3", blocks, err)
	}

	// And down again: the rows are back as they were.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, p = migrator(t, path)
	defer db.Close()
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	for report, entries := range want {
		rows, err := db.QueryContext(ctx, `SELECT n, sourced_id, org_ids, issues FROM report_entries WHERE report = ? ORDER BY n`, report)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for ; rows.Next(); i++ {
			var (
				n            int64
				id, orgs, is string
			)
			if err := rows.Scan(&n, &id, &orgs, &is); err != nil {
				t.Fatal(err)
			}
			e := entries[i]
			if n != e.Seq || id != e.SourcedID || orgs != jsonArray(e.OrgSourcedIDs) || is != jsonArray(e.Issues) {
				t.Errorf("report %d row %d = %d %s %s %s, want %+v", report, i, n, id, orgs, is, e)
			}
		}
		rows.Close()
		if i != len(entries) {
			t.Errorf("report %d has %d rows after migrating down, want %d", report, i, len(entries))
		}
	}
}

// Roster chunks stored compressed are written back plain by migration 7's
// way down, and read as they were once it is up again.
func TestMigrateRosterCompression(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rosters.db")
	users := []byte(strings.Repeat("u-1,active,2024-05-01T00:00:00Z,true,org-1,student,ada\r\n", 20_000))
	s := open(t, Config{Path: path})
	r, err := s.PutRoster(ctx, "t", bytes.NewReader(users), strings.NewReader("orgs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, p := migrator(t, path)
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	var plain []byte
	rows, err := db.QueryContext(ctx, `SELECT data FROM roster_chunks WHERE file = 'users.csv' ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		plain = append(plain, c...)
	}
	if err := errors.Join(rows.Err(), rows.Close(), db.Close()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, users) {
		t.Fatalf("after migrating down, users.csv's chunks hold %d bytes, not the %d put", len(plain), len(users))
	}

	s = open(t, Config{Path: path})
	f, err := s.OpenRosterFile(ctx, "t", r.ID, industrydata.RosterUsers)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, users) {
		t.Errorf("users.csv read back after migrating up again: %d bytes, %v", len(got), err)
	}
}

// A run in progress when the job queue arrives (migration 10) keeps its
// lease and attempts as a job, a finished run becomes none, and the way
// down puts the lease back on the run.
func TestMigrateRunLeasesToJobs(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "jobs.db")
	db, p := migrator(t, path)
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	expired := industrydata.Ticks(leaseT0.Add(-time.Minute))
	for _, q := range []string{
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status, lease_owner, lease_expires_ticks, attempts)
		VALUES ('t', 'r1', 'p', 'o1', 'e', 'n', 0, 'running', 'dead', ` + fmt.Sprint(expired) + `, 2)`,
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, end_ticks, status, attempts)
		VALUES ('t', 'r2', 'p2', 'o2', 'e', 'n', 0, 1, 'completed', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, Config{Path: path})
	c, ok, err := s.ClaimJob(ctx, "heir", leaseT0, time.Minute)
	want := industrydata.JobClaim{Kind: industrydata.JobRun, Tenant: "t", ID: "r1", ProcessID: "p", OperationID: "o1",
		Owner: "heir", Attempt: 3, Expires: leaseT0.Add(time.Minute)}
	if err != nil || !ok || !cmp.Equal(c, want) {
		t.Fatalf("claim after migration 10 = %+v, %v, %v; want %+v", c, ok, err, want)
	}
	if _, ok, _ := s.ClaimJob(ctx, "other", leaseT0, time.Minute); ok {
		t.Error("the finished run became a job")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, p = migrator(t, path)
	defer db.Close()
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	var owner string
	var attempts int
	if err := db.QueryRowContext(ctx, `SELECT lease_owner, attempts FROM runs WHERE id = 'r1'`).Scan(&owner, &attempts); err != nil ||
		owner != "heir" || attempts != 3 {
		t.Errorf("after migrating down, r1's lease is %q, attempt %d (%v); want heir, 3", owner, attempts, err)
	}
}

// leaseT0 is a fixed time for the migration tests' leases.
var leaseT0 = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// migrator opens the database at path without migrating it, and a goose
// provider over it, for tests that move it between versions.
func migrator(t *testing.T, path string) (*sql.DB, *goose.Provider) {
	t.Helper()
	writer, _, err := dsns(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", writer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProvider(db, slog.New(slog.DiscardHandler))
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, p
}
