package report

import (
	"errors"
	"fmt"
	"time"

	"industrydata"
	"industrydata/roster"
)

// The outcome of a run of a userReportRefreshProcess is decided here, beside
// the builder whose result it judges; the runner only schedules the run and
// stores what these functions say.

// NoRosterDetail is the operation's statusDetail of a run whose tenant had
// no roster: its report is empty.
const NoRosterDetail = "No roster has been uploaded for this tenant, so the user report is empty. " +
	"Upload users.csv and orgs.csv, then run the process again."

// Succeeded is the outcome, at now, of run runID of process processID that
// built its report: completedWithErrors when a user has issues, completed
// otherwise, and completedWithWarnings with an empty report when the
// tenant had no roster (hadRoster false). The operation succeeds either
// way and names the report as its resourceLocation.
func Succeeded(now time.Time, processID, runID string, sum industrydata.UserReportSummary, hadRoster bool) industrydata.RunOutcome {
	status := industrydata.RunCompleted
	detail := fmt.Sprintf("Checked %d of %d users; %d with issues.", sum.TotalUsers, sum.TotalUsers, sum.UsersWithIssues)
	switch {
	case !hadRoster:
		status, detail = industrydata.RunCompletedWithWarnings, NoRosterDetail
	case sum.UsersWithIssues > 0:
		status = industrydata.RunCompletedWithErrors
	}
	location := industrydata.UserReportLocation(processID, runID)
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

// Failed is the outcome, at now, of a run that ended on err: the run
// failed with a blockingError saying why, in words a tenant's administrator
// can act on, and its operation failed. internal reports a fault of the
// service itself, whose details the blockingError does not show: the
// caller logs err in full.
func Failed(now time.Time, err error) (out industrydata.RunOutcome, internal bool) {
	var (
		pe          industrydata.PublicError
		problem     *roster.Problem
		interrupted industrydata.RunInterruptedError
	)
	switch {
	case errors.As(err, &problem):
		pe = industrydata.PublicError{Code: industrydata.RunErrorInvalidRoster, Target: problem.File,
			Message: fmt.Sprintf("%s, line %d, column %d: %s (%s).", problem.File, problem.Line, problem.Column,
				problem.Message, problem.Code)}
	case errors.As(err, &interrupted):
		pe = industrydata.PublicError{Code: industrydata.RunErrorInterrupted, Message: interrupted.Error()}
	case errors.Is(err, industrydata.ErrNotFound):
		pe = industrydata.PublicError{Code: industrydata.RunErrorRosterNotFound,
			Message: "The roster this run was started on is no longer stored; run the process again."}
	default:
		internal = true
		pe = industrydata.PublicError{Code: industrydata.RunErrorInternal,
			Message: "The run failed because of an error in the service; run the process again."}
	}
	detail := "Failed: " + pe.Message
	return industrydata.RunOutcome{
		Status:             industrydata.RunFailed,
		EndDateTime:        now,
		BlockingError:      &pe,
		OperationStatus:    industrydata.OperationFailed,
		StatusDetail:       &detail,
		LastActionDateTime: now,
	}, internal
}
