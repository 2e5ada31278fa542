package industrydata

import "time"

// LongRunningOperationStatus is microsoft.graph.longRunningOperationStatus.
type LongRunningOperationStatus string

// The values of LongRunningOperationStatus, as seed 003 lists them.
const (
	OperationNotStarted         LongRunningOperationStatus = "notStarted"
	OperationRunning            LongRunningOperationStatus = "running"
	OperationSucceeded          LongRunningOperationStatus = "succeeded"
	OperationFailed             LongRunningOperationStatus = "failed"
	OperationUnknownFutureValue LongRunningOperationStatus = "unknownFutureValue"
)

// LongRunningOperationStatuses lists every member in declaration order.
var LongRunningOperationStatuses = []string{
	string(OperationNotStarted), string(OperationRunning), string(OperationSucceeded),
	string(OperationFailed), string(OperationUnknownFutureValue),
}

// TypeFileValidateOperation is the full name of the operation a
// validation of a data connector's files creates.
const TypeFileValidateOperation = "microsoft.graph.industryData.fileValidateOperation"

// Operation is microsoft.graph.longRunningOperation: the record of some
// asynchronous work.
type Operation struct {
	ID                 string
	Type               string // full type name; longRunningOperation or a derived type
	ETag               string // version token; served only as the ETag header
	CreatedDateTime    time.Time
	LastActionDateTime *time.Time
	Status             LongRunningOperationStatus
	StatusDetail       *string
	ResourceLocation   *string
	// ValidatedFiles, Errors and Warnings are a fileValidateOperation's
	// (SPEC §11): the files a validation read and what it found. Other
	// operations have none.
	ValidatedFiles   []string
	Errors, Warnings []PublicError
	// Seq is the internal insertion order that keyset paging follows.
	Seq int64
}
