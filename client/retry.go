package client

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryable reports whether an answer of status to a request of method
// (with header h) may be sent again: the policy of the package
// documentation.
func retryable(method string, h http.Header, status int) bool {
	switch status {
	case http.StatusTooManyRequests:
		// Throttled before anything was done: safe for every method.
		return true
	case http.StatusServiceUnavailable:
		switch method {
		case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
			return true
		}
		// A conditional write that went through cannot apply twice: its
		// repeat fails the precondition.
		return h.Get("If-Match") != ""
	}
	return false
}

// retryAfter reads a Retry-After header: whole seconds, or an HTTP date
// (then the wait until it, by now). 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		// Cap before multiplying: a huge value must not overflow into a
		// short wait.
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// backoff is the wait before attempt (2, 3, …) when the service named
// none: base, doubling each time.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 2; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return d
}
