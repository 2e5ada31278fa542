package throttle

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// RejectFunc answers a request refused by the limiter. Middleware has already
// set the Retry-After header; the function writes the status (429) and body.
type RejectFunc func(w http.ResponseWriter, r *http.Request, retryAfter time.Duration)

// Middleware returns a middleware that takes one token from the bucket of the
// request's tenant before calling the next handler, and calls reject instead
// when the bucket is empty.
//
// tenantOf names the request's tenant; it reports false for a request with no
// known tenant (unauthenticated), which passes through untouched, since
// authentication answers it. Place the middleware after authentication.
// reject may be nil for a bare Graph-style 429. When l is nil or off, the
// middleware returns the next handler itself.
func Middleware(l *Limiter, tenantOf func(*http.Request) (string, bool), reject RejectFunc) func(http.Handler) http.Handler {
	if !l.Enabled() {
		return func(next http.Handler) http.Handler { return next }
	}
	if tenantOf == nil {
		panic("throttle.Middleware: nil tenantOf")
	}
	if reject == nil {
		reject = rejectPlain
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tenant, ok := tenantOf(r)
			if !ok || tenant == "" {
				next.ServeHTTP(w, r)
				return
			}
			if allowed, wait := l.Allow(tenant); !allowed {
				w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds(wait)))
				reject(w, r, wait)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RetryAfterSeconds is d as Retry-After sends it: whole seconds, rounded up,
// at least one.
func RetryAfterSeconds(d time.Duration) int {
	secs := math.Ceil(d.Seconds())
	switch {
	case secs < 1:
		return 1
	case secs > math.MaxInt32:
		return math.MaxInt32
	}
	return int(secs)
}

// rejectPlain is the reject of a caller that supplies none: Graph's error
// shape, without the request-ids an API layer would add.
func rejectPlain(w http.ResponseWriter, _ *http.Request, retryAfter time.Duration) {
	body := `{"error":{"code":"tooManyRequests","message":"Too many requests for this tenant; retry after ` +
		strconv.Itoa(RetryAfterSeconds(retryAfter)) + ` seconds."}}`
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(body))
}
