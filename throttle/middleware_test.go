package throttle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"industrydata/throttle"
)

// tenantHeader stands in for the verified principal httpapi would read.
func tenantHeader(r *http.Request) (string, bool) {
	t := r.Header.Get("X-Test-Tenant")
	return t, t != ""
}

func okHandler(calls *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
}

func serve(h http.Handler, tenant string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/beta/industryData", nil)
	if tenant != "" {
		r.Header.Set("X-Test-Tenant", tenant)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddleware(t *testing.T) {
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: 0.5, Burst: 2, Now: clock.Now})
	var calls atomic.Int64
	var rejected []time.Duration
	reject := func(w http.ResponseWriter, r *http.Request, retryAfter time.Duration) {
		rejected = append(rejected, retryAfter)
		w.WriteHeader(http.StatusTooManyRequests)
	}
	h := throttle.Middleware(l, tenantHeader, reject)(okHandler(&calls))

	tests := []struct {
		name       string
		tenant     string
		advance    time.Duration
		wantStatus int
		wantRetry  string
	}{
		{"first of the burst", "a", 0, http.StatusNoContent, ""},
		{"second of the burst", "a", 0, http.StatusNoContent, ""},
		{"over the burst", "a", 0, http.StatusTooManyRequests, "2"},
		{"another tenant is unaffected", "b", 0, http.StatusNoContent, ""},
		{"no tenant passes through", "", 0, http.StatusNoContent, ""},
		{"still refused a second later", "a", time.Second, http.StatusTooManyRequests, "1"},
		{"allowed after waiting as told", "a", time.Second, http.StatusNoContent, ""},
	}
	wantCalls := int64(0)
	for _, tt := range tests {
		clock.Advance(tt.advance)
		w := serve(h, tt.tenant)
		if w.Code != tt.wantStatus || w.Header().Get("Retry-After") != tt.wantRetry {
			t.Errorf("%s: status %d Retry-After %q, want %d %q", tt.name, w.Code, w.Header().Get("Retry-After"), tt.wantStatus, tt.wantRetry)
		}
		if tt.wantStatus != http.StatusTooManyRequests {
			wantCalls++
		}
		if got := calls.Load(); got != wantCalls {
			t.Errorf("%s: next handler called %d times, want %d", tt.name, got, wantCalls)
		}
	}
	if len(rejected) != 2 || rejected[0] != 2*time.Second || rejected[1] != time.Second {
		t.Errorf("reject saw Retry-After %v, want [2s 1s]", rejected)
	}
	// Requests with no tenant neither count nor get refused.
	for range 100 {
		if w := serve(h, ""); w.Code != http.StatusNoContent {
			t.Fatalf("untenanted request: status %d", w.Code)
		}
	}
	if l.Len() != 2 {
		t.Errorf("Len() = %d, want 2 (a and b only)", l.Len())
	}
}

func TestMiddlewareDefaultReject(t *testing.T) {
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: 1.0 / 30, Burst: 1, Now: clock.Now})
	var calls atomic.Int64
	h := throttle.Middleware(l, tenantHeader, nil)(okHandler(&calls))
	serve(h, "a")
	w := serve(h, "a")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", w.Code)
	}
	if got := w.Header().Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After %q, want 30", got)
	}
	if got := w.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	if body.Error.Code != "tooManyRequests" || body.Error.Message == "" {
		t.Errorf("error %+v, want code tooManyRequests and a message", body.Error)
	}
}

func TestMiddlewareOff(t *testing.T) {
	var calls atomic.Int64
	next := okHandler(&calls)
	for name, l := range map[string]*throttle.Limiter{"nil": nil, "zero rate": mustNew(t, throttle.Config{})} {
		// Off, the middleware adds nothing, not even a tenantOf call.
		h := throttle.Middleware(l, nil, nil)(next)
		for range 1000 {
			if w := serve(h, "a"); w.Code != http.StatusNoContent {
				t.Fatalf("%s: status %d", name, w.Code)
			}
		}
	}
	if calls.Load() != 2000 {
		t.Errorf("next called %d times, want 2000", calls.Load())
	}
}

// TestGrantedOverOneSecond drives the middleware with several concurrent
// clients per tenant for one simulated second in steps of a millisecond, far
// more often than the rate allows, and counts exactly what got through. A
// token bucket grants its burst at once and then one request each 1/rate
// seconds: over [0, 1s], both ends included, burst + rate*1s per tenant.
func TestGrantedOverOneSecond(t *testing.T) {
	const (
		rate      = 50
		burst     = 10
		tenants   = 3
		perTenant = 4 // clients of each tenant, one request each per step
		step      = time.Millisecond
		steps     = 1000 // t = 0, 1ms, ... 1s: 1001 rounds
	)
	const (
		wantGranted = burst + rate // 60 per tenant
		wantSent    = (steps + 1) * perTenant
		wantRefused = wantSent - wantGranted
	)
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: rate, Burst: burst, Now: clock.Now})
	var passed atomic.Int64
	h := throttle.Middleware(l, tenantHeader, nil)(okHandler(&passed))

	type tally struct{ granted, refused, badRetry atomic.Int64 }
	counts := make([]tally, tenants)
	for i := 0; i <= steps; i++ {
		if i > 0 {
			clock.Advance(step)
		}
		// The clock stands still while the clients of a round race for
		// the tokens, so how many win is exact, not which.
		var wg sync.WaitGroup
		for ti := range tenants {
			for range perTenant {
				wg.Go(func() {
					w := serve(h, fmt.Sprintf("tenant-%d", ti))
					switch w.Code {
					case http.StatusNoContent:
						counts[ti].granted.Add(1)
					case http.StatusTooManyRequests:
						counts[ti].refused.Add(1)
						// At 50/s a token is never more than 20ms away.
						if w.Header().Get("Retry-After") != "1" {
							counts[ti].badRetry.Add(1)
						}
					default:
						t.Errorf("status %d", w.Code)
					}
				})
			}
		}
		wg.Wait()
	}

	var total int64
	for ti := range counts {
		c := &counts[ti]
		granted, refused, bad := c.granted.Load(), c.refused.Load(), c.badRetry.Load()
		total += granted
		if granted != wantGranted || refused != wantRefused {
			t.Errorf("tenant-%d: %d granted, %d refused; want %d and %d", ti, granted, refused, wantGranted, wantRefused)
		}
		if bad > 0 {
			t.Errorf("tenant-%d: %d refusals without Retry-After: 1", ti, bad)
		}
	}
	if got := passed.Load(); got != total {
		t.Errorf("next handler saw %d requests, clients counted %d granted", got, total)
	}
}
