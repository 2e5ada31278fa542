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
	"industrydata/roster"
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
func (r *Runner) execute(ctx context.Context, c industrydata.RunClaim) {
	log := r.log.With("tenant", c.Tenant, "run", c.RunID, "attempt", c.Attempt)
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

	out, err := r.produce(runCtx, c, hb)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(context.Cause(runCtx), errLeaseLost) || errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("run abandoned: its lease was taken over by another runner")
		return
	case ctx.Err() != nil:
		// Shutdown: the run stays in progress; the next runner resumes it.
		wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer stop()
		if err := r.cfg.Store.ReleaseLease(wctx, c); err != nil {
			log.Warn("giving the lease back on shutdown failed; the run waits for its lease to expire", "err", err)
			return
		}
		log.Info("run interrupted by shutdown; its lease was given back")
		return
	}
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	if err != nil {
		out = r.failed(c, err, log)
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

// produce does the run's work and returns its outcome: the report built
// from the roster the run pinned, or an empty one when the tenant had none.
// An error means the run failed (or was stopped: the caller looks at ctx).
func (r *Runner) produce(ctx context.Context, c industrydata.RunClaim, hb *heartbeat) (industrydata.RunOutcome, error) {
	if c.Attempt > r.cfg.MaxAttempts {
		return industrydata.RunOutcome{}, errTooManyAttempts{attempts: c.Attempt - 1}
	}
	if err := r.cfg.Store.UpdateRunProgress(ctx, c, "Started: reading the roster.", r.cfg.Now()); err != nil {
		return industrydata.RunOutcome{}, err
	}
	if c.Attempt > 1 {
		if err := r.cfg.Store.ResetReportEntries(ctx, c); err != nil {
			return industrydata.RunOutcome{}, err
		}
	}
	if c.RosterID == "" {
		return r.succeeded(c, industrydata.RunCompletedWithWarnings, industrydata.UserReportSummary{},
			"No roster has been uploaded for this tenant, so the user report is empty. "+
				"Upload users.csv and orgs.csv, then run the process again."), nil
	}
	sum, err := r.build(ctx, c, hb)
	if err != nil {
		return industrydata.RunOutcome{}, err
	}
	status := industrydata.RunCompleted
	if sum.UsersWithIssues > 0 {
		status = industrydata.RunCompletedWithErrors
	}
	return r.succeeded(c, status, sum, fmt.Sprintf("Checked %d of %d users; %d with issues.",
		sum.TotalUsers, sum.TotalUsers, sum.UsersWithIssues)), nil
}

// build builds the user report of the run's roster, storing its entries as
// they come, and returns its summary.
func (r *Runner) build(ctx context.Context, c industrydata.RunClaim, hb *heartbeat) (industrydata.UserReportSummary, error) {
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

// succeeded is the outcome of a run that produced its report.
func (r *Runner) succeeded(c industrydata.RunClaim, status industrydata.IndustryDataRunStatus, sum industrydata.UserReportSummary, detail string) industrydata.RunOutcome {
	now := r.cfg.Now()
	location := r.cfg.ReportURL(c.Tenant, c.ProcessID, c.RunID)
	return industrydata.RunOutcome{
		Status:             status,
		EndDateTime:        now,
		OperationStatus:    industrydata.OperationSucceeded,
		StatusDetail:       &detail,
		ResourceLocation:   &location,
		LastActionDateTime: now,
		Report:             &industrydata.UserReport{CreatedDateTime: now, Summary: sum},
	}
}

// failed is the outcome of a run that ended on err: the run failed with a
// blockingError saying why, in words a tenant's administrator can act on.
// Faults of the service itself are logged in full and reported in general.
func (r *Runner) failed(c industrydata.RunClaim, err error, log *slog.Logger) industrydata.RunOutcome {
	var (
		pe      industrydata.PublicError
		problem *roster.Problem
		tooMany errTooManyAttempts
	)
	switch {
	case errors.As(err, &problem):
		pe = industrydata.PublicError{Code: "invalidRoster", Target: problem.File,
			Message: fmt.Sprintf("%s, line %d, column %d: %s (%s).", problem.File, problem.Line, problem.Column,
				problem.Message, problem.Code)}
	case errors.As(err, &tooMany):
		pe = industrydata.PublicError{Code: "runInterrupted", Message: tooMany.Error()}
	case errors.Is(err, industrydata.ErrNotFound):
		pe = industrydata.PublicError{Code: "rosterNotFound",
			Message: "The roster this run was started on is no longer stored; run the process again."}
	default:
		log.Error("run failed", "err", err)
		pe = industrydata.PublicError{Code: "internalServerError",
			Message: "The run failed because of an error in the service; run the process again."}
	}
	now := r.cfg.Now()
	detail := "Failed: " + pe.Message
	return industrydata.RunOutcome{
		Status:             industrydata.RunFailed,
		EndDateTime:        now,
		BlockingError:      &pe,
		OperationStatus:    industrydata.OperationFailed,
		StatusDetail:       &detail,
		LastActionDateTime: now,
	}
}

// errTooManyAttempts fails a run that was interrupted MaxAttempts times.
type errTooManyAttempts struct{ attempts int }

func (e errTooManyAttempts) Error() string {
	return fmt.Sprintf("The run was interrupted %d times before it could finish (its server stopped while it ran), "+
		"so it was not resumed again; run the process again.", e.attempts)
}
