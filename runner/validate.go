package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"industrydata"
	"industrydata/internal/lowprio"
	"industrydata/metrics"
	"industrydata/rostercheck"
)

// A JobValidation: the files its input names, read from the store by
// content (what was uploaded after the validation started does not
// count), judged by rostercheck, and the outcome written with the job's
// end: the operation's findings and, when there is no error, the
// connector's new validated set (SPEC §11).

// validationLowerAfter is how long a validation runs at the usual priority
// before its thread's is lowered. Validating 10,000 users takes 20-40 ms,
// and took up to half as long again at nice 10 on a machine busy with
// other processes; at a million users, the GETs meanwhile are what counts.
const validationLowerAfter = 100 * time.Millisecond

// Codes of a validation that could not judge the files.
const (
	// validationFilesGone: the upload session was reset (or the files
	// otherwise discarded) while they were being read.
	validationFilesGone = "filesDiscarded"
	// validationInterrupted: its server stopped under it too many times.
	validationInterrupted = "validationInterrupted"
)

func (r *Runner) validate(ctx context.Context, c industrydata.JobClaim) string {
	log := r.jobLog(ctx, c, "validation", c.ID, "connector", c.ConnectorID)
	if c.Attempt > 1 {
		log.Warn("resuming a validation whose worker stopped")
	}
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hb := newHeartbeat(r, c, cancel, log)
	in, inErr := industrydata.DecodeValidationInput(c.Payload)
	if inErr == nil && c.Attempt <= r.cfg.MaxAttempts {
		// The heartbeat writes it as it starts, while the check does: the
		// operation goes running without the check waiting for a commit.
		hb.set(fmt.Sprintf("Validating %d files.", len(in.Files)))
	}
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		hb.run(jobCtx)
	}()
	out, err := r.judge(jobCtx, c, in, inErr, hb)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(context.Cause(jobCtx), errLeaseLost) || errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("validation abandoned: its lease was taken over by another worker")
		return metrics.JobAbandoned
	case ctx.Err() != nil:
		r.giveBack(ctx, c, log)
		return metrics.JobGivenBack
	case err != nil:
		log.Error("validation failed", "err", err)
		out = failedValidation(r.cfg.Now(), industrydata.RunErrorInternal, "The validation could not be completed because of an internal error; validate again.")
	}
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	if err := r.cfg.Store.FinishValidation(wctx, c, out); err != nil {
		log.Error("finishing the validation failed; it will be resumed when its lease expires", "err", err)
		return metrics.JobUnfinished
	}
	log.Info("validation finished", "status", out.OperationStatus, "detail", out.StatusDetail)
	return string(out.OperationStatus)
}

// judge reads and judges the files of in, the job's input (inErr when its
// payload did not decode). Its error is a fault of the service (or ctx's
// end); what is wrong with the files is in the outcome.
func (r *Runner) judge(ctx context.Context, c industrydata.JobClaim, in industrydata.ValidationInput, inErr error, hb *heartbeat) (industrydata.ValidationOutcome, error) {
	defer tightenGC()()
	if c.Attempt > r.cfg.MaxAttempts {
		return failedValidation(r.cfg.Now(), validationInterrupted, fmt.Sprintf(
			"The validation was interrupted %d times before it could finish (its server stopped while it ran); validate again.", c.Attempt-1)), nil
	}
	if inErr != nil {
		return industrydata.ValidationOutcome{}, fmt.Errorf("validation input: %w", inErr)
	}
	files := map[string]industrydata.ValidatedFile{}
	for _, f := range in.Files {
		files[f.Name] = f
	}
	open := func(name string) (io.ReadCloser, error) {
		f, ok := files[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		hb.set(fmt.Sprintf("Validating %s.", name))
		return r.cfg.Store.OpenContent(ctx, c.Tenant, f.ContentID)
	}
	var (
		res *rostercheck.Result
		err error
	)
	// Like a run's build, a long validation runs below the requests
	// (package lowprio), so that a GET during it waits for a core no
	// longer than when the server is idle; a short one (a roster of
	// thousands of users) ends first.
	lowprio.RunAfter(validationLowerAfter, func() {
		res, err = rostercheck.Validate(ctx, open, rostercheck.Options{Roles: in.Roles, OrgTypes: in.OrgTypes, GradeLevels: in.GradeLevels})
	})
	if errors.Is(err, industrydata.ErrNotFound) {
		return failedValidation(r.cfg.Now(), validationFilesGone,
			"The uploaded files were discarded (the upload session was reset or expired) while they were validated; upload them again."), nil
	}
	if err != nil {
		return industrydata.ValidationOutcome{}, err
	}
	out := industrydata.ValidationOutcome{
		OperationStatus:    industrydata.OperationFailed,
		StatusDetail:       res.Summary(),
		LastActionDateTime: r.cfg.Now(),
		Errors:             publicErrors(res.Errors),
		Warnings:           publicErrors(res.Warnings),
	}
	for _, f := range in.Files {
		out.ValidatedFiles = append(out.ValidatedFiles, f.Name)
	}
	slices.Sort(out.ValidatedFiles)
	if res.Valid() {
		out.OperationStatus, out.Files = industrydata.OperationSucceeded, in.Files
	}
	return out, nil
}

// failedValidation is the outcome of a validation that could not judge.
func failedValidation(now time.Time, code, message string) industrydata.ValidationOutcome {
	return industrydata.ValidationOutcome{OperationStatus: industrydata.OperationFailed, StatusDetail: message,
		LastActionDateTime: now, Errors: []industrydata.PublicError{{Code: code, Message: message}}}
}

// publicErrors are problems as the operation shows them: the target names
// the file, line and column (file:line:column; a 0 is the whole file or
// row).
func publicErrors(ps []rostercheck.Problem) []industrydata.PublicError {
	out := make([]industrydata.PublicError, len(ps))
	for i, p := range ps {
		out[i] = industrydata.PublicError{Code: p.Code, Message: p.Message, Target: fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)}
	}
	return out
}
