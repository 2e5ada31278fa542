package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"industrydata"
	"industrydata/internal/lowprio"
	"industrydata/report"
)

// finishTimeout bounds the writes a run makes after its context ended:
// finishing it, or giving its lease back on shutdown.
const finishTimeout = 10 * time.Second

// errLeaseLost is the cause of a run's cancellation when its lease was
// taken over: another runner now executes it, so this one writes nothing.
var errLeaseLost = errors.New("the run's lease was lost")

// execute carries one claimed run to its end: it resumes an orphan, builds
// the user report while a heartbeat renews the lease and reports progress,
// and finishes the run and its operation together. On shutdown it gives
// the lease back instead.
func (r *Runner) execute(ctx context.Context, c industrydata.JobClaim) {
	log := r.log.With("tenant", c.Tenant, "run", c.ID, "attempt", c.Attempt)
	if c.Attempt > 1 {
		log.Warn("resuming a run whose runner stopped")
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hb := newHeartbeat(r, c, cancel)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		hb.run(runCtx)
	}()

	sum, hadRoster, err := r.produce(runCtx, c, hb)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(context.Cause(runCtx), errLeaseLost) || errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("run abandoned: its lease was taken over by another runner")
		return
	case ctx.Err() != nil:
		r.giveBack(ctx, c, log)
		return
	}
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	now := r.cfg.Now()
	var out industrydata.RunOutcome
	if err == nil {
		out = report.Succeeded(now, c.ProcessID, c.ID, sum, hadRoster)
	} else {
		var internal bool
		if out, internal = report.Failed(now, err); internal {
			log.Error("run failed", "err", err)
		}
		// A failed run has no report: drop the entries it stored.
		if rerr := r.cfg.Store.ResetReportEntries(wctx, c); rerr != nil {
			log.Warn("dropping the entries of a failed run failed", "err", rerr)
		}
	}
	if err := r.cfg.Store.FinishRun(wctx, c, out); err != nil {
		log.Error("finishing the run failed; it will be resumed when its lease expires", "err", err)
		return
	}
	log.Info("run finished", "status", out.Status)
}

// produce does the run's work: it builds the report of the roster the run
// pinned, or reports that the tenant had none. An error means the run
// failed (or was stopped: the caller looks at ctx).
func (r *Runner) produce(ctx context.Context, c industrydata.JobClaim, hb *heartbeat) (sum industrydata.UserReportSummary, hadRoster bool, err error) {
	if c.Attempt > r.cfg.MaxAttempts {
		return sum, false, industrydata.RunInterruptedError{Attempts: c.Attempt - 1}
	}
	if err := r.cfg.Store.UpdateJobProgress(ctx, c, "Started: reading the roster.", r.cfg.Now()); err != nil {
		return sum, false, err
	}
	if c.Attempt > 1 {
		if err := r.cfg.Store.ResetReportEntries(ctx, c); err != nil {
			return sum, false, err
		}
	}
	if c.RosterID == "" {
		return sum, false, nil
	}
	sum, err = r.build(ctx, c, hb)
	return sum, true, err
}

// build builds the user report of the run's roster, storing its entries as
// they come, and returns its summary.
func (r *Runner) build(ctx context.Context, c industrydata.JobClaim, hb *heartbeat) (industrydata.UserReportSummary, error) {
	orgs, err := r.cfg.Store.OpenRosterFile(ctx, c.Tenant, c.RosterID, industrydata.RosterOrgs)
	if err != nil {
		return industrydata.UserReportSummary{}, fmt.Errorf("open orgs.csv: %w", err)
	}
	defer orgs.Close()
	openUsers := func() (io.ReadCloser, error) {
		return r.cfg.Store.OpenRosterFile(ctx, c.Tenant, c.RosterID, industrydata.RosterUsers)
	}
	w := newEntryWriter(ctx, r.cfg.Store, c, r.cfg.BatchSize)
	b := report.Builder{Progress: hb.progress, ProgressEvery: r.cfg.ProgressEvery}
	var sum industrydata.UserReportSummary
	// The build is the server's one long computation: below requests.
	lowprio.Run(func() { sum, err = b.Build(w.ctx, orgs, openUsers, w) })
	if werr := w.close(err == nil); werr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		// The writer failed and cancelled the build: its error says why.
		err = werr
	}
	return sum, err
}

// giveBack returns c's job to the queue when the runner stops under it, so
// that the next worker resumes it at once.
func (r *Runner) giveBack(ctx context.Context, c industrydata.JobClaim, log *slog.Logger) {
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	if err := r.cfg.Store.ReleaseLease(wctx, c); err != nil {
		log.Warn("giving the lease back on shutdown failed; the job waits for its lease to expire", "err", err)
		return
	}
	log.Info("job interrupted by shutdown; its lease was given back")
}
