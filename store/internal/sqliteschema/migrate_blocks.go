package sqliteschema

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pressly/goose/v3"

	"industrydata"
	"industrydata/store/internal/entryblock"
)

// Migration 5 moves the entries of user reports from a row each
// (report_entries) to blocks of entries (report_blocks, see entries.go).
// It is Go, not SQL, since the blocks are entryblock's encoding; the
// entries already stored are converted, none lost.
var migrationEntryBlocks = goose.NewGoMigration(5,
	&goose.GoFunc{RunTx: entriesToBlocks},
	&goose.GoFunc{RunTx: blocksToEntries})

// report_blocks: the entries of a report (report = the run's seq) in
// blocks of consecutive entries, first_seq the Seq of a block's first
// entry and entries their number. Written while the run runs, before its
// user_reports row exists. A rowid table, since its rows are large blobs.
const createReportBlocks = `CREATE TABLE report_blocks (
    report    INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    entries   INTEGER NOT NULL CHECK (entries > 0),
    data      BLOB    NOT NULL,
    PRIMARY KEY (report, first_seq)
) STRICT`

const createReportEntries = `CREATE TABLE report_entries (
    report     INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    sourced_id TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    org_ids    TEXT    NOT NULL,
    is_active  INTEGER NOT NULL,
    issues     TEXT    NOT NULL,
    PRIMARY KEY (report, n)
) STRICT, WITHOUT ROWID`

func entriesToBlocks(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, createReportBlocks); err != nil {
		return err
	}
	reports, err := distinctReports(ctx, tx, `SELECT DISTINCT report FROM report_entries ORDER BY report`)
	if err != nil {
		return err
	}
	for _, report := range reports {
		if err := convertReport(ctx, tx, report); err != nil {
			return fmt.Errorf("report %d: %w", report, err)
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE report_entries`)
	return err
}

// migrationBlockEntries is the most entries a block this migration writes
// holds, the store's limit when it was written.
const migrationBlockEntries = 4096

// convertReport writes the entry rows of one report as blocks, a block's
// worth of rows read at a time.
func convertReport(ctx context.Context, tx *sql.Tx, report int64) error {
	var after int64
	for {
		entries, err := readEntryRows(ctx, tx, report, after)
		if err != nil || len(entries) == 0 {
			return err
		}
		// Blocks hold consecutive Seqs only; rows always were, but a gap
		// must not shift the entries after it.
		for len(entries) > 0 {
			n := 1
			for n < len(entries) && entries[n].Seq == entries[n-1].Seq+1 {
				n++
			}
			data, err := entryblock.Encode(entries[:n])
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_blocks (report, first_seq, entries, data) VALUES (?, ?, ?, ?)`, report, entries[0].Seq, n, data); err != nil {
				return err
			}
			after = entries[n-1].Seq
			entries = entries[n:]
		}
	}
}

func readEntryRows(ctx context.Context, tx *sql.Tx, report, after int64) ([]industrydata.UserReportEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n, sourced_id, username, role, org_ids, is_active, issues
	FROM report_entries WHERE report = ? AND n > ? ORDER BY n LIMIT ?`, report, after, migrationBlockEntries)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []industrydata.UserReportEntry
	for rows.Next() {
		var (
			e            industrydata.UserReportEntry
			orgs, issues string
		)
		if err := rows.Scan(&e.Seq, &e.SourcedID, &e.Username, &e.Role, &orgs, &e.IsActive, &issues); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(orgs), &e.OrgSourcedIDs); err != nil {
			return nil, fmt.Errorf("entry %d: org_ids: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(issues), &e.Issues); err != nil {
			return nil, fmt.Errorf("entry %d: issues: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func blocksToEntries(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, createReportEntries); err != nil {
		return err
	}
	reports, err := distinctReports(ctx, tx, `SELECT DISTINCT report FROM report_blocks ORDER BY report`)
	if err != nil {
		return err
	}
	for _, report := range reports {
		if err := unblockReport(ctx, tx, report); err != nil {
			return fmt.Errorf("report %d: %w", report, err)
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE report_blocks`)
	return err
}

// unblockReport writes the blocks of one report as entry rows, a block at
// a time.
func unblockReport(ctx context.Context, tx *sql.Tx, report int64) error {
	var after int64
	for {
		var (
			first int64
			count int
			data  []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT first_seq, entries, data FROM report_blocks
		WHERE report = ? AND first_seq > ? ORDER BY first_seq LIMIT 1`, report, after).Scan(&first, &count, &data)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		r, err := entryblock.Open(data, first, count)
		if err != nil {
			return err
		}
		for {
			var e industrydata.UserReportEntry
			ok, err := r.Read(&e)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_entries
			(report, n, sourced_id, username, role, org_ids, is_active, issues) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				report, e.Seq, e.SourcedID, e.Username, e.Role, jsonArray(e.OrgSourcedIDs), e.IsActive, jsonArray(e.Issues)); err != nil {
				return err
			}
		}
		after = first
	}
}

// jsonArray is v as a JSON array, [] for none (not null).
func jsonArray[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // strings always marshal
	return string(b)
}

func distinctReports(ctx context.Context, tx *sql.Tx, query string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
