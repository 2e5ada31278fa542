package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"industrydata"
)

// DefaultCleanupBatch is how many rows a cleanup deletes per transaction:
// small enough that the writer is never held for long, large enough that
// a year of audit goes in reasonable time.
const DefaultCleanupBatch = 500

// Cleaner removes what a retention lets go, one batch per transaction,
// until nothing is left. It holds no state between sweeps: a sweep cut
// short is resumed by the next, which finds what is still there.
type Cleaner struct {
	Store     industrydata.CleanupStore
	Retention industrydata.Retention
	Clock     industrydata.Clock
	// Batch is the rows of one transaction; 0 is DefaultCleanupBatch.
	Batch  int
	Logger *slog.Logger
}

// Sweep is one CleanupKind's outcome.
type Sweep struct {
	Kind industrydata.CleanupKind
	industrydata.Swept
}

// Sweep deletes what the retention lets go at the clock's now, of every
// kind it does not keep forever, and returns what went, in
// industrydata.CleanupKinds order.
func (c Cleaner) Sweep(ctx context.Context) ([]Sweep, error) {
	batch := c.Batch
	if batch == 0 {
		batch = DefaultCleanupBatch
	}
	return c.each(func(kind industrydata.CleanupKind, cutoff time.Time) (industrydata.Swept, error) {
		var total industrydata.Swept
		for {
			got, err := c.Store.Sweep(ctx, kind, cutoff, batch)
			if err != nil {
				return total, err
			}
			total.Add(got)
			if got.Rows < int64(batch) {
				return total, nil
			}
		}
	})
}

// DryRun counts what Sweep would delete now.
func (c Cleaner) DryRun(ctx context.Context) ([]Sweep, error) {
	return c.each(func(kind industrydata.CleanupKind, cutoff time.Time) (industrydata.Swept, error) {
		return c.Store.Sweepable(ctx, kind, cutoff)
	})
}

// each calls fn with each kind the retention does not keep forever and
// its cutoff.
func (c Cleaner) each(fn func(industrydata.CleanupKind, time.Time) (industrydata.Swept, error)) ([]Sweep, error) {
	now := c.Clock.Now()
	var out []Sweep
	for _, kind := range industrydata.CleanupKinds {
		cutoff, ok := c.Retention.Cutoff(kind, now)
		if !ok {
			continue
		}
		got, err := fn(kind, cutoff)
		if err != nil {
			return out, fmt.Errorf("cleanup of %s: %w", kind, err)
		}
		out = append(out, Sweep{Kind: kind, Swept: got})
	}
	return out, nil
}

// Every sweeps at each tick until ctx ends. A failed sweep is logged and
// the next tick tries again.
func (c Cleaner) Every(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		start := time.Now()
		swept, err := c.Sweep(ctx)
		for _, s := range swept {
			if s.Rows > 0 {
				c.Logger.Info("cleanup", "kind", s.Kind, "rows", s.Rows, "bytes", s.Bytes)
			}
		}
		if err != nil && ctx.Err() == nil {
			c.Logger.Error("cleanup failed", "err", err)
			continue
		}
		c.Logger.Debug("cleanup done", "duration", time.Since(start))
	}
}
