package industrydata

import (
	"context"
	"time"
)

// ActivityStatus is microsoft.graph.industryData.industryDataActivityStatus:
// where one activity of a run stands.
type ActivityStatus string

// The values of ActivityStatus.
const (
	// ActivityInProgress: the run has not finished the activity yet (it is
	// being executed, or waits for the ones before it).
	ActivityInProgress            ActivityStatus = "inProgress"
	ActivitySkipped               ActivityStatus = "skipped"
	ActivityFailed                ActivityStatus = "failed"
	ActivityCompleted             ActivityStatus = "completed"
	ActivityCompletedWithErrors   ActivityStatus = "completedWithErrors"
	ActivityCompletedWithWarnings ActivityStatus = "completedWithWarnings"
	ActivityUnknownFutureValue    ActivityStatus = "unknownFutureValue"
)

// ActivityStatuses lists every member in Graph's declaration order.
var ActivityStatuses = []string{
	string(ActivityInProgress), string(ActivitySkipped), string(ActivityFailed), string(ActivityCompleted),
	string(ActivityCompletedWithErrors), string(ActivityCompletedWithWarnings), string(ActivityUnknownFutureValue),
}

// EntityCounts is microsoft.graph.industryData.industryDataRunEntityCountMetric:
// how many records of one kind an import read, and how many of them are
// active (SPEC §12: a user with enabledUser true whose status is not
// tobedeleted; any other record whose status is not tobedeleted).
type EntityCounts struct {
	Active, Inactive, Total int
}

// InboundCounts is what an inbound flow's import counted: the figures of
// microsoft.graph.industryData.inboundActivityResults. People are the rows
// of users.csv, Organizations of orgs.csv, Groups of classes.csv and
// Memberships of enrollments.csv; Errors and Warnings the problems the
// import's checks found.
type InboundCounts struct {
	People, Organizations, Groups, Memberships EntityCounts
	Errors, Warnings                           int
}

// RunActivity is microsoft.graph.industryData.inboundFlowActivity: what one
// run did with one inbound flow of its tenant (SPEC §12).
type RunActivity struct {
	ID string
	// RunID is the run the activity belongs to; FlowID the inbound flow
	// it executes (its activity navigation). Neither is a Graph property.
	RunID  string
	FlowID string
	// DisplayName is the flow's, when the run started.
	DisplayName string
	Status      ActivityStatus
	// BlockingError says why the activity failed, or why it was skipped.
	BlockingError *PublicError
	// Counts is set once an import has counted the flow's files: on a
	// completed activity, and on one that failed after counting.
	Counts *InboundCounts
	// Seq is the activity's position in its run: the order it is executed
	// in and the key of keyset paging.
	Seq int64
}

// ActivityOutcome is how an activity ended, for FlowStore.FinishActivity.
type ActivityOutcome struct {
	// Status is the activity's final status; inProgress is refused.
	Status        ActivityStatus
	BlockingError *PublicError
	Counts        *InboundCounts
	// Imported makes the files BeginImport pinned the flow's current data,
	// in place of the data before; false drops them and leaves the flow's
	// current data as it was.
	Imported bool
}

// FlowData is an inbound flow's current data: the files its last
// successful import read, kept until another import replaces them or the
// flow is deleted.
type FlowData struct {
	FlowID string
	// RunID is the run whose import made the data current; Imported when
	// that import finished.
	RunID    string
	Imported time.Time
	Files    []ValidatedFile
	Counts   InboundCounts
}

// FlowStore keeps the activities of runs and the current data of inbound
// flows (SPEC §12). A run's activities are inserted with it (StartRun); a
// worker holding the run's job executes those in progress one by one, each
// ending with FinishActivity.
//
// A tenant's roster, which the user report reads, is the current data of
// all its flows. Only a run changes it, and a tenant has one run in
// progress at most, so a run reads a roster nothing changes under it.
type FlowStore interface {
	// GetActivity returns activity id of the tenant's run runID;
	// ErrNotFound when either is missing.
	GetActivity(ctx context.Context, tenant TenantID, runID, id string) (RunActivity, error)
	// ListActivities returns the page of the run's activities q selects
	// (in their Seq order unless q.OrderBy says otherwise); ErrNotFound
	// when the tenant has no run runID.
	ListActivities(ctx context.Context, tenant TenantID, runID string, q ListQuery) ([]RunActivity, error)
	// CountActivities counts the run's activities matching q.Filter.
	CountActivities(ctx context.Context, tenant TenantID, runID string, q ListQuery) (int64, error)

	// BeginImport, while c holds the run (else ErrLeaseLost), pins the
	// validated set of data connector connectorID as the files activity
	// imports for flow flowID, and returns them (none when the connector
	// has no validated set). Pinned files stay readable whatever becomes
	// of the validated set, until FinishActivity. Files an earlier attempt
	// of the same activity pinned are replaced.
	BeginImport(ctx context.Context, c JobClaim, activityID, flowID, connectorID string) ([]ValidatedFile, error)
	// FinishActivity, while c holds the run (else ErrLeaseLost), writes the
	// activity's outcome and, in the same transaction, makes the files
	// BeginImport pinned the flow's current data (out.Imported, with
	// out.Counts) or drops them. Contents nothing holds any more go.
	FinishActivity(ctx context.Context, c JobClaim, activityID string, out ActivityOutcome) error
	// FlowData returns the current data of each of the tenant's inbound
	// flows that has some, in the flows' creation order. Deleting a flow
	// deletes its data.
	FlowData(ctx context.Context, tenant TenantID) ([]FlowData, error)
}

// RunStatistics is microsoft.graph.industryData.industryDataRunStatistics:
// what a run's activities counted (SPEC §12).
type RunStatistics struct {
	RunID  string
	Status IndustryDataRunStatus
	// Activities has one entry per activity of the run, in its order.
	Activities []ActivityStatistics
	Totals     InboundTotals
}

// ActivityStatistics is microsoft.graph.industryData.inboundActivityResults:
// one activity's figures.
type ActivityStatistics struct {
	ActivityID  string
	DisplayName string
	Status      ActivityStatus
	// Counts is nil for an activity that counted nothing (skipped, not
	// yet executed, or failed before counting): its figures are null.
	Counts *InboundCounts
}

// InboundTotals is microsoft.graph.industryData.aggregatedInboundStatistics:
// as published, the active records over all the run's activities, and the
// errors and warnings in total.
type InboundTotals struct {
	People, Organizations, Groups, Memberships int
	Errors, Warnings                           int
}
