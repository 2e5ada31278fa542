package client

import (
	"encoding/json"
	"strconv"
	"strings"

	"industrydata"
)

// Entity is what every entity carries: its type and its id. Structs of
// entity types embed it.
type Entity struct {
	// ODataType is @odata.type, "#" and the type's full name. It picks
	// the concrete type on create; left empty, Create fills in the set's.
	ODataType string `json:"@odata.type,omitempty"`
	ID        string `json:"id,omitempty"`
	// Version is the entity's ETag header (with its quotes, as If-Match
	// takes it) when it came alone: from Get, Create and Update, not from
	// a collection, which carries none.
	Version string `json:"-"`
}

func (e *Entity) setVersion(v string) { e.Version = v }

// versioned is every entity struct, through its Entity.
type versioned interface{ setVersion(string) }

// The enumerations are the service's own types (their JSON is the member
// name), so a value read here compares with the root package's constants.
type (
	// OperationStatus is microsoft.graph.longRunningOperationStatus.
	OperationStatus = industrydata.LongRunningOperationStatus
	// ReadinessStatus is microsoft.graph.industryData.readinessStatus.
	ReadinessStatus = industrydata.ReadinessStatus
	// RunStatus is microsoft.graph.industryData.industryDataRunStatus.
	RunStatus = industrydata.IndustryDataRunStatus
	// ActivityStatus is microsoft.graph.industryData.industryDataActivityStatus.
	ActivityStatus = industrydata.ActivityStatus
)

// Members of the enumerations used most.
const (
	OperationNotStarted = industrydata.OperationNotStarted
	OperationRunning    = industrydata.OperationRunning
	OperationSucceeded  = industrydata.OperationSucceeded
	OperationFailed     = industrydata.OperationFailed

	ReadinessNotReady = industrydata.ReadinessNotReady
	ReadinessReady    = industrydata.ReadinessReady
)

// PublicError is microsoft.graph.publicError: why a run or an activity
// failed, or one problem a validation found.
type PublicError struct {
	Code       string              `json:"code"`
	Message    string              `json:"message"`
	Target     string              `json:"target"`
	Details    []PublicErrorDetail `json:"details,omitempty"`
	InnerError *PublicInnerError   `json:"innerError,omitempty"`
}

// PublicErrorDetail is microsoft.graph.publicErrorDetail.
type PublicErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target"`
}

// PublicInnerError is microsoft.graph.publicInnerError.
type PublicInnerError struct {
	Code    string              `json:"code"`
	Details []PublicErrorDetail `json:"details,omitempty"`
	Message string              `json:"message"`
	Target  string              `json:"target"`
}

// Place reads a validation problem's Target, "file:line:column"
// (users.csv:3:13): ok is false for any other target.
func (e PublicError) Place() (file string, line, column int, ok bool) {
	i := strings.LastIndexByte(e.Target, ':')
	if i < 0 {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(e.Target[:i], ':')
	if j <= 0 {
		return "", 0, 0, false
	}
	l, err1 := strconv.Atoi(e.Target[j+1 : i])
	c, err2 := strconv.Atoi(e.Target[i+1:])
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return e.Target[:j], l, c, true
}

// Optional is a property of a PATCH that may be left out (the zero
// value), set to a value (Some) or set to null (Null). Structs of updates
// tag such fields `json:",omitzero"`.
type Optional[T any] struct {
	v         T
	set, null bool
}

// Some is an Optional set to v.
func Some[T any](v T) Optional[T] { return Optional[T]{v: v, set: true} }

// Null is an Optional set to null.
func Null[T any]() Optional[T] { return Optional[T]{null: true} }

// IsZero reports whether o is left out (omitzero asks).
func (o Optional[T]) IsZero() bool { return !o.set && !o.null }

// MarshalJSON writes the value, or null.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if !o.set {
		return []byte("null"), nil
	}
	return json.Marshal(o.v)
}

// Ptr returns a pointer to v: for the nullable properties of entities.
func Ptr[T any](v T) *T { return &v }
