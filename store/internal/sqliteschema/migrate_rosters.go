package sqliteschema

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"industrydata/store/internal/zblob"
)

// Migration 7 let roster chunks be stored compressed: a column saying
// which are. The chunks already stored stayed as they were; on the way
// down the compressed ones are written back plain, one at a time. Rosters
// are gone since migration 12 (their tables come back empty on its way
// down), but a database older than that still passes through this one.
var migrationRosterCompression = goose.NewGoMigration(7,
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `ALTER TABLE roster_chunks
		ADD COLUMN compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1))`)
		return err
	}},
	&goose.GoFunc{RunTx: decompressRosterChunks})

func decompressRosterChunks(ctx context.Context, tx *sql.Tx) error {
	for {
		var (
			rowid int64
			data  []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT rowid, data FROM roster_chunks WHERE compressed = 1 LIMIT 1`).Scan(&rowid, &data)
		if err == sql.ErrNoRows {
			break
		}
		if err != nil {
			return err
		}
		plain, err := zblob.Decompress(nil, data)
		if err != nil {
			return fmt.Errorf("roster chunk %d: %w", rowid, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE roster_chunks SET data = ?, compressed = 0 WHERE rowid = ?`, plain, rowid); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE roster_chunks DROP COLUMN compressed`)
	return err
}
