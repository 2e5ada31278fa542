package industrydata

import "time"

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

// PublicError is microsoft.graph.publicError: why a run failed.
type PublicError struct {
	Code    string
	Message string
	Target  string
}

// Run is microsoft.graph.industryData.industryDataRun: one execution of a process.
type Run struct {
	ID            string
	ETag          string
	ProcessID     string
	DisplayName   string
	StartDateTime time.Time
	EndDateTime   *time.Time
	Status        IndustryDataRunStatus
	BlockingError *PublicError
	Seq           int64
}
