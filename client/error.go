package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Error is an error answer of the service: an HTTP status and Graph's
// envelope, {"error":{"code","message","target","innerError":{…}}}. Every
// method returns it (wrapped or not) for a non-success answer, so
// errors.As(err, &e) with e a *Error finds it.
type Error struct {
	// StatusCode is the HTTP status, e.g. 404.
	StatusCode int
	// Code is Graph's error code (itemNotFound, badRequest, …); for an
	// answer without the envelope (a proxy's), the status text.
	Code    string
	Message string
	// Target names the property, member or query option at fault, when
	// the service named one.
	Target string
	// RequestID is the service's id of the request (its request-id
	// header, which its logs and audit log carry); ClientRequestID the id
	// the client sent (client-request-id), echoed back.
	RequestID       string
	ClientRequestID string
	// Date is innerError.date: when the service answered (UTC).
	Date string
	// RetryAfter is the wait the service asked for (Retry-After), when
	// it did: on 429 and some 503s.
	RetryAfter time.Duration
	// Method and URL are the request's.
	Method, URL string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Target != "" {
		b.WriteString(" (target " + e.Target + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + "]")
	}
	return b.String()
}

// maxErrorBody bounds how much of an error answer is read: the envelope is
// small, and a proxy's HTML page need not be read whole.
const maxErrorBody = 64 << 10

// errorOf reads resp, a non-success answer, into an *Error, and closes its
// body.
func errorOf(resp *http.Response, now time.Time) *Error {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{
		StatusCode:      resp.StatusCode,
		RequestID:       resp.Header.Get("request-id"),
		ClientRequestID: resp.Header.Get("client-request-id"),
		RetryAfter:      retryAfter(resp.Header.Get("Retry-After"), now),
		Method:          resp.Request.Method,
		URL:             resp.Request.URL.String(),
	}
	var env struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			Target     string `json:"target"`
			InnerError struct {
				Date            string `json:"date"`
				RequestID       string `json:"request-id"`
				ClientRequestID string `json:"client-request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
		e.Code, e.Message, e.Target = env.Error.Code, env.Error.Message, env.Error.Target
		e.Date = env.Error.InnerError.Date
		if e.RequestID == "" {
			e.RequestID = env.Error.InnerError.RequestID
		}
		if e.ClientRequestID == "" {
			e.ClientRequestID = env.Error.InnerError.ClientRequestID
		}
		return e
	}
	e.Code = http.StatusText(resp.StatusCode)
	if e.Code == "" {
		e.Code = fmt.Sprintf("status %d", resp.StatusCode)
	}
	if msg := strings.TrimSpace(string(data)); msg != "" && len(msg) <= 200 {
		e.Message = msg
	}
	return e
}
