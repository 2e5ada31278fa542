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
	"industrydata/metrics"
	"industrydata/report"
)

// finishTimeout bounds the writes a run makes after its context ended:
// finishing it, or giving its lease back on shutdown.
const finishTimeout = 10 * time.Second

// errLeaseLost is the cause of a run's cancellation when its lease was
// taken over: another runner now executes it, so this one writes nothing.
var errLeaseLost = errors.New("the run's lease was lost")

// execute carries one claimed run to its end: it resumes an orphan,
// imports the run's inbound flows one activity at a time, builds the user
// report when the run has a process, while a heartbeat renews the lease
// and reports progress, and finishes the run and its operation together.
// On shutdown it gives the lease back instead. It returns the status the
// run ended with on this runner.
func (r *Runner) execute(ctx context.Context, c industrydata.JobClaim) string {
	log := r.jobLog(ctx, c, "run", c.ID)
	if c.Attempt > 1 {
		log.Warn("resuming a run whose runner stopped")
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hb := newHeartbeat(r, c, cancel, log)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		hb.run(runCtx)
	}()

	out, err := r.produce(runCtx, c, hb)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(context.Cause(runCtx), errLeaseLost) || errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("run abandoned: its lease was taken over by another runner")
		return metrics.JobAbandoned
	case ctx.Err() != nil:
		r.giveBack(ctx, c, log)
		return metrics.JobGivenBack
	}
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	if err != nil {
		var internal bool
		if out, internal = report.Failed(r.cfg.Now(), err); internal {
			log.Error("run failed", "err", err)
		}
		// A failed run has no report: drop the entries it stored; and the
		// activities it did not get to fail with it.
		if rerr := r.cfg.Store.ResetReportEntries(wctx, c); rerr != nil {
			log.Warn("dropping the entries of a failed run failed", "err", rerr)
		}
		r.failPending(wctx, c, out.BlockingError, log)
	}
	if err := r.cfg.Store.FinishRun(wctx, c, out); err != nil {
		log.Error("finishing the run failed; it will be resumed when its lease expires", "err", err)
		return metrics.JobUnfinished
	}
	log.Info("run finished", "status", out.Status)
	return string(out.Status)
}

// produce does the run's work: the imports of its activities still in
// progress (those an earlier attempt finished stay as they ended), then
// the report when the run has a process. An error means the run failed
// (or was stopped: the caller looks at ctx).
func (r *Runner) produce(ctx context.Context, c industrydata.JobClaim, hb *heartbeat) (industrydata.RunOutcome, error) {
	if c.Attempt > r.cfg.MaxAttempts {
		return industrydata.RunOutcome{}, industrydata.RunInterruptedError{Attempts: c.Attempt - 1}
	}
	if err := r.cfg.Store.UpdateJobProgress(ctx, c, "Started.", r.cfg.Now()); err != nil {
		return industrydata.RunOutcome{}, err
	}
	if c.Attempt > 1 {
		if err := r.cfg.Store.ResetReportEntries(ctx, c); err != nil {
			return industrydata.RunOutcome{}, err
		}
	}
	in, err := industrydata.DecodeRunInput(c.Payload)
	if err != nil {
		return industrydata.RunOutcome{}, fmt.Errorf("run input: %w", err)
	}
	acts, err := r.cfg.Store.ListActivities(ctx, c.Tenant, c.ID, industrydata.ListQuery{})
	if err != nil {
		return industrydata.RunOutcome{}, err
	}
	if err := r.importAll(ctx, c, hb, acts, in.RosterCodes); err != nil {
		return industrydata.RunOutcome{}, err
	}
	var built *report.Built
	if c.ProcessID != "" {
		hb.set("Building the user report.")
		b := report.Built{ProcessID: c.ProcessID}
		if b.Summary, b.HadRoster, err = r.build(ctx, c, hb); err != nil {
			return industrydata.RunOutcome{}, err
		}
		built = &b
	}
	return report.Finished(r.cfg.Now(), c.ID, acts, built), nil
}

// build builds the user report of the tenant's roster, the current data of
// its inbound flows, storing its entries as they come, and returns its
// summary; hadRoster is false when no flow has data.
func (r *Runner) build(ctx context.Context, c industrydata.JobClaim, hb *heartbeat) (sum industrydata.UserReportSummary, hadRoster bool, err error) {
	data, err := r.cfg.Store.FlowData(ctx, c.Tenant)
	if err != nil || len(data) == 0 {
		return sum, false, err
	}
	sources := make([]report.Source, len(data))
	for i, d := range data {
		sources[i] = report.Source{FlowID: d.FlowID,
			OpenOrgs:  r.opener(ctx, c.Tenant, d.Files, industrydata.RosterOrgs),
			OpenUsers: r.opener(ctx, c.Tenant, d.Files, industrydata.RosterUsers)}
	}
	w := newEntryWriter(ctx, r.cfg.Store, c, r.cfg.BatchSize)
	b := report.Builder{Progress: hb.progress, ProgressEvery: r.cfg.ProgressEvery}
	// The build is the server's one long computation: below requests.
	lowprio.Run(func() { sum, err = b.Build(w.ctx, sources, w) })
	if werr := w.close(err == nil); werr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		// The writer failed and cancelled the build: its error says why.
		err = werr
	}
	return sum, true, err
}

// opener opens the file name of files, a flow's data, for each pass of a
// build.
func (r *Runner) opener(ctx context.Context, tenant industrydata.TenantID, files []industrydata.ValidatedFile, name string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		for _, f := range files {
			if f.Name == name {
				return r.cfg.Store.OpenContent(ctx, tenant, f.ContentID)
			}
		}
		return nil, fmt.Errorf("%s: %w", name, industrydata.ErrNotFound)
	}
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
