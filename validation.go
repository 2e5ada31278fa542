package industrydata

import (
	"context"
	"time"
)

// ValidationOutcome is how a validation of a data connector's files ended,
// for FinishValidation: its operation's final fields and, when the files
// passed, the connector's new validated set, written together.
type ValidationOutcome struct {
	// OperationStatus is succeeded or failed.
	OperationStatus    LongRunningOperationStatus
	StatusDetail       string
	LastActionDateTime time.Time
	// ValidatedFiles, Errors and Warnings are the fileValidateOperation's.
	ValidatedFiles   []string
	Errors, Warnings []PublicError
	// Files, when not nil, become the connector's validated set (a
	// validation without errors); nil leaves the set as it was.
	Files []ValidatedFile
}

// ValidationStore starts and finishes validations (SPEC §11): each is a
// fileValidateOperation followed by a JobValidation of the queue.
type ValidationStore interface {
	// StartValidation, in one transaction: finds the tenant's data
	// connector connectorID (else ErrNotFound), learns whether a
	// validation of it is in progress, calls check with that and, when
	// check returns nil, inserts op (a fileValidateOperation; its ETag and
	// Seq assigned) and queues a JobValidation for it, with a create
	// record in the audit log. check's error is returned unchanged.
	StartValidation(ctx context.Context, tenant TenantID, actor Actor, connectorID string, op *Operation, check func(inProgress bool) error) error
	// FinishValidation, while c holds the job (else ErrLeaseLost), writes
	// out to the operation, makes out.Files the connector's validated set
	// when it is not nil, and takes the job off the queue, in one
	// transaction. An operation the client deleted meanwhile is not
	// recreated; the validated set is still made.
	FinishValidation(ctx context.Context, c JobClaim, out ValidationOutcome) error
}
