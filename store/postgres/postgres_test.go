package postgres

import (
	"context"
	"os"
	"testing"

	"industrydata"
	"industrydata/internal/pgtest"
	"industrydata/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// template is the migrated database every test's database copies.
const template = "industrydata_template"

// openDB returns the URL of a fresh, migrated database of its own for tb.
func openDB(tb testing.TB) string {
	tb.Helper()
	srv := pgtest.Start(tb)
	srv.CreateTemplate(tb, template, func(url string) error {
		s, err := Open(context.Background(), Config{URL: url})
		if err != nil {
			return err
		}
		return s.Close()
	})
	return srv.URL(srv.NewDatabase(tb, template))
}

// open opens a store on a fresh database and closes it when tb ends.
func open(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	if cfg.URL == "" {
		cfg.URL = openDB(tb)
	}
	s, err := Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) industrydata.Store { return open(t, Config{}) })
}
