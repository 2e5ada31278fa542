package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/httpapi"
	"industrydata/service"
)

// gateVerifier verifies tokens as the harness's verifier does, and holds
// every call after the first (the batch's own) at a gate that opens when
// group calls wait at it: a batch whose requests did not run group at a
// time would never get through. It records the most calls inside at once.
type gateVerifier struct {
	auth.Verifier
	group int

	mu      sync.Mutex
	calls   int
	inside  int
	most    int
	waiting int
	open    chan struct{}
	stuck   bool
}

func (g *gateVerifier) Verify(ctx context.Context, token string) (industrydata.Principal, error) {
	g.mu.Lock()
	g.calls++
	if g.calls == 1 {
		g.mu.Unlock()
		return g.Verifier.Verify(ctx, token)
	}
	g.inside++
	g.most = max(g.most, g.inside)
	g.waiting++
	open := g.open
	if g.waiting == g.group {
		close(g.open)
		g.open, g.waiting = make(chan struct{}), 0
	}
	g.mu.Unlock()
	select {
	case <-open:
	case <-time.After(20 * time.Second):
		// Not a timing assertion: a guard so that a broken scheduler
		// fails the test instead of hanging it.
		g.mu.Lock()
		g.stuck = true
		g.mu.Unlock()
	}
	defer func() {
		g.mu.Lock()
		g.inside--
		g.mu.Unlock()
	}()
	return g.Verifier.Verify(ctx, token)
}

func gatedHarness(t *testing.T, concurrency, group int) (*harness, *gateVerifier) {
	g := &gateVerifier{Verifier: auth.NewLocalVerifier(testKey, time.Now), group: group, open: make(chan struct{})}
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) {
		c.Verifier, c.BatchConcurrency = g, concurrency
	})
	return h, g
}

// TestBatchRunsIndependentRequestsAtOnce: independent requests run
// concurrently, BatchConcurrency at a time and never more.
func TestBatchRunsIndependentRequestsAtOnce(t *testing.T) {
	h, g := gatedHarness(t, 4, 4)
	var items []string
	for i := range 12 {
		items = append(items, item(fmt.Sprint(i), "GET", "/industryData/operations"))
	}
	_, answers := h.batch(request{body: batchBody(items...)})
	for _, it := range answers {
		if it.Status != 200 {
			t.Errorf("%s: %d", it.ID, it.Status)
		}
	}
	if g.stuck || g.most != 4 {
		t.Errorf("at most %d requests at once (stuck: %v), want 4", g.most, g.stuck)
	}
}

// TestBatchRunsDependentRequestsInTurn: a chain of dependencies runs one
// request at a time, in its order, however many may run at once.
func TestBatchRunsDependentRequestsInTurn(t *testing.T) {
	h, g := gatedHarness(t, 4, 1)
	opID := h.createOperation(`{"statusDetail":"0"}`).str("id")
	items := []string{}
	for i := 1; i <= 8; i++ {
		var dep string
		if i > 1 {
			dep = fmt.Sprintf(`"dependsOn":["%d"]`, i-1)
		}
		items = append(items, item(fmt.Sprint(i), "PATCH", "/industryData/operations/"+opID, jsonHeaders,
			fmt.Sprintf(`"body":{"statusDetail":"%d"}`, i), dep))
	}
	// Sent last first: the order of the answers is the chain's.
	for l, r := 0, len(items)-1; l < r; l, r = l+1, r-1 {
		items[l], items[r] = items[r], items[l]
	}
	_, answers := h.batch(request{body: batchBody(items...)})
	for k, it := range answers {
		if it.ID != fmt.Sprint(k+1) || it.Status != 200 || it.response(t).str("statusDetail") != it.ID {
			t.Errorf("answer %d: %s %d %s", k, it.ID, it.Status, it.Body)
		}
	}
	if g.stuck || g.most != 1 {
		t.Errorf("at most %d requests at once (stuck: %v), want 1", g.most, g.stuck)
	}
}

// TestBatchAnswersAreDeterministic: the same batch, concurrent requests
// and failed dependencies included, answers the same each time.
func TestBatchAnswersAreDeterministic(t *testing.T) {
	body := batchBody(
		item("create", "POST", "/industryData/operations", jsonHeaders, `"body":{"statusDetail":"one"}`),
		item("list", "GET", "/industryData/operations?$select=statusDetail", `"dependsOn":["create"]`),
		item("count", "GET", "/industryData/operations/$count", `"dependsOn":["create"]`),
		item("missing", "GET", "/industryData/operations/nope"),
		item("after missing", "DELETE", "/industryData/operations/nope", `"dependsOn":["missing"]`),
		item("root", "GET", "/industryData"),
		item("process", "GET", "/industryData/processes?$select=displayName"),
		item("runs", "GET", "/industryData/runs"),
		item("refused", "GET", "/v1.0/me"),
	)
	var first string
	for round := range 3 {
		h := newHarness(t)
		res, _ := h.batch(request{body: body})
		got := normalizeAnswer(res.raw)
		if round == 0 {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("round %d answered\n%s\nround 0\n%s", round, got, first)
		}
	}
}

// failingWriter is a client that goes away after the first write.
type failingWriter struct {
	header http.Header
	writes int
}

func (f *failingWriter) Header() http.Header { return f.header }
func (f *failingWriter) WriteHeader(int)     {}
func (f *failingWriter) Write(p []byte) (int, error) {
	if f.writes++; f.writes > 1 {
		return 0, errors.New("the client is gone")
	}
	return len(p), nil
}

// TestBatchClientGone: a batch whose client stops reading ends; the
// requests it had not answered stop with it, and the service goes on.
func TestBatchClientGone(t *testing.T) {
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.BatchConcurrency = 1 })
	var items []string
	for i := range 20 {
		items = append(items, item(fmt.Sprint(i), "POST", "/industryData/operations", jsonHeaders, `"body":{}`))
	}
	req := httptest.NewRequest("POST", "http://industrydata.test"+batchPath, strings.NewReader(batchBody(items...)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token(t, tenantA))
	h.handler.ServeHTTP(&failingWriter{header: http.Header{}}, req)
	h.must(200, request{method: "GET", path: "/beta/industryData/operations"})
}
