package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"industrydata"
	"industrydata/metrics"
	"industrydata/store/postgres"
	"industrydata/store/sqlite"
)

// storeSpec is the store --database-url and --data-dir name: one of the
// two configurations is set. The rest of the program sees only the
// industrydata.Store that open returns.
type storeSpec struct {
	sqlite   *sqlite.Config
	postgres *postgres.Config
	// metrics, when set, receives what the store reports of its work.
	metrics metrics.StoreObserver
}

// storeConfig turns --database-url and --data-dir into the store to open.
func storeConfig(c serveConfig) (storeSpec, error) {
	switch u := c.databaseURL; {
	case u == "":
		return storeSpec{sqlite: &sqlite.Config{Path: filepath.Join(c.dataDir, "industrydata.db")}}, nil
	case u == "sqlite::memory:":
		return storeSpec{sqlite: &sqlite.Config{Memory: true}}, nil
	case strings.HasPrefix(u, "sqlite:"):
		return storeSpec{sqlite: &sqlite.Config{Path: strings.TrimPrefix(u, "sqlite:")}}, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || strings.Trim(p.Path, "/") == "" {
			return storeSpec{}, errors.New("--database-url: a PostgreSQL URL is postgres://user[:password]@host[:port]/database[?options]")
		}
		return storeSpec{postgres: &postgres.Config{URL: u}}, nil
	}
	return storeSpec{}, fmt.Errorf("--database-url must be empty, sqlite:PATH, sqlite::memory: or postgres://user@host/database")
}

// open opens the store, creating the SQLite file's directory when missing
// (create false: refusing a missing SQLite file instead, as an export
// does).
func (sp storeSpec) open(ctx context.Context, log *slog.Logger, create bool) (industrydata.Store, error) {
	if sp.postgres != nil {
		cfg := *sp.postgres
		cfg.Logger = log
		cfg.Metrics = sp.metrics
		return postgres.Open(ctx, cfg)
	}
	cfg := *sp.sqlite
	cfg.Logger = log
	cfg.Metrics = sp.metrics
	if !cfg.Memory {
		if create {
			if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
				return nil, fmt.Errorf("data directory: %w", err)
			}
		} else if _, err := os.Stat(cfg.Path); err != nil {
			return nil, fmt.Errorf("no database at %s: %w", cfg.Path, err)
		}
	}
	return sqlite.Open(ctx, cfg)
}
