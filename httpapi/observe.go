package httpapi

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"industrydata/blob"
	"industrydata/internal/statuswriter"
)

// observe is the outermost layer of the API listener, uploads included:
// each request's span, which continues the caller's trace when it sent a
// valid traceparent and begins one otherwise, and is returned in the
// response's traceparent; and each request's metrics. The requests inside
// a $batch are inside their batch's span and counted as the batch.
func (a *api) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer a.Metrics.Start()()
		ctx, span := a.Tracing.StartRequest(r.Context(), r.Method, r.Header)
		defer span.End()
		a.Tracing.Inject(ctx, w.Header())
		// One allocation for what observe keeps of the request.
		x := &exchange{w: statuswriter.Writer{ResponseWriter: w}}
		r = r.WithContext(context.WithValue(ctx, keyExchange, x))
		var body *countingBody
		if r.Body != nil && r.Body != http.NoBody {
			x.body.ReadCloser = r.Body
			body, r.Body = &x.body, &x.body
		}
		sw := &x.w
		if serveAborting(next, sw, r) {
			// Counted, the response is cut off as the handler asked.
			defer panic(http.ErrAbortHandler)
		}

		status := sw.Status
		if status == 0 {
			status = http.StatusOK // net/http's answer to a handler that wrote nothing
		}
		route := x.route
		if a.Blob != nil && strings.HasPrefix(r.URL.Path, blob.Prefix) {
			route = blobRoute(r)
		}
		if span.IsRecording() {
			if route != "" {
				span.SetName(route)
				span.SetAttributes(attribute.String("http.route", route))
			}
			span.SetAttributes(attribute.Int("http.response.status_code", status))
			if status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(status))
			}
		}
		a.Metrics.Served(route, r.Method, status, time.Since(start), body.count(), sw.Bytes)
	})
}

// serveAborting serves r with next and reports whether next aborted the
// response with http.ErrAbortHandler, which it recovers so that the caller
// can count the request before it aborts in turn.
func serveAborting(next http.Handler, w http.ResponseWriter, r *http.Request) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	next.ServeHTTP(w, r)
	return false
}

// exchange is what observe keeps of a request: the response's writer, the
// body's count, and the route pattern it matched ("" when none did), which
// the inner layers set.
type exchange struct {
	w     statuswriter.Writer
	body  countingBody
	route string
}

// consoleRoute is the route label of the web console's page and files.
const consoleRoute = "GET /{console}"

// blobRoute is the route label of a request to the upload containers: the
// method and whether it names a container or a blob in one.
func blobRoute(r *http.Request) string {
	rest := strings.TrimPrefix(r.URL.Path, blob.Prefix)
	if strings.Contains(rest, "/") {
		return r.Method + " " + blob.Prefix + "{container}/{blob}"
	}
	return r.Method + " " + blob.Prefix + "{container}"
}

// countingBody counts the bytes of a request body read.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// count is the bytes read, 0 for a request without a body.
func (b *countingBody) count() int64 {
	if b == nil {
		return 0
	}
	return b.n
}
