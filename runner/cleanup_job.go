package runner

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"industrydata"
)

// CleanupJob runs the cleanup as a job of the queue
// (industrydata.JobCleanup): one at a time across the replicas sharing a
// store, under a lease it renews between transactions, and resumed by
// another claim when its worker died (its work so far is committed, so
// resuming is sweeping again).
type CleanupJob struct {
	Cleaner Cleaner
	Jobs    industrydata.JobStore
	// Owner names this worker in the lease; see Config.Owner ("" makes
	// one).
	Owner string
	// LeaseTTL is how long the lease lasts unless renewed; it is renewed
	// once a third of it has passed. 0 is DefaultLeaseTTL.
	LeaseTTL time.Duration
	// Now is the clock of the leases; nil is time.Now.
	Now func() time.Time
}

func (j CleanupJob) now() time.Time {
	if j.Now == nil {
		return time.Now()
	}
	return j.Now()
}

func (j CleanupJob) ttl() time.Duration {
	if j.LeaseTTL <= 0 {
		return DefaultLeaseTTL
	}
	return j.LeaseTTL
}

// NewCleanupJob is j with an Owner when it has none.
func NewCleanupJob(j CleanupJob) CleanupJob {
	if j.Owner == "" {
		j.Owner = defaultOwner()
	}
	return j
}

// Queue queues the cleanup's job unless it is queued or running.
func (j CleanupJob) Queue(ctx context.Context) (bool, error) {
	return j.Cleaner.Store.QueueCleanup(ctx)
}

// RunQueued claims the cleanup's job when it is queued and free (or its
// worker's lease expired), sweeps, and takes it off the queue. ran is
// false when there was no job this worker could claim. When the sweep
// fails the job leaves the queue all the same (the next schedule queues
// another); when ctx ends first the lease is given back, for the next
// worker to resume at once; when the lease was lost, another worker has
// the job and this one writes nothing more.
func (j CleanupJob) RunQueued(ctx context.Context) (swept []Sweep, ran bool, err error) {
	c, ok, err := j.Jobs.ClaimJob(ctx, j.Owner, j.now(), j.ttl(), industrydata.JobCleanup)
	if err != nil || !ok {
		return nil, false, err
	}
	log := j.Cleaner.logger().With("attempt", c.Attempt)
	if c.Attempt > 1 {
		log.Warn("resuming a cleanup whose worker stopped")
	}
	renewed := j.now()
	renew := func(ctx context.Context) error {
		now := j.now()
		if now.Sub(renewed) < j.ttl()/3 {
			return nil
		}
		next, err := j.Jobs.RenewLease(ctx, c, now, j.ttl())
		if err != nil {
			return err
		}
		c, renewed = next, now
		return nil
	}
	swept, err = j.Cleaner.sweep(ctx, renew)
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	switch {
	case errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("cleanup abandoned: its lease was taken over by another worker")
		return swept, true, err
	case ctx.Err() != nil:
		if rerr := j.Jobs.ReleaseLease(wctx, c); rerr != nil {
			log.Warn("giving the cleanup's lease back failed; it waits for its lease to expire", "err", rerr)
		}
		return swept, true, err
	}
	if ferr := j.Cleaner.Store.FinishCleanup(wctx, c); ferr != nil && err == nil {
		err = ferr
	}
	return swept, true, err
}

// Every queues the cleanup at each tick of schedule and runs it, and at
// each tick of poll runs a cleanup queued elsewhere or left by a worker
// that died, until ctx ends. Failures are logged; the next tick tries
// again.
func (j CleanupJob) Every(ctx context.Context, schedule, poll <-chan time.Time) {
	log := j.Cleaner.logger()
	for {
		select {
		case <-ctx.Done():
			return
		case <-schedule:
			if _, err := j.Queue(ctx); err != nil {
				if ctx.Err() == nil {
					log.Error("queueing the cleanup failed", "err", err)
				}
				continue
			}
		case <-poll:
		}
		start := time.Now()
		swept, ran, err := j.RunQueued(ctx)
		for _, s := range swept {
			if s.Rows > 0 {
				log.Info("cleanup", "kind", s.Kind, "rows", s.Rows, "bytes", s.Bytes)
			}
		}
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, industrydata.ErrLeaseLost):
			log.Error("cleanup failed", "err", err)
		case ran:
			log.Debug("cleanup done", "duration", time.Since(start))
		}
	}
}

func (c Cleaner) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
