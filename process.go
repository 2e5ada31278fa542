package industrydata

import "time"

// ReadinessStatus is microsoft.graph.industryData.readinessStatus.
type ReadinessStatus string

// The values of ReadinessStatus: seed 000's list, plus disabled, which
// published Graph later put where deleted stands (SPEC §2). Each is stored and
// returned as it was sent.
const (
	ReadinessNotReady           ReadinessStatus = "notReady"
	ReadinessReady              ReadinessStatus = "ready"
	ReadinessFailed             ReadinessStatus = "failed"
	ReadinessDeleted            ReadinessStatus = "deleted"
	ReadinessExpired            ReadinessStatus = "expired"
	ReadinessUnknownFutureValue ReadinessStatus = "unknownFutureValue"
	ReadinessDisabled           ReadinessStatus = "disabled"
)

// ReadinessStatuses lists every accepted member; disabled comes after
// unknownFutureValue, as an evolvable-enum member does in Graph.
var ReadinessStatuses = []string{
	string(ReadinessNotReady), string(ReadinessReady), string(ReadinessFailed),
	string(ReadinessDeleted), string(ReadinessExpired), string(ReadinessUnknownFutureValue),
	string(ReadinessDisabled),
}

// TypeUserReportRefreshProcess is the full name of the system process
// every tenant is provisioned with.
const TypeUserReportRefreshProcess = "microsoft.graph.industryData.userReportRefreshProcess"

// Process is microsoft.graph.industryData.process and its derived types; Type
// says which concrete type it is.
type Process struct {
	ID              string
	Type            string
	ETag            string
	DisplayName     string
	ReadinessStatus ReadinessStatus
	// CreatedAt is internal: it orders collections and is not a Graph property.
	CreatedAt time.Time
	// Seq is the internal insertion order that keyset paging follows.
	Seq int64
}

// IsSystemProcessType reports whether a tenant may hold only one process of
// the given type.
func IsSystemProcessType(typeName string) bool {
	return typeName == TypeUserReportRefreshProcess
}

// DefaultUserReportRefreshProcessName is the displayName of the process a
// tenant is provisioned with.
const DefaultUserReportRefreshProcessName = "User report refresh"
