package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"industrydata"
	"industrydata/roster"
)

// The outcome of a run of a userReportRefreshProcess is decided here, beside
// the builder whose result it judges; the runner only schedules the run and
// stores what these functions say.

// NoRosterDetail is what the operation's statusDetail says of the report of
// a tenant that had no roster: no inbound flow had imported data.
const NoRosterDetail = "No roster has been uploaded for this tenant (no inbound flow has imported data), so the user report is empty. " +
	"Upload users.csv and orgs.csv to an inbound flow's data connector, validate them, then start a run with POST runs/start."

// Built is the user report a run built: the run's process, its summary,
// and whether the tenant had a roster at all.
type Built struct {
	ProcessID string
	Summary   industrydata.UserReportSummary
	HadRoster bool
}

// Finished is the outcome, at now, of run runID that ended its activities
// as acts and, when report is set, built that user report. Its status is
// the worst of what it did (completed, then completedWithWarnings, then
// completedWithErrors): a skipped flow or a flow imported with warnings
// warns, a failed import or a user with issues is an error, and a report
// of no roster warns. The operation succeeds either way; its statusDetail
// sums the run up and its resourceLocation is the report, or the run
// itself when it built none.
func Finished(now time.Time, runID string, acts []industrydata.RunActivity, report *Built) industrydata.RunOutcome {
	status := industrydata.RunCompleted
	worsen := func(s industrydata.IndustryDataRunStatus) {
		if severity[s] > severity[status] {
			status = s
		}
	}
	var parts []string
	if len(acts) > 0 {
		n := map[industrydata.ActivityStatus]int{}
		for _, a := range acts {
			n[a.Status]++
			switch a.Status {
			case industrydata.ActivitySkipped, industrydata.ActivityCompletedWithWarnings:
				worsen(industrydata.RunCompletedWithWarnings)
			case industrydata.ActivityFailed, industrydata.ActivityCompletedWithErrors:
				worsen(industrydata.RunCompletedWithErrors)
			}
		}
		imported := n[industrydata.ActivityCompleted] + n[industrydata.ActivityCompletedWithWarnings] + n[industrydata.ActivityCompletedWithErrors]
		parts = append(parts, fmt.Sprintf("Imported %d of %d inbound flows (%d skipped, %d failed).",
			imported, len(acts), n[industrydata.ActivitySkipped], n[industrydata.ActivityFailed]))
	}
	location := industrydata.RunLocation(runID)
	var stored *industrydata.UserReport
	if report != nil {
		switch {
		case !report.HadRoster:
			worsen(industrydata.RunCompletedWithWarnings)
			parts = append(parts, NoRosterDetail)
		default:
			if report.Summary.UsersWithIssues > 0 {
				worsen(industrydata.RunCompletedWithErrors)
			}
			parts = append(parts, fmt.Sprintf("Checked %d of %d users; %d with issues.",
				report.Summary.TotalUsers, report.Summary.TotalUsers, report.Summary.UsersWithIssues))
		}
		location = industrydata.UserReportLocation(report.ProcessID, runID)
		stored = &industrydata.UserReport{CreatedDateTime: now, Summary: report.Summary}
	}
	detail := strings.Join(parts, " ")
	return industrydata.RunOutcome{
		Status:             status,
		EndDateTime:        now,
		OperationStatus:    industrydata.OperationSucceeded,
		StatusDetail:       &detail,
		ResourceLocation:   &location,
		LastActionDateTime: now,
		Report:             stored,
	}
}

// severity orders the statuses of a run that completed.
var severity = map[industrydata.IndustryDataRunStatus]int{
	industrydata.RunCompleted:             0,
	industrydata.RunCompletedWithWarnings: 1,
	industrydata.RunCompletedWithErrors:   2,
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
			Message: "An inbound flow's data was deleted while the run read it; start the run again."}
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
