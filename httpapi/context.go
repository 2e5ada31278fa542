package httpapi

import (
	"context"
	"net/http"

	"industrydata"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyClientRequestID
	keyPrincipal
	keyLogInfo
)

func requestID(r *http.Request) string {
	s, _ := r.Context().Value(keyRequestID).(string)
	return s
}

func clientRequestID(r *http.Request) string {
	if s, _ := r.Context().Value(keyClientRequestID).(string); s != "" {
		return s
	}
	return requestID(r)
}

// principal returns the verified caller; the auth middleware put it there.
func principal(r *http.Request) industrydata.Principal {
	p, _ := r.Context().Value(keyPrincipal).(industrydata.Principal)
	return p
}

// logInfo collects what the access log line reports but only inner handlers
// learn (the tenant).
type logInfo struct {
	tenant industrydata.TenantID
}

func withValue(r *http.Request, key ctxKey, v any) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), key, v))
}
