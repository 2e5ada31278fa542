// Package migrate applies a store's schema migrations.
package migrate

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
)

// Up applies p's pending migrations and logs one line if it applied any;
// name ("sqlite", "postgres") starts the line and the error.
func Up(ctx context.Context, p *goose.Provider, log *slog.Logger, name string) error {
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("%s: migrate: %w", name, err)
	}
	if len(results) == 0 {
		return nil
	}
	took := results[0].Duration
	for _, r := range results[1:] {
		took += r.Duration
	}
	version := results[len(results)-1].Source.Version
	log.Info(fmt.Sprintf("%s: migrated to version %d", name, version), "version", version,
		"migrations", len(results), "duration", took)
	return nil
}
