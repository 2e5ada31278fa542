package httpapi_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/service"
)

const runType = "#microsoft.graph.industryData.industryDataRun"

// seededRuns is tenant A's system process with three runs started a minute
// apart through the service (no route starts runs yet): the first two
// finished, the last in progress.
type seededRuns struct {
	processID string
	oldest    []string // run ids, oldest first
}

func (s seededRuns) newest() []string {
	return []string{s.oldest[2], s.oldest[1], s.oldest[0]}
}

func (s seededRuns) running() string { return s.oldest[2] }

func seedRuns(t *testing.T, h *harness) seededRuns {
	t.Helper()
	var minute atomic.Int64 // the i-th run starts at 07:0i
	clock := industrydata.ClockFunc(func() time.Time {
		return time.Date(2024, 5, 6, 7, int(minute.Load()), 0, 0, time.UTC)
	})
	svc, err := service.New(h.store, clock, service.Options{}).Tenant(t.Context(), tenantA, industrydata.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	s := seededRuns{processID: h.systemProcess()["id"].(string)}
	for i := range 3 {
		minute.Store(int64(i + 1))
		run, _, err := svc.StartRun(t.Context(), s.processID)
		if err != nil {
			t.Fatalf("StartRun: %v", err)
		}
		s.oldest = append(s.oldest, run.ID)
		if i < 2 {
			finishRun(t, h.store, run.ID)
		}
	}
	return s
}

// finishRun completes a run as a runner would: claim it, finish it.
func finishRun(t *testing.T, st industrydata.Store, id string) {
	t.Helper()
	now := time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
	c, ok, err := st.ClaimJob(t.Context(), "test-runner", now, time.Minute)
	if err != nil || !ok || c.ID != id {
		t.Fatalf("ClaimJob: %+v %v %v, want run %s", c, ok, err, id)
	}
	err = st.FinishRun(t.Context(), c, industrydata.RunOutcome{Status: industrydata.RunCompletedWithWarnings,
		EndDateTime: now, OperationStatus: industrydata.OperationSucceeded, LastActionDateTime: now})
	if err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
}

func itemIDs(res *response) []string {
	var out []string
	for _, v := range values(res) {
		id, _ := v["id"].(string)
		out = append(out, id)
	}
	return out
}

func TestRunsListedNewestFirst(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	base := "http://industrydata.test/beta/$metadata#"
	for _, tc := range []struct{ path, context string }{
		{"/beta/industryData/runs", base + "industryData/runs"},
		{"/beta/external/industryData/runs", base + "external/industryData/runs"},
		{"/beta/industryData/processes/" + s.processID + "/runs", base + "industryData/processes('" + s.processID + "')/runs"},
		{"/beta/external/industryData/processes/" + s.processID + "/runs", base + "external/industryData/processes('" + s.processID + "')/runs"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: tc.path})
			if diff := cmp.Diff(s.newest(), itemIDs(res)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if got := res.str("@odata.context"); got != tc.context {
				t.Errorf("@odata.context %q, want %q", got, tc.context)
			}
			running := values(res)[0]
			want := map[string]any{"@odata.type": runType, "id": s.running(), "blockingError": nil,
				"displayName": "User report refresh", "endDateTime": nil, "startDateTime": "2024-05-06T07:03:00Z", "status": "running"}
			if diff := cmp.Diff(want, running); diff != "" {
				t.Errorf("running run (-want +got):\n%s", diff)
			}
			if got := values(res)[1]["status"]; got != "completedWithWarnings" {
				t.Errorf("finished run status %v", got)
			}
		})
	}
}

func TestRunsQueryOptions(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"filter on status", "$filter=" + q("status eq 'running'") + "&$count=true", []string{s.running()}},
		{"filter on a finished status", "$filter=" + q("status eq 'completedWithWarnings'"), s.newest()[1:]},
		{"explicit oldest first", "$orderby=" + q("startDateTime asc"), s.oldest},
		{"select", "$select=status", s.newest()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + s.processID + "/runs?" + tc.query})
			if diff := cmp.Diff(tc.want, itemIDs(res)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	res := h.must(200, request{method: "GET", path: "/beta/industryData/runs?$filter=" + q("status eq 'running'") + "&$count=true"})
	if n, _ := res.body["@odata.count"].(float64); n != 1 {
		t.Errorf("@odata.count %v, want 1", res.body["@odata.count"])
	}
	res = h.must(200, request{method: "GET", path: "/beta/industryData/runs?$select=status"})
	if diff := cmp.Diff(map[string]any{"@odata.type": runType, "id": s.running(), "status": "running"}, values(res)[0]); diff != "" {
		t.Errorf("$select (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(res.str("@odata.context"), "#industryData/runs(status)") {
		t.Errorf("@odata.context %q", res.str("@odata.context"))
	}
	h.must(400, request{method: "GET", path: "/beta/industryData/runs?$filter=" + q("blockingError eq null")})
	h.must(400, request{method: "GET", path: "/beta/industryData/runs?$expand=runs"})

	// Pages of one follow the default order through their skiptokens.
	var got []string
	path := "/beta/industryData/runs?$top=1"
	for range 5 {
		res := h.must(200, request{method: "GET", path: path})
		got = append(got, itemIDs(res)...)
		next := res.str("@odata.nextLink")
		if next == "" {
			break
		}
		path = strings.TrimPrefix(next, "http://industrydata.test")
	}
	if diff := cmp.Diff(s.newest(), got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func TestGetRun(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	for _, tc := range []struct{ path, context string }{
		{"/beta/industryData/runs/", "http://industrydata.test/beta/$metadata#industryData/runs/$entity"},
		{"/beta/external/industryData/runs/", "http://industrydata.test/beta/$metadata#external/industryData/runs/$entity"},
	} {
		res := h.must(200, request{method: "GET", path: tc.path + s.oldest[0]})
		if res.str("id") != s.oldest[0] || res.str("status") != "completedWithWarnings" || res.str("endDateTime") != "2024-05-06T08:00:00Z" {
			t.Errorf("run %s", res.raw)
		}
		if got := res.str("@odata.context"); got != tc.context {
			t.Errorf("@odata.context %q, want %q", got, tc.context)
		}
		etag := res.header.Get("ETag")
		if len(etag) < 3 || etag[0] != '"' {
			t.Fatalf("ETag header %q", etag)
		}
		h.must(304, request{method: "GET", path: tc.path + s.oldest[0], headers: []string{"If-None-Match", etag}})
	}
	res := h.must(200, request{method: "GET", path: "/beta/industryData/runs/" + s.running() + "?$select=status,startDateTime"})
	want := map[string]any{"@odata.context": "http://industrydata.test/beta/$metadata#industryData/runs(status,startDateTime)/$entity",
		"@odata.type": runType, "id": s.running(), "startDateTime": "2024-05-06T07:03:00Z", "status": "running"}
	if diff := cmp.Diff(want, res.body); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Another tenant's run and process are itemNotFound, exactly like missing ones.
func TestRunsNotFound(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	for _, tc := range []struct{ name, path, tenant string }{
		{"unknown run", "/beta/industryData/runs/00000000-0000-0000-0000-000000000000", tenantA},
		{"unknown process", "/beta/industryData/processes/00000000-0000-0000-0000-000000000000/runs", tenantA},
		{"another tenant's run", "/beta/industryData/runs/" + s.running(), tenantB},
		{"another tenant's process", "/beta/external/industryData/processes/" + s.processID + "/runs", tenantB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := h.must(404, request{method: "GET", path: tc.path, tenant: tc.tenant})
			checkEnvelope(t, res, "itemNotFound")
		})
	}
	res := h.must(200, request{method: "GET", path: "/beta/industryData/runs", tenant: tenantB})
	if n := len(values(res)); n != 0 {
		t.Errorf("tenant B lists %d runs", n)
	}
}

// SPEC §7: runs are read with IndustryData-Run.Read.All or -Run.Start;
// $expand=runs needs one of them on top of what reads processes.
func TestRunPermissions(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	var (
		runRead   = industrydata.PermRunRead
		runStart  = industrydata.PermRunStart
		readBasic = industrydata.PermReadBasic
		procWrite = industrydata.PermProcessReadWrite
	)
	paths := []string{"/beta/industryData/runs", "/beta/industryData/runs/" + s.running(),
		"/beta/industryData/processes/" + s.processID + "/runs", "/beta/external/industryData/runs"}
	tests := []struct {
		name   string
		perms  []industrydata.Permission
		paths  []string
		status int
	}{
		{"Run.Read.All reads runs", []industrydata.Permission{runRead}, paths, 200},
		{"Run.Start reads runs", []industrydata.Permission{runStart}, paths, 200},
		{"ReadBasic alone does not read runs", []industrydata.Permission{readBasic}, paths, 403},
		{"Process.ReadWrite alone does not read runs", []industrydata.Permission{procWrite}, paths, 403},
		{"ReadBasic alone does not expand runs", []industrydata.Permission{readBasic},
			[]string{"/beta/industryData/processes?$expand=runs", "/beta/industryData/processes/" + s.processID + "?$expand=runs"}, 403},
		{"ReadBasic with Run.Read.All expands runs", []industrydata.Permission{readBasic, runRead},
			[]string{"/beta/industryData/processes?$expand=runs", "/beta/industryData/processes/" + s.processID + "?$expand=runs"}, 200},
		{"Run.Read.All alone does not read processes", []industrydata.Permission{runRead},
			[]string{"/beta/industryData/processes?$expand=runs"}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := token(t, tenantA, tc.perms...)
			for _, p := range tc.paths {
				res := h.do(request{method: "GET", path: p, token: tok})
				if res.status != tc.status {
					t.Errorf("GET %s: %d, want %d\n%s", p, res.status, tc.status, res.raw)
				}
				if tc.status == 403 && res.errorCode() != "accessDenied" {
					t.Errorf("GET %s: code %q", p, res.errorCode())
				}
			}
		})
	}
}

func TestExpandRuns(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	urrpPath := "/beta/industryData/processes/" + s.processID + "/" + urrp
	for _, path := range []string{
		"/beta/industryData/processes/" + s.processID + "?$expand=runs",
		"/beta/external/industryData/processes/" + s.processID + "?$expand=runs&$select=displayName",
		urrpPath + "?$expand=runs",
	} {
		t.Run(path, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: path})
			checkExpandedRuns(t, res.body, s)
			if res.header.Get("ETag") != `"`+h.systemProcess()["eTag"].(string)+`"` {
				t.Errorf("ETag header %q is not the process's", res.header.Get("ETag"))
			}
			// The runs are not covered by the process's ETag: no 304.
			h.must(200, request{method: "GET", path: path, headers: []string{"If-None-Match", res.header.Get("ETag")}})
		})
	}
	for _, path := range []string{
		"/beta/industryData/processes?$expand=runs",
		"/beta/industryData/processes/" + urrp + "?$expand=runs&$count=true",
	} {
		t.Run(path, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: path})
			vs := values(res)
			if len(vs) != 1 {
				t.Fatalf("%d processes", len(vs))
			}
			checkExpandedRuns(t, vs[0], s)
		})
	}
	// Without $expand, no runs property; a process without runs has [].
	if _, ok := h.systemProcess()["runs"]; ok {
		t.Errorf("runs shown without $expand")
	}
	res := h.must(200, request{method: "GET", path: "/beta/industryData/processes?$expand=runs", tenant: tenantB})
	if runs, ok := values(res)[0]["runs"].([]any); !ok || len(runs) != 0 {
		t.Errorf("tenant B's process runs %v, want []", values(res)[0]["runs"])
	}
	res = h.must(400, request{method: "GET", path: "/beta/industryData/processes?$expand=operations"})
	checkEnvelope(t, res, "badRequest")
}

// checkExpandedRuns checks a process's expanded runs: whole runs, newest first.
func checkExpandedRuns(t *testing.T, process map[string]any, s seededRuns) {
	t.Helper()
	runs, ok := process["runs"].([]any)
	if !ok {
		t.Fatalf("no runs array in %v", process)
	}
	var got []string
	for _, r := range runs {
		m := r.(map[string]any)
		got = append(got, m["id"].(string))
		if m["@odata.type"] != runType || m["status"] == nil || m["startDateTime"] == nil {
			t.Errorf("expanded run %v", m)
		}
	}
	if diff := cmp.Diff(s.newest(), got); diff != "" {
		t.Errorf("expanded runs (-want +got):\n%s", diff)
	}
}

// Deleting a process with a run in progress is 409; once the run has ended
// the process goes, and its runs with it.
func TestDeleteProcessWithRunInProgress(t *testing.T) {
	h := newHarness(t)
	s := seedRuns(t, h)
	path := "/beta/industryData/processes/" + s.processID
	res := h.must(409, request{method: "DELETE", path: path})
	checkEnvelope(t, res, "conflict")
	h.must(200, request{method: "GET", path: path})
	finishRun(t, h.store, s.running())
	h.must(204, request{method: "DELETE", path: path})
	h.must(404, request{method: "GET", path: "/beta/industryData/runs/" + s.running()})
	if n := len(values(h.must(200, request{method: "GET", path: "/beta/industryData/runs"}))); n != 0 {
		t.Errorf("%d runs left after their process was deleted", n)
	}
}
