package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"industrydata"
	"industrydata/metrics"
)

// Defaults of Cleaner.
const (
	// DefaultCleanupBatch is how many rows a cleanup deletes per
	// transaction: small enough that the writer is never held for long,
	// large enough that a year of audit goes in reasonable time.
	DefaultCleanupBatch = 500
	// DefaultReclaimPages is how many free pages one step of a
	// SpaceReclaimer gives back (512 KiB of SQLite's 4 KiB pages): each
	// page moved is written to the WAL and fsynced with the writes
	// committed beside it, so a step stays small.
	DefaultReclaimPages = 128
)

// Cleaner removes what a retention lets go, one batch per transaction,
// until nothing is left, and then gives the space back in steps where the
// store does that itself (industrydata.SpaceReclaimer). After each
// transaction it rests restFactor times as long as the transaction took,
// so that the requests' writes queued behind a batch go first. It holds no state between sweeps: a sweep cut short is
// resumed by the next, which finds what is still there.
type Cleaner struct {
	Store     industrydata.CleanupStore
	Retention industrydata.Retention
	Clock     industrydata.Clock
	// Batch is the rows of one transaction; 0 is DefaultCleanupBatch.
	Batch int
	// ReclaimPages is the free pages of one reclaim step; 0 is
	// DefaultReclaimPages.
	ReclaimPages int
	// Archive, when set, keeps every audit record before it is deleted:
	// a record the archive could not keep stays, and stops the sweep of
	// the audit.
	Archive *AuditArchive
	// Metrics counts what goes; nil counts nothing.
	Metrics *metrics.Cleanup
	Logger  *slog.Logger
}

// Sweep is one CleanupKind's outcome.
type Sweep struct {
	Kind industrydata.CleanupKind
	industrydata.Swept
}

// Sweep deletes what the retention lets go at the clock's now, of every
// kind it does not keep forever, gives the space back, and returns what
// went, in industrydata.CleanupKinds order.
func (c Cleaner) Sweep(ctx context.Context) ([]Sweep, error) {
	return c.sweep(ctx, func(context.Context) error { return nil })
}

// sweep is Sweep calling between after each transaction: the cleanup's
// job renews its lease there, and stops when between fails.
func (c Cleaner) sweep(ctx context.Context, between func(context.Context) error) ([]Sweep, error) {
	start := time.Now()
	batch := c.Batch
	if batch == 0 {
		batch = DefaultCleanupBatch
	}
	out, err := c.each(func(kind industrydata.CleanupKind, cutoff industrydata.Cutoff) (industrydata.Swept, error) {
		var total industrydata.Swept
		for {
			var (
				got   industrydata.Swept
				err   error
				begun = time.Now()
			)
			if kind == industrydata.CleanupAudit && c.Archive != nil {
				got, err = c.archiveBatch(ctx, cutoff, batch)
			} else {
				got, err = c.Store.Sweep(ctx, kind, cutoff, batch)
			}
			total.Add(got)
			c.Metrics.Removed(string(kind), got.Rows, got.Bytes)
			if err != nil {
				return total, err
			}
			if got.Rows < int64(batch) {
				return total, between(ctx)
			}
			if err := rest(ctx, restFactor*time.Since(begun)); err != nil {
				return total, err
			}
			if err := between(ctx); err != nil {
				return total, err
			}
		}
	})
	if err == nil {
		err = c.reclaim(ctx, between)
	}
	if err == nil {
		err = c.observeOldest(ctx)
	}
	c.Metrics.Took(time.Since(start))
	return out, err
}

// archiveBatch archives the next batch of audit records the cutoff lets
// go, then deletes them: what is deleted was archived first.
func (c Cleaner) archiveBatch(ctx context.Context, cutoff industrydata.Cutoff, batch int) (industrydata.Swept, error) {
	recs, err := c.Store.ExpiredAudit(ctx, cutoff.Before, batch)
	if err != nil || len(recs) == 0 {
		return industrydata.Swept{}, err
	}
	if err := c.Archive.Keep(recs); err != nil {
		return industrydata.Swept{}, err
	}
	seqs := make([]int64, len(recs))
	for i := range recs {
		seqs[i] = recs[i].Seq
	}
	got, err := c.Store.DeleteAudit(ctx, seqs)
	if err != nil {
		return industrydata.Swept{}, err
	}
	// A short page is the end; a full one may have more after it.
	got.Rows = max(got.Rows, int64(len(recs)))
	return got, nil
}

// reclaim gives back the store's free pages a step at a time, when the
// store keeps them (SQLite).
func (c Cleaner) reclaim(ctx context.Context, between func(context.Context) error) error {
	r, ok := c.Store.(industrydata.SpaceReclaimer)
	if !ok {
		return nil
	}
	pages := c.ReclaimPages
	if pages == 0 {
		pages = DefaultReclaimPages
	}
	last := int64(-1)
	for {
		begun := time.Now()
		left, err := r.Reclaim(ctx, pages)
		if err != nil {
			return fmt.Errorf("cleanup: reclaim: %w", err)
		}
		// A step that freed nothing ends it too (another writer's
		// deletes keep the free list from emptying).
		if left == 0 || left == last {
			return nil
		}
		last = left
		if err := rest(ctx, restFactor*time.Since(begun)); err != nil {
			return err
		}
		if err := between(ctx); err != nil {
			return err
		}
	}
}

// restFactor is how many times as long as a transaction took the cleanup
// rests after it: it holds the writer a fifth of the time at most while
// it runs. Under a steady PATCH load (BENCHMARKS.md), resting as long as
// the transaction took cost the requests a third of their throughput
// while a cleanup ran, three times as long 11-12%.
const restFactor = 4

// rest waits d, or until ctx ends.
func rest(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// observeOldest sets the metric of the oldest record kept of each kind.
func (c Cleaner) observeOldest(ctx context.Context) error {
	if c.Metrics == nil {
		return nil
	}
	for _, kind := range industrydata.CleanupKinds {
		t, ok, err := c.Store.OldestKept(ctx, kind)
		if err != nil {
			return fmt.Errorf("cleanup: %w", err)
		}
		c.Metrics.Oldest(string(kind), t, ok)
	}
	return nil
}

// DryRun counts what Sweep would delete now.
func (c Cleaner) DryRun(ctx context.Context) ([]Sweep, error) {
	return c.each(func(kind industrydata.CleanupKind, cutoff industrydata.Cutoff) (industrydata.Swept, error) {
		return c.Store.Sweepable(ctx, kind, cutoff)
	})
}

// each calls fn with each kind the retention does not keep forever and
// its cutoff.
func (c Cleaner) each(fn func(industrydata.CleanupKind, industrydata.Cutoff) (industrydata.Swept, error)) ([]Sweep, error) {
	now := c.Clock.Now()
	var out []Sweep
	for _, kind := range industrydata.CleanupKinds {
		cutoff, ok := c.Retention.Cutoff(kind, now)
		if !ok {
			continue
		}
		got, err := fn(kind, cutoff)
		out = append(out, Sweep{Kind: kind, Swept: got})
		if err != nil {
			return out, fmt.Errorf("cleanup of %s: %w", kind, err)
		}
	}
	return out, nil
}
