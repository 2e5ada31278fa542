package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata/chaos"
	"industrydata/httpapi"
	"industrydata/service"
)

// fakeSleep records the delays it was asked for and returns at once.
type fakeSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.delays = append(f.delays, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) taken() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.delays
	f.delays = nil
	return out
}

// chaosHarness is a harness whose requests get the faults of spec, with an
// access log in logs and a sleep that records.
func chaosHarness(t *testing.T, spec string) (*harness, *fakeSleep, *bytes.Buffer) {
	t.Helper()
	rules, err := chaos.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	sleep, logs := &fakeSleep{}, &bytes.Buffer{}
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) {
		c.Chaos, c.Sleep = chaos.New(rules, 1), sleep.sleep
		c.Logger, c.AccessLog = slog.New(slog.NewJSONHandler(logs, nil)), true
	})
	return h, sleep, logs
}

// accessLines are the access log's lines by request-id.
func accessLines(t *testing.T, logs *bytes.Buffer) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if m["msg"] == "request" {
			out[m["request_id"].(string)] = m
		}
	}
	return out
}

// TestChaosFaults: a rule with the share 1 answers every request of its
// pattern with its fault, under both prefixes, in Graph's envelope with
// Retry-After, and says so in the access log; other paths go through.
func TestChaosFaults(t *testing.T) {
	h, sleep, logs := chaosHarness(t, "429=7s:1:/industryData/runs*,503:1:/industryData/operations/$count,latency=250ms:1:/industryData/processes*")
	for _, tt := range []struct {
		path       string
		status     int
		code       string
		retryAfter string
		delay      time.Duration
		chaos      string
	}{
		{"/beta/industryData/runs", 429, "tooManyRequests", "7", 0, "429=7s"},
		{"/beta/external/industryData/runs/start", 429, "tooManyRequests", "7", 0, "429=7s"},
		{"/beta/industryData/operations/$count", 503, "serviceNotAvailable", "1", 0, "503=1s"},
		{"/beta/industryData/processes", 200, "", "", 250 * time.Millisecond, "latency=250ms"},
		{"/beta/industryData/operations", 200, "", "", 0, ""},
		{"/beta/industryData", 200, "", "", 0, ""},
	} {
		res := h.do(request{method: "GET", path: tt.path})
		if res.status != tt.status || res.errorCode() != tt.code || res.header.Get("Retry-After") != tt.retryAfter {
			t.Errorf("%s: %d %s Retry-After %q, want %d %s %q", tt.path, res.status, res.errorCode(), res.header.Get("Retry-After"),
				tt.status, tt.code, tt.retryAfter)
		}
		if tt.code != "" && !strings.Contains(res.errorMessage(), "simulated by --chaos") {
			t.Errorf("%s: message %q does not say the fault is simulated", tt.path, res.errorMessage())
		}
		var want []time.Duration
		if tt.delay > 0 {
			want = []time.Duration{tt.delay}
		}
		if got := sleep.taken(); len(got) != len(want) || len(got) == 1 && got[0] != want[0] {
			t.Errorf("%s: slept %v, want %v", tt.path, got, want)
		}
		line := accessLines(t, logs)[res.header.Get("request-id")]
		if line == nil || line["status"] != float64(tt.status) || tt.chaos != "" && line["chaos"] != tt.chaos || tt.chaos == "" && line["chaos"] != nil {
			t.Errorf("%s: access line %v, want chaos %q", tt.path, line, tt.chaos)
		}
	}
}

// TestChaosLeavesProbesAlone: a rule for every path leaves /healthz,
// /readyz and paths outside /beta as they are.
func TestChaosLeavesProbesAlone(t *testing.T) {
	h, _, _ := chaosHarness(t, "503:1")
	for _, p := range []string{"/healthz", "/readyz"} {
		h.must(200, request{method: "GET", path: p, tenant: "-"})
	}
	h.must(404, request{method: "GET", path: "/betamax"})
	h.must(503, request{method: "GET", path: "/beta/$metadata", tenant: "-"})
}

// TestChaosInsideBatches: a batch's requests go through the same handler,
// so they get faults as requests alone do; the batch's other answers stand.
func TestChaosInsideBatches(t *testing.T) {
	h, sleep, logs := chaosHarness(t, "429:1:/industryData/runs*,latency=1s:1:/industryData/operations")
	res, items := h.batch(request{body: batchBody(item("runs", "GET", "/industryData/runs"),
		item("ops", "GET", "/industryData/operations"), item("root", "GET", "/industryData"))})
	got := byID(items)
	if res.status != 200 || got["runs"].Status != 429 || got["runs"].Headers["Retry-After"] != "1" ||
		got["ops"].Status != 200 || got["root"].Status != 200 {
		t.Errorf("batch %d: runs %d %v, ops %d, root %d", res.status, got["runs"].Status, got["runs"].Headers, got["ops"].Status, got["root"].Status)
	}
	if d := sleep.taken(); len(d) != 1 || d[0] != time.Second {
		t.Errorf("slept %v, want one second once", d)
	}
	if line := accessLines(t, logs)[got["runs"].Headers["request-id"]]; line["chaos"] != "429=1s" || line["batch_item"] != "runs" {
		t.Errorf("the access line of the faulted request: %v", line)
	}
	// A rule for the batch's own path answers the whole batch.
	h2, _, _ := chaosHarness(t, "503:1:/$batch")
	if res := h2.do(request{method: "POST", path: batchPath, body: batchBody(item("1", "GET", "/industryData"))}); res.status != 503 {
		t.Errorf("a batch under a 503 rule: %d", res.status)
	}
}

// TestChaosLatencyEndsWithTheClient: a request whose client leaves during a
// simulated delay is not answered.
func TestChaosLatencyEndsWithTheClient(t *testing.T) {
	h, _, _ := chaosHarness(t, "latency=1m:1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "http://industrydata.test/beta/industryData/operations", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token(t, tenantA))
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 || len(rec.Header()["Content-Type"]) != 0 {
		t.Errorf("answered %d %s", rec.Code, rec.Body)
	}
	if ops := values(h.must(200, request{method: "GET", path: "/beta/industryData/operations"})); len(ops) != 0 {
		t.Errorf("the request went through: %v", ops)
	}
}
