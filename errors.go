package industrydata

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Graph error codes (SPEC §6). httpapi maps each to one HTTP status.
const (
	CodeBadRequest         = "badRequest"
	CodeInvalidRequest     = "invalidRequest"
	CodeUnauthenticated    = "unauthenticated"
	CodeAccessDenied       = "accessDenied"
	CodeItemNotFound       = "itemNotFound"
	CodeMethodNotAllowed   = "methodNotAllowed"
	CodeNotAcceptable      = "notAcceptable"
	CodeConflict           = "conflict"
	CodePreconditionFailed = "preconditionFailed"
	// CodeRequestEntityTooLarge: a request body over the size limit (413).
	CodeRequestEntityTooLarge = "requestEntityTooLarge"
	CodeTooManyRequests       = "tooManyRequests"
	// CodeFailedDependency: a request of a $batch not run because one it
	// depends on failed (424).
	CodeFailedDependency   = "failedDependency"
	CodeGeneralException   = "generalException"
	CodeServiceUnavailable = "serviceNotAvailable"
)

// Error is an error that is safe to show to a caller: a Graph code, a message
// naming what is wrong, and optionally the property at fault.
type Error struct {
	Code    string
	Message string
	Target  string
	Details []ErrorDetail
}

// ErrorDetail is one entry of a Graph error's details array.
type ErrorDetail struct {
	Code    string
	Message string
	Target  string
}

func (e *Error) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Target)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadProperty returns the badRequest error for a property whose value is wrong.
func BadProperty(property, format string, args ...any) *Error {
	return &Error{Code: CodeBadRequest, Message: fmt.Sprintf(format, args...), Target: property}
}

// ErrorCode returns the Graph code of err, or generalException when err is not
// an *Error (an internal failure whose details must not be shown).
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeGeneralException
}

// Sentinel errors stores return; the service turns them into Graph errors
// with messages, so stores never decide what a caller is told.
var (
	// ErrNotFound: no entity with that id in that tenant.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a unique entity (such as a tenant's system process) exists.
	ErrDuplicate = errors.New("duplicate")
	// ErrLeaseLost: the run's lease is no longer the caller's (another
	// runner claimed it, or the run is finished or gone), so the caller
	// must stop working on it.
	ErrLeaseLost = errors.New("run lease lost")
	// ErrUnavailable: the store cannot be reached (its database server
	// restarted, the network to it failed). Nothing of the failed call is
	// known to be written unless the caller checks; the request may be
	// retried once the store is back. The HTTP layer answers 503
	// serviceNotAvailable with Retry-After.
	ErrUnavailable = errors.New("store unavailable")
)

// Shorten cuts client-supplied text quoted in an error message to at most
// max bytes (on a rune boundary), marking the cut with an ellipsis, so a
// message stays readable whatever a client sends.
func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
