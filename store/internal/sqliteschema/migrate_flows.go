package sqliteschema

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"industrydata"
	"industrydata/store/internal/entryblock"
)

// Migration 13 follows the entries of user reports naming their inbound
// flows (entryblock format version 2, written since migration 12). Its way
// up changes nothing: the blocks already stored are version 1, which reads
// as entries of no flow. Its way down writes the version 2 blocks back as
// version 1, a block at a time, dropping the flows, so that a store of an
// earlier version reads them.
var migrationEntryFlows = goose.NewGoMigration(13,
	&goose.GoFunc{RunTx: func(context.Context, *sql.Tx) error { return nil }},
	&goose.GoFunc{RunTx: blocksToV1})

func blocksToV1(ctx context.Context, tx *sql.Tx) error {
	var after int64
	for {
		var (
			rowid, first int64
			count        int
			data         []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT rowid, first_seq, entries, data FROM report_blocks
		WHERE rowid > ? ORDER BY rowid LIMIT 1`, after).Scan(&rowid, &first, &count, &data)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		after = rowid
		if entryblock.IsV1(data) {
			continue
		}
		entries, err := readBlock(data, first, count)
		if err != nil {
			return fmt.Errorf("block %d: %w", rowid, err)
		}
		v1, err := entryblock.EncodeV1(entries)
		if err != nil {
			return fmt.Errorf("block %d: %w", rowid, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_blocks SET data = ? WHERE rowid = ?`, v1, rowid); err != nil {
			return err
		}
	}
}

// readBlock decodes a whole block of entries.
func readBlock(data []byte, first int64, count int) ([]industrydata.UserReportEntry, error) {
	r, err := entryblock.Open(data, first, count)
	if err != nil {
		return nil, err
	}
	out := make([]industrydata.UserReportEntry, 0, count)
	for {
		var e industrydata.UserReportEntry
		ok, err := r.Read(&e)
		if err != nil || !ok {
			return out, err
		}
		out = append(out, e)
	}
}
