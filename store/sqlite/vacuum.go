package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlcore"
)

// autoVacuumIncremental is PRAGMA auto_vacuum's value for INCREMENTAL.
const autoVacuumIncremental = 2

// incrementalVacuum makes the database keep the pages deletions free on a
// list, to be given back by Reclaim in small steps (the cleanup's), rather
// than leaving the file at its largest size forever. A new database is
// made so by the writer's DSN (_auto_vacuum), before its header exists.
// The mode of an existing database changes only with a VACUUM, which
// rewrites the whole file once (through the WAL: as much free disk again
// as the database, and some seconds per GB) before the store opens. It
// runs on the writer before anything else uses it.
func incrementalVacuum(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	var mode int
	if err := db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: auto_vacuum: %w", err)
	}
	if mode == autoVacuumIncremental {
		return nil
	}
	if _, err := db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return fmt.Errorf("sqlite: auto_vacuum: %w", err)
	}
	start := time.Now()
	log.Info("rewriting the database once for incremental auto-vacuum (VACUUM)")
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("sqlite: VACUUM for incremental auto-vacuum: %w", err)
	}
	log.Info("database rewritten for incremental auto-vacuum", "duration", time.Since(start))
	return nil
}

var _ industrydata.SpaceReclaimer = (*Store)(nil)

// Reclaim gives back at most pages free pages to the file system, in one
// write of the writer, and returns the free pages left (see
// industrydata.SpaceReclaimer). The file shrinks at the next checkpoint.
func (s *Store) Reclaim(ctx context.Context, pages int) (int64, error) {
	if pages <= 0 {
		return 0, fmt.Errorf("sqlite: reclaim: %d pages", pages)
	}
	var left int64
	err := s.write(ctx, func(tx sqlcore.Tx) error {
		if _, err := tx.Exec(`PRAGMA incremental_vacuum(` + strconv.Itoa(pages) + `)`); err != nil {
			return err
		}
		return tx.QueryRow(`PRAGMA freelist_count`).Scan(&left)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: reclaim: %w", err)
	}
	return left, nil
}
