package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"industrydata/httpapi"
	"industrydata/internal/flowtest"
	"industrydata/internal/rostergen"
	"industrydata/service"
	"industrydata/throttle"
)

// TestBatchAnswersThatAreNotJSON: an answer that is not JSON travels as
// base64, as Graph sends a photo: the CSV of a report, a $count, the
// $metadata document; each decodes to what the same request gets alone.
func TestBatchAnswersThatAreNotJSON(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	entries := "/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries"
	direct := map[string]*response{
		"csv":      h.must(200, request{method: "GET", path: "/beta" + entries, headers: []string{"Accept", "text/csv"}}),
		"count":    h.must(200, request{method: "GET", path: "/beta" + entries + "/$count"}),
		"metadata": h.must(200, request{method: "GET", path: "/beta/$metadata"}),
	}
	_, items := h.batch(request{body: batchBody(
		item("csv", "GET", entries, `"headers":{"accept":"text/csv"}`),
		item("count", "GET", entries+"/$count"),
		item("metadata", "GET", "/$metadata"))})
	for _, it := range items {
		want := direct[it.ID]
		if it.Status != 200 || string(it.bytes(t)) != want.raw || it.Headers["Content-Type"] != want.header.Get("Content-Type") {
			t.Errorf("%s: %d %s, %d bytes; alone: %s, %d bytes", it.ID, it.Status, it.Headers["Content-Type"], len(it.bytes(t)),
				want.header.Get("Content-Type"), len(want.raw))
		}
	}
	if cd := byID(items)["csv"].Headers["Content-Disposition"]; !strings.HasPrefix(cd, "attachment") {
		t.Errorf("the CSV's Content-Disposition: %q", cd)
	}
}

// TestBatchBoundsEachAnswer: an answer larger than a batch carries for one
// request is replaced by a 406 that says so, however it was being written
// (a page, the CSV stream), and the batch's other answers stand.
func TestBatchBoundsEachAnswer(t *testing.T) {
	const bound = 8 << 10
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.MaxBatchResponseBytes = bound })
	for i := range 40 {
		h.createOperation(fmt.Sprintf(`{"statusDetail":"%03d %s"}`, i, strings.Repeat("x", 300)))
	}
	pid, rid := generatedReport(t, h, 300)
	entries := "/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries"
	if n := len(h.must(200, request{method: "GET", path: "/beta" + entries, headers: []string{"Accept", "text/csv"}}).raw); n <= bound {
		t.Fatalf("the CSV has %d bytes, not more than the bound", n)
	}
	_, items := h.batch(request{body: batchBody(
		item("page", "GET", "/industryData/operations"),
		item("csv", "GET", entries, `"headers":{"Accept":"text/csv"}`),
		item("small", "GET", "/industryData/operations?$top=2&$select=status"),
	)})
	for _, id := range []string{"page", "csv"} {
		res := byID(items)[id].response(t)
		if res.status != 406 || res.errorCode() != "notAcceptable" || !strings.Contains(res.errorMessage(), fmt.Sprint(bound)) ||
			res.header.Get("request-id") == "" {
			t.Errorf("%s: %d %s %q", id, res.status, res.errorCode(), res.errorMessage())
		}
	}
	if it := byID(items)["small"]; it.Status != 200 || len(values(it.response(t))) != 2 {
		t.Errorf("small: %d %s", it.Status, it.Body)
	}
}

// generatedReport runs tenant A's process over a generated roster of
// users and returns the process and run ids.
func generatedReport(t *testing.T, h *harness, users int) (pid, rid string) {
	t.Helper()
	u, o := rostergen.Reader(users, rostergen.WriteUsers), rostergen.Reader(users, rostergen.WriteOrgs)
	defer u.Close()
	defer o.Close()
	flowtest.Ready(t, h.store, tenantA, "Rostering", flowtest.Roster(u, o))
	pid = h.systemProcess()["id"].(string)
	rid = h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
	runToEnd(t, h.store, rid)
	return pid, rid
}

// TestBatchCSVFailingMidway: a CSV download that fails after its first
// page answers 500 in its batch, rather than a short file or the end of
// the process.
func TestBatchCSVFailingMidway(t *testing.T) {
	st := openStore(t)
	users := rostergen.Reader(12_000, rostergen.WriteUsers)
	orgs := rostergen.Reader(12_000, rostergen.WriteOrgs)
	defer users.Close()
	defer orgs.Close()
	flowtest.Ready(t, st, tenantA, "Rostering", flowtest.Roster(users, orgs))
	h := newHarnessWithStore(t, failingPages{st})
	pid := h.systemProcess()["id"].(string)
	rid := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
	runToEnd(t, st, rid)
	_, items := h.batch(request{body: batchBody(
		item("csv", "GET", "/industryData/processes/"+pid+"/runs/"+rid+"/userReport/entries", `"headers":{"Accept":"text/csv"}`),
		item("root", "GET", "/industryData"))})
	if res := byID(items)["csv"].response(t); res.status != 500 || res.errorCode() != "generalException" {
		t.Errorf("csv: %d %s", res.status, res.raw)
	}
	if byID(items)["root"].Status != 200 {
		t.Errorf("root: %d", byID(items)["root"].Status)
	}
}

// TestBatchThrottling: each request of a batch counts against its
// tenant's rate, and is answered 429 with Retry-After past it; the batch
// itself does not count.
func TestBatchThrottling(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC).UnixNano())
	lim, err := throttle.New(throttle.Config{Rate: 1, Burst: 3, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.Throttle = lim })
	three := batchBody(item("1", "GET", "/industryData"), item("2", "GET", "/industryData"), item("3", "GET", "/industryData", `"dependsOn":["2"]`))
	_, items := h.batch(request{body: three})
	for _, it := range items {
		if it.Status != 200 {
			t.Errorf("the burst's %s: %d", it.ID, it.Status)
		}
	}
	_, items = h.batch(request{body: three})
	for _, it := range items {
		if it.Status != 429 && it.Status != 424 || it.Status == 429 && it.Headers["Retry-After"] != "1" {
			t.Errorf("past the burst, %s: %d, headers %v", it.ID, it.Status, it.Headers)
		}
	}
	h.must(429, request{method: "GET", path: "/beta/industryData"})
	now.Add(int64(time.Second))
	h.must(200, request{method: "GET", path: "/beta/industryData"})
}

// TestBatchAccessLog: the batch and each request it runs have an access
// line; a request's line names the batch's request-id and its own id in it.
func TestBatchAccessLog(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) {
		c.Logger, c.AccessLog = slog.New(slog.NewJSONHandler(&logs, nil)), true
	})
	res, items := h.batch(request{body: batchBody(item("a", "GET", "/industryData"), item("b", "GET", "/industryData/runs"))})
	outer := res.header.Get("request-id")
	lines := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if m["msg"] == "request" {
			lines[m["request_id"].(string)] = m
		}
	}
	if l := lines[outer]; l == nil || l["route"] != "POST /beta/$batch" || l["batch_request_id"] != nil {
		t.Errorf("the batch's line: %v", l)
	}
	for _, it := range items {
		l := lines[it.Headers["request-id"]]
		if l == nil || l["batch_request_id"] != outer || l["batch_item"] != it.ID || l["tenant"] != tenantA || l["status"] != float64(200) {
			t.Errorf("the line of %s: %v", it.ID, l)
		}
	}
}
