package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"industrydata"
	"industrydata/chaos"
)

// Fault simulation (serve --chaos): a share of the API's requests is
// answered 429 or 503 with Retry-After, or answered late, before anything
// else looks at them — as Dev Proxy does in front of Graph, so that a
// client's retries can be tested here. It sits inside withRequest, so each
// such answer has its request-id and an access line that names the fault,
// and in front of the router, so the requests of a batch, which go through
// the same handler, get faults too. /healthz, /readyz and the upload
// containers never do: probes must tell the truth, and uploads speak Azure's
// protocol to other clients.

// chaos wraps next in a.Chaos; nil is no fault.
func (a *api) chaos(next http.Handler) http.Handler {
	if a.Chaos == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := belowVersion(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		f, hit := a.Chaos.Decide(path)
		if !hit {
			next.ServeHTTP(w, r)
			return
		}
		if info, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
			info.chaos = f.String()
		}
		switch f.Kind {
		case chaos.Latency:
			if err := a.sleep(r.Context(), f.Wait); err != nil {
				return // the client is gone
			}
			next.ServeHTTP(w, r)
		case chaos.TooManyRequests:
			w.Header().Set("Retry-After", f.RetryAfter())
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeTooManyRequests,
				"Too many requests; retry after %s seconds. (A fault simulated by --chaos.)", f.RetryAfter()))
		case chaos.Unavailable:
			w.Header().Set("Retry-After", f.RetryAfter())
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeServiceUnavailable,
				"The service is unavailable; retry after %s seconds. (A fault simulated by --chaos.)", f.RetryAfter()))
		}
	})
}

// belowVersion is the path of an API request below its version prefix, as
// --chaos patterns are written: /industryData/runs for /beta/industryData/runs
// and /beta/external/industryData/runs alike. ok is false outside /beta.
func belowVersion(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/beta")
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	if r, ok := strings.CutPrefix(rest, "/external"); ok && strings.HasPrefix(r, "/industryData") {
		rest = r
	}
	return rest, true
}

// sleep waits d or until ctx ends: Config.Sleep, else a timer.
func (a *api) sleep(ctx context.Context, d time.Duration) error {
	if a.Sleep != nil {
		return a.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
