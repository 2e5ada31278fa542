package industrydata

import "time"

// JobKind is what a job of the queue does. Runs and validations are jobs
// of one queue (JobStore): a worker claims whichever is next, holds it
// under a lease it renews, and a job whose worker died is claimed again
// once its lease expires.
type JobKind string

// The kinds of jobs.
const (
	// JobRun executes a run of a process (RunStore.StartRun queues it).
	JobRun JobKind = "run"
	// JobValidation validates what a data connector's upload session holds.
	JobValidation JobKind = "validation"
	// JobCleanup deletes what the retention lets go (CleanupStore). It is
	// no tenant's: its Tenant is "" and its ID CleanupJobID, so that one
	// at most is queued or running.
	JobCleanup JobKind = "cleanup"
)

// JobClaim is a worker's lease on a job in progress, from
// JobStore.ClaimJob. Owner and Attempt together fence the lease: once
// another claim has taken the job (Attempt moved on), every write made
// with this claim is ErrLeaseLost.
type JobClaim struct {
	Kind   JobKind
	Tenant TenantID
	// ID is the job's own id: the run's for JobRun, the operation's for
	// JobValidation.
	ID string
	// ProcessID is the process a JobRun executes after its activities; ""
	// for a run of activities only.
	ProcessID string
	// ConnectorID is the data connector a JobValidation validates.
	ConnectorID string
	// OperationID is the longRunningOperation that follows the job.
	OperationID string
	Owner       string
	// Attempt counts the claims of the job, this one included: 1 for the
	// first execution, more when a job is resumed after its worker died.
	Attempt int
	// Expires is when the lease ends unless renewed.
	Expires time.Time
	// Payload is what the job was queued with (a JobValidation's files
	// and codes), as its starter encoded it.
	Payload []byte
}
