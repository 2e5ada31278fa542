package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"industrydata"
	"industrydata/schema"
)

// statusOf maps Graph error codes to HTTP statuses: the one table of it.
var statusOf = map[string]int{
	industrydata.CodeBadRequest:            http.StatusBadRequest,
	industrydata.CodeInvalidRequest:        http.StatusBadRequest,
	industrydata.CodeUnauthenticated:       http.StatusUnauthorized,
	industrydata.CodeAccessDenied:          http.StatusForbidden,
	industrydata.CodeItemNotFound:          http.StatusNotFound,
	industrydata.CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	industrydata.CodeNotAcceptable:         http.StatusNotAcceptable,
	industrydata.CodeConflict:              http.StatusConflict,
	industrydata.CodePreconditionFailed:    http.StatusPreconditionFailed,
	industrydata.CodeRequestEntityTooLarge: http.StatusRequestEntityTooLarge,
	industrydata.CodeTooManyRequests:       http.StatusTooManyRequests,
	industrydata.CodeFailedDependency:      http.StatusFailedDependency,
	industrydata.CodeGeneralException:      http.StatusInternalServerError,
	industrydata.CodeServiceUnavailable:    http.StatusServiceUnavailable,
}

// internalError is what a caller sees of a failure we did not expect; the
// cause goes to the log with the request-id, never to the client.
var internalError = &industrydata.Error{
	Code:    industrydata.CodeGeneralException,
	Message: "An internal error occurred. Quote the request-id when reporting it.",
}

// unavailableError is what a caller sees when the store cannot be reached
// (industrydata.ErrUnavailable): 503, with Retry-After.
var unavailableError = &industrydata.Error{
	Code:    industrydata.CodeServiceUnavailable,
	Message: "The service cannot reach its database right now. Retry the request after the time Retry-After gives.",
}

// RetryAfterUnavailable is the Retry-After, in seconds, of a 503 answered
// while the store is unreachable: about the time a database server takes to
// restart or fail over.
const RetryAfterUnavailable = 2

// writeError answers with the Graph error envelope (SPEC §6) for err.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *industrydata.Error
	if !errors.As(err, &e) && errors.Is(err, industrydata.ErrUnavailable) {
		log.WarnContext(r.Context(), "store unavailable", "request_id", requestID(r), "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterUnavailable))
		e = unavailableError
	}
	if e == nil {
		if r.Context().Err() != nil {
			// The client went away; nothing useful can be sent.
			log.DebugContext(r.Context(), "request cancelled", "request_id", requestID(r), "err", err)
		} else {
			log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r), "err", err)
		}
		e = internalError
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	buf := appendErrorBody(make([]byte, 0, 256), r, e)
	writeJSON(w, status, buf)
}

// appendErrorBody writes {"error":{code, message, target?, details?, innerError}}.
func appendErrorBody(dst []byte, r *http.Request, e *industrydata.Error) []byte {
	dst = append(dst, `{"error":{"code":`...)
	dst = schema.AppendString(dst, e.Code)
	dst = append(dst, `,"message":`...)
	dst = schema.AppendString(dst, e.Message)
	if e.Target != "" {
		dst = append(dst, `,"target":`...)
		dst = schema.AppendString(dst, e.Target)
	}
	if len(e.Details) > 0 {
		dst = append(dst, `,"details":[`...)
		for i, d := range e.Details {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"code":`...)
			dst = schema.AppendString(dst, d.Code)
			dst = append(dst, `,"message":`...)
			dst = schema.AppendString(dst, d.Message)
			if d.Target != "" {
				dst = append(dst, `,"target":`...)
				dst = schema.AppendString(dst, d.Target)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	// innerError.date is UTC without zone or fraction, as Graph sends it.
	dst = append(dst, `,"innerError":{"date":`...)
	dst = schema.AppendString(dst, time.Now().UTC().Format("2006-01-02T15:04:05"))
	dst = append(dst, `,"request-id":`...)
	dst = schema.AppendString(dst, requestID(r))
	dst = append(dst, `,"client-request-id":`...)
	dst = schema.AppendString(dst, clientRequestID(r))
	return append(dst, "}}}"...)
}

// Content types. The part before ';' must be exactly application/json: the
// official JS client compares it case-sensitively (SPEC §6).
const contentTypeJSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// writeJSON sends a JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
