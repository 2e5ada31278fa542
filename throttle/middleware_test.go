package throttle_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// TestMeasuredRate drives the middleware through a loopback server for about
// a second with several goroutines per tenant, and compares what got through
// with the configured rate. Timing on a shared machine varies, so it asserts
// only the bound a token bucket guarantees: granted <= rate*elapsed + burst.
func TestMeasuredRate(t *testing.T) {
	const (
		rate        = 50.0
		burst       = 10
		tenants     = 3
		perTenant   = 4 // goroutines hammering each tenant
		duration    = time.Second
		maxRequests = 200_000 // whatever the machine's speed
	)
	l := mustNew(t, throttle.Config{Rate: rate, Burst: burst})
	var passed atomic.Int64
	srv := httptest.NewUnstartedServer(throttle.Middleware(l, tenantHeader, nil)(okHandler(&passed)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: tenants * perTenant, // reuse connections, no port churn
	}}
	defer client.CloseIdleConnections()

	type tally struct {
		granted, refused, badRetry atomic.Int64
	}
	counts := make([]tally, tenants)
	var sent atomic.Int64
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for ti := range tenants {
		for range perTenant {
			wg.Go(func() {
				tenant := fmt.Sprintf("tenant-%d", ti)
				for time.Now().Before(deadline) && sent.Add(1) <= maxRequests {
					req, _ := http.NewRequest(http.MethodGet, srv.URL+"/beta/industryData", nil)
					req.Header.Set("X-Test-Tenant", tenant)
					resp, err := client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch resp.StatusCode {
					case http.StatusNoContent:
						counts[ti].granted.Add(1)
					case http.StatusTooManyRequests:
						counts[ti].refused.Add(1)
						// At 50/s a token is never more than 20ms away.
						if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra != 1 {
							counts[ti].badRetry.Add(1)
						}
					default:
						t.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	total := int64(0)
	for ti := range counts {
		c := &counts[ti]
		granted, refused := c.granted.Load(), c.refused.Load()
		total += granted + refused
		bound := rate*elapsed.Seconds() + burst
		t.Logf("tenant-%d: %d granted, %d refused in %v: %.1f req/s granted (%.1f/s after the burst of %d), configured %.0f/s; bound %.0f",
			ti, granted, refused, elapsed.Round(time.Millisecond), float64(granted)/elapsed.Seconds(),
			float64(granted-burst)/elapsed.Seconds(), burst, rate, bound)
		if float64(granted) > bound+1 {
			t.Errorf("tenant-%d: %d granted, more than rate*elapsed+burst = %.1f", ti, granted, bound)
		}
		// The first Burst requests of a tenant always get through.
		if granted < min(burst, granted+refused) {
			t.Errorf("tenant-%d: only %d of %d granted, fewer than the burst %d", ti, granted, granted+refused, burst)
		}
		if n := c.badRetry.Load(); n > 0 {
			t.Errorf("tenant-%d: %d refusals without Retry-After: 1", ti, n)
		}
	}
	if passed.Load() != func() int64 {
		var n int64
		for ti := range counts {
			n += counts[ti].granted.Load()
		}
		return n
	}() {
		t.Errorf("next handler saw %d requests, clients counted a different number granted", passed.Load())
	}
	t.Logf("%d requests in %v (%.0f req/s through the loopback server)", total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
}
