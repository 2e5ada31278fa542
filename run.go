package industrydata

import (
	"fmt"
	"time"
)

// IndustryDataRunStatus is microsoft.graph.industryData.industryDataRunStatus.
type IndustryDataRunStatus string

// The values of IndustryDataRunStatus.
const (
	RunRunning               IndustryDataRunStatus = "running"
	RunFailed                IndustryDataRunStatus = "failed"
	RunCompleted             IndustryDataRunStatus = "completed"
	RunCompletedWithErrors   IndustryDataRunStatus = "completedWithErrors"
	RunCompletedWithWarnings IndustryDataRunStatus = "completedWithWarnings"
	RunUnknownFutureValue    IndustryDataRunStatus = "unknownFutureValue"
)

// IndustryDataRunStatuses lists every member in Graph's declaration order.
var IndustryDataRunStatuses = []string{
	string(RunRunning), string(RunFailed), string(RunCompleted),
	string(RunCompletedWithErrors), string(RunCompletedWithWarnings), string(RunUnknownFutureValue),
}

// Codes of a failed run's blockingError: what a tenant's administrator is
// told went wrong.
const (
	// RunErrorInvalidRoster: the roster cannot be read as OneRoster CSV;
	// the error names the file, line and column.
	RunErrorInvalidRoster = "invalidRoster"
	// RunErrorInterrupted: the run's server stopped under it too many
	// times (RunInterruptedError).
	RunErrorInterrupted = "runInterrupted"
	// RunErrorRosterNotFound: an inbound flow's data went while the run
	// read it (the flow was deleted).
	RunErrorRosterNotFound = "rosterNotFound"
	// RunErrorInternal: a fault of the service itself, not of the data.
	RunErrorInternal = "internalServerError"
)

// RunInterruptedError is why a run that was claimed too many times is
// failed rather than resumed again: a roster that brings its server down
// every time must not do so forever.
type RunInterruptedError struct {
	// Attempts is how many times the run was started and interrupted.
	Attempts int
}

func (e RunInterruptedError) Error() string {
	return fmt.Sprintf("The run was interrupted %d times before it could finish (its server stopped while it ran), "+
		"so it was not resumed again; run the process again.", e.Attempts)
}

// PublicError is microsoft.graph.publicError: why a run failed. Details
// and InnerError are published Graph's; the runner sets neither today, and
// they are written as [] and null.
type PublicError struct {
	Code       string
	Message    string
	Target     string
	Details    []PublicErrorDetail
	InnerError *PublicInnerError
}

// PublicErrorDetail is microsoft.graph.publicErrorDetail.
type PublicErrorDetail struct {
	Code    string
	Message string
	Target  string
}

// PublicInnerError is microsoft.graph.publicInnerError.
type PublicInnerError struct {
	Code    string
	Details []PublicErrorDetail
	Message string
	Target  string
}

// Run is microsoft.graph.industryData.industryDataRun: one execution of a process.
type Run struct {
	ID string
	// ETag is the stored version, served only as the ETag header: a run is
	// not a mutableEntity, but it changes once, when it finishes.
	ETag string
	// ProcessID is the process the run executes (the runs navigation of
	// SPEC §2); OperationID the longRunningOperation that tracks it (SPEC §4).
	// Neither is a Graph property.
	ProcessID     string
	OperationID   string
	DisplayName   string
	StartDateTime time.Time
	EndDateTime   *time.Time
	Status        IndustryDataRunStatus
	BlockingError *PublicError
	// Seq is the internal insertion order, the final key of keyset paging.
	Seq int64
}

// RunOutcome is how a run ended, for FinishRun: the run's final fields and
// the operation's, written together.
type RunOutcome struct {
	// Status is the run's final status; running is refused.
	Status        IndustryDataRunStatus
	EndDateTime   time.Time
	BlockingError *PublicError
	// The operation's final status (succeeded or failed, SPEC §4), detail,
	// the resource it produced (a path under the service's root, which
	// each reader sees as an absolute URL), and when it changed.
	OperationStatus    LongRunningOperationStatus
	StatusDetail       *string
	ResourceLocation   *string
	LastActionDateTime time.Time
	// Report, when set, is stored as the run's user report (its ID and
	// ProcessID are the run's), in the same transaction; its ETag is
	// assigned.
	Report *UserReport
}
