package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// A database whose reports were stored a row per entry (migration 4) keeps
// every entry through migration 5, which makes them blocks, and through
// its way down again.
func TestMigrateEntriesToBlocks(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	writer, _, err := dsns(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", writer)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := newProvider(db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
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
	if db, err = sql.Open("sqlite", writer); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err = newProvider(db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
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
