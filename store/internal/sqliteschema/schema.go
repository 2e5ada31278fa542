// Package sqliteschema is the schema of the SQLite store: its migrations,
// in SQL and, where data is converted, in Go.
package sqliteschema

import (
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// NewProvider returns a goose provider of the migrations on db.
// Provider.Close closes db.
func NewProvider(db *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub,
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(log),
		goose.WithGoMigrations(migrationEntryBlocks, migrationRosterCompression, migrationEntryFlows))
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return p, nil
}
