package industrydata

import (
	"context"
	"time"
)

// Filter is a checked $filter syntax tree. Package odata builds it and
// stores translate it (store/internal/sqlq); the root keeps only this marker
// so that it imports nothing.
type Filter interface {
	IsFilter()
}

// OrderKey is one sort key: a property name of the entity type, and its
// direction. Nulls sort first ascending and last descending, as in OData.
type OrderKey struct {
	Property string
	Desc     bool
}

// Cursor is a keyset position: the values of the sort keys of the last
// entity of a page (string, time.Time, bool, int64 or nil, in OrderBy order)
// and its Seq, the final tiebreaker.
type Cursor struct {
	Values []any
	Seq    int64
}

// ListQuery selects one page of a collection: the entities matching Filter
// and Type, sorted by OrderBy and then by insertion order (Seq, in the
// direction of the first key, ascending when there is none), after the
// keyset position After, skipping Offset of them, at most Limit.
type ListQuery struct {
	Filter  Filter     // nil matches all
	OrderBy []OrderKey // empty: insertion order
	After   *Cursor    // nil: from the start
	Offset  int
	Limit   int // 0: no limit
	// Type, when set, keeps only entities of this full type name.
	Type string
	// ProcessID, when set, keeps only the runs of this process; only
	// ListRuns and CountRuns accept it.
	ProcessID string
}

// OperationStore keeps long-running operations. Every method takes the tenant
// explicitly; an id of another tenant is ErrNotFound, exactly like a missing one.
// Every write takes the Actor its audit records name (AuditStore).
type OperationStore interface {
	// CreateOperation inserts op, assigning op.ETag and op.Seq.
	CreateOperation(ctx context.Context, tenant TenantID, actor Actor, op *Operation) error
	GetOperation(ctx context.Context, tenant TenantID, id string) (Operation, error)
	ListOperations(ctx context.Context, tenant TenantID, q ListQuery) ([]Operation, error)
	// CountOperations counts the operations matching q.Filter and q.Type,
	// ignoring paging.
	CountOperations(ctx context.Context, tenant TenantID, q ListQuery) (int64, error)
	// UpdateOperation loads the operation, calls apply on it and, when apply
	// returns nil, stores the result with a new ETag, all in one transaction.
	// When apply fails nothing changes and its error is returned as it is.
	UpdateOperation(ctx context.Context, tenant TenantID, actor Actor, id string, apply func(*Operation) error) (Operation, error)
	// DeleteOperation loads the operation, calls check on it and deletes it
	// when check returns nil, in one transaction.
	DeleteOperation(ctx context.Context, tenant TenantID, actor Actor, id string, check func(Operation) error) error
}

// ProcessStore keeps industryData processes.
type ProcessStore interface {
	// CreateProcess inserts p, assigning p.ETag and p.Seq. A second process
	// of a system type in one tenant is ErrDuplicate.
	CreateProcess(ctx context.Context, tenant TenantID, actor Actor, p *Process) error
	GetProcess(ctx context.Context, tenant TenantID, id string) (Process, error)
	ListProcesses(ctx context.Context, tenant TenantID, q ListQuery) ([]Process, error)
	// CountProcesses counts the processes matching q.Filter and q.Type.
	CountProcesses(ctx context.Context, tenant TenantID, q ListQuery) (int64, error)
	UpdateProcess(ctx context.Context, tenant TenantID, actor Actor, id string, apply func(*Process) error) (Process, error)
	// DeleteProcess loads the process, learns whether it has a run in
	// progress, calls check with both and, when check returns nil, deletes
	// the process and all its runs (their operations stay), in one
	// transaction. check may be nil.
	DeleteProcess(ctx context.Context, tenant TenantID, actor Actor, id string, check func(p Process, runInProgress bool) error) error
}

// RunStore keeps runs. A run in progress is a job of the queue (JobStore),
// which executes it. The methods taking a tenant see only that tenant's
// runs; FinishRun, which a worker holding the run's job calls, works
// across tenants.
type RunStore interface {
	// StartRun, in one transaction: loads the tenant's process
	// run.ProcessID (else ErrNotFound; "" is a run of no process, whose
	// check gets nil), learns whether the tenant has a run in progress,
	// calls check with both and, when check returns nil, inserts run
	// (status running), its activities, in the order given, and op,
	// linked to each other, and queues a JobRun for the run with payload
	// (the claim's Payload). check may
	// adjust run and op (name the run after the process); they are
	// inserted as it leaves them, with OperationID, ETags and Seqs
	// assigned, activities' RunID and Seq set, and timestamps normalized.
	// check's error is returned unchanged; a second run in progress in the
	// tenant, or an existing id, is ErrDuplicate. Nothing is written unless
	// everything is.
	StartRun(ctx context.Context, tenant TenantID, actor Actor, run *Run, op *Operation, activities []RunActivity, payload []byte, check func(p *Process, inProgress bool) error) error
	GetRun(ctx context.Context, tenant TenantID, id string) (Run, error)
	// ListRuns returns the page of the tenant's runs q selects (of one
	// process when q.ProcessID is set).
	ListRuns(ctx context.Context, tenant TenantID, q ListQuery) ([]Run, error)
	// CountRuns counts the runs matching q.Filter and q.ProcessID.
	CountRuns(ctx context.Context, tenant TenantID, q ListQuery) (int64, error)
	// RecentRuns returns, for each of processIDs that has runs, its newest
	// runs (startDateTime, then insertion, descending), at most perProcess
	// of them: $expand=runs over a page of processes in one query.
	RecentRuns(ctx context.Context, tenant TenantID, processIDs []string, perProcess int) (map[string][]Run, error)

	// FinishRun, while c holds the run (else ErrLeaseLost), writes its
	// outcome to the run and its operation in one transaction and frees the
	// lease. An operation the client deleted meanwhile is not recreated.
	FinishRun(ctx context.Context, c JobClaim, out RunOutcome) error
}

// JobStore is the queue of jobs in progress (JobKind): runs, validations.
// Its methods work across tenants, since one worker serves them all. A job
// is queued by the write that starts it (RunStore.StartRun) and leaves the
// queue with the write that finishes it (RunStore.FinishRun).
type JobStore interface {
	// ClaimJob leases to owner, until now+ttl, one job in progress of any
	// tenant, of one of kinds (any kind when none is given), whose lease
	// is free or expired at now, and counts the attempt. Jobs never
	// claimed come first, then the longest-expired. false means there was
	// none. Two claims never get the same lease.
	ClaimJob(ctx context.Context, owner string, now time.Time, ttl time.Duration, kinds ...JobKind) (JobClaim, bool, error)
	// RenewLease extends the claim's lease to now+ttl and returns the claim
	// with its new expiry. ErrLeaseLost when the claim no longer holds the
	// job (another claim took it after it expired, or it is finished or
	// gone). An expired lease nobody has claimed since is still held.
	RenewLease(ctx context.Context, c JobClaim, now time.Time, ttl time.Duration) (JobClaim, error)
	// UpdateJobProgress sets the job's operation to running, with
	// statusDetail and lastActionDateTime now, while c holds the job (else
	// ErrLeaseLost).
	UpdateJobProgress(ctx context.Context, c JobClaim, statusDetail string, now time.Time) error
	// ReleaseLease gives the job back, still in progress, for any worker
	// to claim at once (a worker shutting down). ErrLeaseLost when c no
	// longer holds it.
	ReleaseLease(ctx context.Context, c JobClaim) error
}

// UserReportStore keeps the user reports runs produce (SPEC §10). A runner
// appends a run's entries while it holds the run's lease; the report itself
// (its summary) is stored by FinishRun, so a report is visible whole or not
// at all.
type UserReportStore interface {
	// AppendReportEntries stores entries, in order, after those already
	// stored for c's run, while c holds the run (else ErrLeaseLost). The
	// entries' Seq must continue the stored ones without gaps (1, 2, …).
	AppendReportEntries(ctx context.Context, c JobClaim, entries []UserReportEntry) error
	// ResetReportEntries deletes the entries stored for c's run, so that a
	// resumed run starts its report again; while c holds the run.
	ResetReportEntries(ctx context.Context, c JobClaim) error
	// GetUserReport returns the report of the tenant's run id, or
	// ErrNotFound when there is no such run or it has no report (yet).
	GetUserReport(ctx context.Context, tenant TenantID, runID string) (UserReport, error)
	// ListReportEntries returns the page of the report's entries q selects
	// (users.csv order unless q.OrderBy says otherwise); ErrNotFound when
	// the tenant's run has no report.
	ListReportEntries(ctx context.Context, tenant TenantID, runID string, q ListQuery) ([]UserReportEntry, error)
	// CountReportEntries counts the report's entries matching q.Filter.
	CountReportEntries(ctx context.Context, tenant TenantID, runID string, q ListQuery) (int64, error)
}

// ReportPinStore pins reports against the cleanup: a pinned run and its
// report stay until the pin expires or is removed, so that a download that
// reads the report a page at a time never loses it midway.
type ReportPinStore interface {
	// PinReport pins the tenant's run runID until now+ttl and returns the
	// pin's id; ErrNotFound when there is no such run.
	PinReport(ctx context.Context, tenant TenantID, runID string, now time.Time, ttl time.Duration) (int64, error)
	// RenewReportPin moves the tenant's pin to expire at now+ttl;
	// ErrNotFound when the pin is gone (removed, or expired and dropped by
	// the cleanup).
	RenewReportPin(ctx context.Context, tenant TenantID, pin int64, now time.Time, ttl time.Duration) error
	// UnpinReport removes the tenant's pin; removing one that is gone is
	// no error.
	UnpinReport(ctx context.Context, tenant TenantID, pin int64) error
}

// TenantStore records which tenants have been provisioned.
type TenantStore interface {
	// ProvisionTenant, the first time it is called for a tenant, records the
	// tenant and inserts the given processes in the same transaction, and
	// returns true. Later calls change nothing and return false, so a process
	// the tenant deleted is not provisioned again.
	ProvisionTenant(ctx context.Context, tenant TenantID, actor Actor, processes []Process) (bool, error)
}

// Store is everything the service keeps. The SQLite and PostgreSQL stores
// implement it and pass the same conformance suite (store/storetest).
type Store interface {
	OperationStore
	ProcessStore
	RunStore
	JobStore
	ValidationStore
	FlowStore
	UserReportStore
	ReportPinStore
	TenantStore
	ResourceStore
	UploadStore
	AuditStore
	CleanupStore
	// Ping reports whether the store is reachable and migrated.
	Ping(ctx context.Context) error
	Close() error
}
