package httpapi

import (
	"context"
	"net/http"

	"industrydata"
	"industrydata/service"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyClientRequestID
	keyPrincipal
	keyLogInfo
	keyBatch
	keyExchange
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

// tenant is the service as the request's caller sees it: the verified
// caller's tenant, provisioned on its first request, with every write
// audited under the caller and the request's id.
func (a *api) tenant(r *http.Request) (*service.Tenant, error) {
	p := principal(r)
	return a.Service.Tenant(r.Context(), p.Tenant,
		industrydata.Actor{Principal: p.Subject, App: p.App, RequestID: requestID(r)})
}

// logInfo collects what the access log line reports but only inner handlers
// learn (the tenant, the principal, the route pattern).
type logInfo struct {
	tenant industrydata.TenantID
	// principal is the caller's object id (Principal.Subject).
	principal string
	// route is the ServeMux pattern the request matched, "" for none.
	route string
	// chaos is the fault --chaos simulated for the request, if any.
	chaos string
}

func withValue(r *http.Request, key ctxKey, v any) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), key, v))
}
