package industrydata

import (
	"context"
	"encoding/json"
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
	// Seq assigned) and queues a JobValidation for it with payload (the
	// claim's Payload), with a create record in the audit log. check's
	// error is returned unchanged.
	StartValidation(ctx context.Context, tenant TenantID, actor Actor, connectorID string, op *Operation, payload []byte, check func(inProgress bool) error) error
	// FinishValidation, while c holds the job (else ErrLeaseLost), writes
	// out to the operation, makes out.Files the connector's validated set
	// when it is not nil, and takes the job off the queue, in one
	// transaction. An operation the client deleted meanwhile is not
	// recreated; the validated set is still made.
	FinishValidation(ctx context.Context, c JobClaim, out ValidationOutcome) error
}

// ValidationInput is what a validation reads, fixed when it is started
// (the JobValidation's payload): the files its upload session held then,
// by content (so later uploads do not change what it sees), and the
// tenant's enabled codes its enum checks accept.
type ValidationInput struct {
	Files []ValidatedFile `json:"files"`
	RosterCodes
	// TraceParent is the W3C traceparent of the request that started
	// the validation, which its job's span continues; "" for none.
	TraceParent string `json:"traceparent,omitempty"`
}

// RosterCodes are the codes a tenant accepts in a roster's enumerated
// columns: its enabled roles, org types and grade levels, sorted.
type RosterCodes struct {
	Roles       []string `json:"roles"`
	OrgTypes    []string `json:"orgTypes"`
	GradeLevels []string `json:"gradeLevels"`
}

// RunInput is what a run reads, fixed when it is started (the JobRun's
// payload): the codes its imports check the flows' files against.
type RunInput struct {
	RosterCodes
	// TraceParent is the W3C traceparent of the request that started
	// the run, which its job's span continues; "" for none.
	TraceParent string `json:"traceparent,omitempty"`
}

// Encode is the input as a job's payload.
func (in RunInput) Encode() []byte {
	b, _ := json.Marshal(in) // strings and slices of them: never fails
	return b
}

// DecodeRunInput reads a JobRun's payload; an empty one (a run queued
// before runs had one) is the zero input.
func DecodeRunInput(payload []byte) (RunInput, error) {
	var in RunInput
	if len(payload) == 0 {
		return in, nil
	}
	err := json.Unmarshal(payload, &in)
	return in, err
}

// Encode is the input as a job's payload.
func (in ValidationInput) Encode() []byte {
	b, _ := json.Marshal(in) // strings and slices of them: never fails
	return b
}

// DecodeValidationInput reads a JobValidation's payload.
func DecodeValidationInput(payload []byte) (ValidationInput, error) {
	var in ValidationInput
	err := json.Unmarshal(payload, &in)
	return in, err
}
