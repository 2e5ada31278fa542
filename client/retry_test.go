package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeSleep records the waits a client asks for and returns at once, so
// that retry tests neither sleep nor depend on timing.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	// cancel, when set, is called on the first wait (a context ending
	// while the client waits).
	cancel context.CancelFunc
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	cancel := f.cancel
	f.cancel = nil
	f.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return ctx.Err()
}

func (f *fakeSleep) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.waits)
}

// answers is a server that answers its requests in turn from a script: a
// status and a Retry-After each (the last is repeated), and records them.
type answers struct {
	mu       sync.Mutex
	script   []answer
	requests []*http.Request
}

type answer struct {
	status     int
	retryAfter string
	body       string
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	n := len(a.requests)
	a.requests = append(a.requests, r.Clone(context.Background()))
	ans := a.script[min(n, len(a.script)-1)]
	a.mu.Unlock()
	if ans.retryAfter != "" {
		w.Header().Set("Retry-After", ans.retryAfter)
	}
	w.Header().Set("request-id", "rid-1")
	if ans.status >= 400 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ans.status)
		w.Write([]byte(`{"error":{"code":"tooManyRequests","message":"slow down","innerError":{"date":"2026-01-01T00:00:00","request-id":"rid-1","client-request-id":"` + r.Header.Get("client-request-id") + `"}}}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ans.status)
	body := ans.body
	if body == "" {
		body = `{"id":"x","status":"running"}`
	}
	w.Write([]byte(body))
}

func (a *answers) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.requests)
}

// newTestClient is a client of srv with a fake sleep.
func newTestClient(t *testing.T, srv *httptest.Server, fs *fakeSleep, opts Options) *Client {
	t.Helper()
	opts.Sleep = fs.sleep
	if opts.Token == nil {
		opts.Token = StaticToken("tok")
	}
	c, err := New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetryPolicy(t *testing.T) {
	patch := OperationUpdate{Status: Some(OperationRunning)}
	tests := []struct {
		name      string
		script    []answer
		send      func(ctx context.Context, c *Client) error
		wantCalls int
		wantWaits []time.Duration
		wantCode  int // 0: success
	}{
		{
			name:   "429 on POST is retried after Retry-After",
			script: []answer{{status: 429, retryAfter: "3"}, {status: 201}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Create(ctx, Operation{Status: OperationRunning})
				return err
			},
			wantCalls: 2, wantWaits: []time.Duration{3 * time.Second},
		},
		{
			name:   "503 on GET is retried, doubling without Retry-After",
			script: []answer{{status: 503}, {status: 503}, {status: 200}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Get(ctx, "x")
				return err
			},
			wantCalls: 3, wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:   "503 on POST is not retried",
			script: []answer{{status: 503, retryAfter: "1"}, {status: 201}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.StartRuns(ctx)
				return err
			},
			wantCalls: 1, wantCode: 503,
		},
		{
			name:   "503 on PATCH is not retried",
			script: []answer{{status: 503, retryAfter: "1"}, {status: 200}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Update(ctx, "x", patch)
				return err
			},
			wantCalls: 1, wantCode: 503,
		},
		{
			name:   "503 on PATCH with If-Match is retried",
			script: []answer{{status: 503, retryAfter: "1"}, {status: 200}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Update(ctx, "x", patch, IfMatch(`"v1"`))
				return err
			},
			wantCalls: 2, wantWaits: []time.Duration{time.Second},
		},
		{
			name:   "503 on DELETE is retried",
			script: []answer{{status: 503, retryAfter: "2"}, {status: 204}},
			send: func(ctx context.Context, c *Client) error {
				return c.Operations().Delete(ctx, "x")
			},
			wantCalls: 2, wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name:   "attempts are bounded",
			script: []answer{{status: 429, retryAfter: "1"}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Get(ctx, "x")
				return err
			},
			wantCalls: 4, wantWaits: []time.Duration{time.Second, time.Second, time.Second}, wantCode: 429,
		},
		{
			name:   "a wait over MaxRetryDelay is not sat through",
			script: []answer{{status: 429, retryAfter: "600"}, {status: 200}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Get(ctx, "x")
				return err
			},
			wantCalls: 1, wantCode: 429,
		},
		{
			name:   "400 is not retried",
			script: []answer{{status: 400}, {status: 200}},
			send: func(ctx context.Context, c *Client) error {
				_, err := c.Operations().Get(ctx, "x")
				return err
			},
			wantCalls: 1, wantCode: 400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &answers{script: tt.script}
			srv := httptest.NewServer(a)
			defer srv.Close()
			fs := &fakeSleep{}
			c := newTestClient(t, srv, fs, Options{})
			err := tt.send(t.Context(), c)
			if got := a.count(); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if got := fs.recorded(); !slices.Equal(got, tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
			var e *Error
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantCode != 0 && (!errors.As(err, &e) || e.StatusCode != tt.wantCode):
				t.Errorf("error %v, want an *Error with status %d", err, tt.wantCode)
			}
			// Every attempt of one call carries the same client-request-id.
			ids := map[string]bool{}
			for _, r := range a.requests {
				ids[r.Header.Get("client-request-id")] = true
			}
			if len(ids) != 1 {
				t.Errorf("client-request-ids %v, want one for all attempts", ids)
			}
		})
	}
}

func TestRetryAfterOfMaxRetryDelayIsInError(t *testing.T) {
	a := &answers{script: []answer{{status: 429, retryAfter: "600"}}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	_, err := c.Operations().Get(t.Context(), "x")
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter != 10*time.Minute || e.Code != "tooManyRequests" || e.Message != "slow down" {
		t.Fatalf("error %#v, want the 429 with RetryAfter 10m", err)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := &answers{script: []answer{{status: 429, retryAfter: now.Add(7 * time.Second).Format(http.TimeFormat)}, {status: 200}}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	fs := &fakeSleep{}
	c := newTestClient(t, srv, fs, Options{Now: func() time.Time { return now }})
	if _, err := c.Operations().Get(t.Context(), "x"); err != nil {
		t.Fatal(err)
	}
	if got := fs.recorded(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Errorf("waits %v, want [7s]", got)
	}
}

// A context that ends while the client waits to retry ends the call: the
// error is the context's, and still holds the service's answer.
func TestRetryStopsWithContext(t *testing.T) {
	a := &answers{script: []answer{{status: 429, retryAfter: "5"}, {status: 200}}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	fs := &fakeSleep{cancel: cancel}
	c := newTestClient(t, srv, fs, Options{})
	_, err := c.Operations().Get(ctx, "x")
	var e *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.StatusCode != 429 {
		t.Fatalf("error %v, want context.Canceled holding the 429", err)
	}
	if a.count() != 1 {
		t.Errorf("%d requests, want 1", a.count())
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                 0,
		"0":                0,
		"12":               12 * time.Second,
		" 3 ":              3 * time.Second,
		"-4":               0,
		"soon":             0,
		"1e9":              0,
		"9999999999999999": 24 * time.Hour,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
