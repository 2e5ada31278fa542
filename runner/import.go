package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"industrydata"
	"industrydata/internal/lowprio"
	"industrydata/rostercheck"
)

// An activity of a run imports one inbound flow (SPEC §12): it pins the
// flow's data connector's validated set, checks the files again with the
// codes the tenant accepts now (they may have changed since the files were
// validated) while counting their records, and ends with FinishActivity,
// which makes the files the flow's current data in the same transaction
// when there is no error. An import that fails, or that is interrupted,
// leaves the flow's data as it was.

// Codes of a failed activity's blockingError.
const (
	// importFlowDeleted: the flow was deleted after the run started.
	importFlowDeleted = "flowDeleted"
	// importNoFiles: the flow's connector no longer has validated files.
	importNoFiles = "noValidatedFiles"
	// importInvalid: the files no longer pass the checks.
	importInvalid = "invalidFiles"
	// importFilesGone: the files went while they were read.
	importFilesGone = "filesDiscarded"
)

// importAll executes the activities of acts still in progress, in order,
// and updates acts to their outcomes. An error is a fault of the service
// or ctx's end; a flow that cannot be imported is a failed activity.
func (r *Runner) importAll(ctx context.Context, c industrydata.JobClaim, hb *heartbeat, acts []industrydata.RunActivity, codes industrydata.RosterCodes) error {
	pending := 0
	for _, a := range acts {
		if a.Status == industrydata.ActivityInProgress {
			pending++
		}
	}
	done := 0
	for i := range acts {
		a := &acts[i]
		if a.Status != industrydata.ActivityInProgress {
			continue
		}
		done++
		label := fmt.Sprintf("Importing the inbound flow '%s' (%d of %d)", a.DisplayName, done, pending)
		hb.set(label + ".")
		out, err := r.importFlow(ctx, c, a, codes, func(file string) { hb.set(label + ": reading " + file + ".") })
		if err != nil {
			return err
		}
		if err := r.cfg.Store.FinishActivity(ctx, c, a.ID, out); err != nil {
			return err
		}
		a.Status, a.BlockingError, a.Counts = out.Status, out.BlockingError, out.Counts
	}
	return nil
}

// importFlow imports activity a's flow and returns how it ended; reading
// is told each file as the check opens it.
func (r *Runner) importFlow(ctx context.Context, c industrydata.JobClaim, a *industrydata.RunActivity, codes industrydata.RosterCodes, reading func(file string)) (industrydata.ActivityOutcome, error) {
	flow, err := r.cfg.Store.GetResource(ctx, c.Tenant, "inboundFlows", a.FlowID)
	if errors.Is(err, industrydata.ErrNotFound) {
		return failedActivity(importFlowDeleted, "The inbound flow was deleted after the run started, so it was not imported.", nil), nil
	}
	if err != nil {
		return industrydata.ActivityOutcome{}, err
	}
	files, err := r.cfg.Store.BeginImport(ctx, c, a.ID, a.FlowID, refOf(flow, "dataConnector"))
	if err != nil {
		return industrydata.ActivityOutcome{}, err
	}
	if len(files) == 0 {
		return failedActivity(importNoFiles, "The flow's data connector has no validated files any more "+
			"(its upload session was reset or it was deleted); upload and validate the files again.", nil), nil
	}
	byName := make(map[string]industrydata.ValidatedFile, len(files))
	for _, f := range files {
		byName[f.Name] = f
	}
	open := func(name string) (io.ReadCloser, error) {
		f, ok := byName[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		reading(name)
		return r.cfg.Store.OpenContent(ctx, c.Tenant, f.ContentID)
	}
	var res *rostercheck.Result
	defer tightenGC()()
	lowprio.Run(func() {
		res, err = rostercheck.Validate(ctx, open, rostercheck.Options{Roles: codes.Roles, OrgTypes: codes.OrgTypes, GradeLevels: codes.GradeLevels})
	})
	if errors.Is(err, industrydata.ErrNotFound) {
		return failedActivity(importFilesGone, "The flow's files were discarded while they were read; start the run again.", nil), nil
	}
	if err != nil {
		return industrydata.ActivityOutcome{}, err
	}
	counts := res.InboundCounts()
	if !res.Valid() {
		first := res.Errors[0]
		return failedActivity(importInvalid, fmt.Sprintf(
			"The flow's files no longer pass the checks (%s), so they were not imported; the first error: %s, line %d, column %d: %s (%s).",
			res.Summary(), first.File, first.Line, first.Column, first.Message, first.Code), &counts), nil
	}
	status := industrydata.ActivityCompleted
	if res.WarningCount > 0 {
		status = industrydata.ActivityCompletedWithWarnings
	}
	return industrydata.ActivityOutcome{Status: status, Counts: &counts, Imported: true}, nil
}

func failedActivity(code, message string, counts *industrydata.InboundCounts) industrydata.ActivityOutcome {
	return industrydata.ActivityOutcome{Status: industrydata.ActivityFailed, Counts: counts,
		BlockingError: &industrydata.PublicError{Code: code, Message: message}}
}

// refOf is the id a resource's navigation property refers to, "" for none.
func refOf(res industrydata.Resource, property string) string {
	for _, ref := range res.Refs {
		if ref.Property == property {
			return ref.ID
		}
	}
	return ""
}

// failPending fails the activities of a failed run that it did not get to
// finish, with the run's error, so that none stays inProgress.
func (r *Runner) failPending(ctx context.Context, c industrydata.JobClaim, why *industrydata.PublicError, log *slog.Logger) {
	acts, err := r.cfg.Store.ListActivities(ctx, c.Tenant, c.ID, industrydata.ListQuery{})
	if err != nil {
		log.Warn("listing the activities of a failed run failed", "err", err)
		return
	}
	for _, a := range acts {
		if a.Status != industrydata.ActivityInProgress {
			continue
		}
		out := industrydata.ActivityOutcome{Status: industrydata.ActivityFailed, BlockingError: why}
		if err := r.cfg.Store.FinishActivity(ctx, c, a.ID, out); err != nil {
			log.Warn("failing an activity of a failed run failed", "activity", a.ID, "err", err)
		}
	}
}
