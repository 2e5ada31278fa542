package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata/internal/flowtest"
)

// runsStart starts a run with runs/start and lets a runner finish it.
func runsStart(t *testing.T, h *harness, tenant string) string {
	t.Helper()
	rid := h.must(202, request{method: "POST", path: "/beta/external/industryData/runs/start", tenant: tenant}).str("id")
	runAllToEnd(t, h.store, tenant, rid)
	return rid
}

// A run of runs/start over three flows: one imported, one whose connector
// has no validated files, one whose window opens in the future. Its
// activities, their flows and its statistics, through the real router.
func TestRunActivitiesAndStatistics(t *testing.T) {
	h := newHarness(t)
	ready := flowtest.Ready(t, h.store, tenantA, "Rostering", flowtest.Roster(strings.NewReader(reportUsers), strings.NewReader(reportOrgs)))
	_, year, conn, notReady := h.importSurfaceIn(tenantA, "Not ready")
	later := h.must(201, request{method: "POST", path: idPrefix + "inboundFlows", body: `{
		"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"Next year",
		"dataDomain":"educationRostering","effectiveDateTime":"2999-09-01T00:00:00Z",
		"dataConnector@odata.bind":"dataConnectors('` + conn + `')","year@odata.bind":"years('` + year + `')"}`}).str("id")
	rid := runsStart(t, h, tenantA)
	base := "/beta/external/industryData/runs/" + rid

	run := h.must(200, request{method: "GET", path: base})
	if run.str("status") != "completedWithErrors" || run.str("displayName") != "User report refresh" {
		t.Errorf("run: %s", run.raw)
	}
	list := h.must(200, request{method: "GET", path: base + "/activities?$count=true"})
	if got := list.str("@odata.context"); got != "http://industrydata.test/beta/$metadata#external/industryData/runs('"+rid+"')/activities" {
		t.Errorf("@odata.context %q", got)
	}
	acts := values(list)
	if len(acts) != 3 || list.body["@odata.count"] != 3.0 {
		t.Fatalf("activities: %s", list.raw)
	}
	type want struct{ name, status, code string }
	wants := []want{{"Rostering", "completedWithWarnings", ""}, {"Roster", "skipped", "flowNotReady"}, {"Next year", "skipped", "flowNotYetEffective"}}
	for i, a := range acts {
		w := wants[i]
		code := ""
		if be, ok := a["blockingError"].(map[string]any); ok {
			code, _ = be["code"].(string)
		}
		if a["@odata.type"] != "#microsoft.graph.industryData.inboundFlowActivity" || a["displayName"] != w.name || a["status"] != w.status || code != w.code {
			t.Errorf("activity %d: %v; want %+v", i, a, w)
		}
	}

	// Queries, the type cast, one activity and its flow.
	skipped := values(h.must(200, request{method: "GET", path: base + "/activities?" + spaces("$filter=status eq 'skipped'&$select=displayName")}))
	if len(skipped) != 2 || skipped[0]["status"] != nil {
		t.Errorf("$filter/$select: %v", skipped)
	}
	if n := h.must(200, request{method: "GET", path: base + "/activities/microsoft.graph.industryData.inboundFlowActivity/$count"}).raw; n != "3" {
		t.Errorf("cast $count %q", n)
	}
	first := acts[0]["id"].(string)
	one := h.must(200, request{method: "GET", path: base + "/activities('" + first + "')?$expand=activity"})
	if flow, _ := one.body["activity"].(map[string]any); flow == nil || flow["id"] != ready || flow["@odata.type"] != "#microsoft.graph.industryData.inboundFileFlow" {
		t.Errorf("$expand=activity: %s", one.raw)
	}
	nav := h.must(200, request{method: "GET", path: base + "/activities/" + first + "/activity"})
	if nav.str("id") != ready || nav.str("readinessStatus") != "ready" {
		t.Errorf("activity navigation: %s", nav.raw)
	}
	expanded := values(h.must(200, request{method: "GET", path: base + "/activities?$expand=activity"}))
	for i, flow := range []string{ready, notReady, later} {
		if f, _ := expanded[i]["activity"].(map[string]any); f == nil || f["id"] != flow {
			t.Errorf("$expand=activity of activity %d: %v", i, expanded[i])
		}
	}
	for _, p := range []string{base + "/activities/nope", "/beta/industryData/runs/nope/activities", "/beta/industryData/runs/nope/getStatistics()"} {
		if res := h.do(request{method: "GET", path: p}); res.status != 404 || res.errorCode() != "itemNotFound" {
			t.Errorf("GET %s: %d %s", p, res.status, res.raw)
		}
	}
	// A deleted flow: its activity stays, its navigation is gone.
	h.must(204, request{method: "DELETE", path: idPrefix + "inboundFlows/" + later})
	if res := h.do(request{method: "GET", path: base + "/activities/" + acts[2]["id"].(string) + "/activity"}); res.status != 404 {
		t.Errorf("navigation to a deleted flow: %d %s", res.status, res.raw)
	}

	// Statistics: the run's and the latest run's, in every spelling.
	stats := h.must(200, request{method: "GET", path: base + "/getStatistics()"})
	if got := stats.str("@odata.context"); got != "http://industrydata.test/beta/$metadata#microsoft.graph.industryData.industryDataRunStatistics" {
		t.Errorf("@odata.context %q", got)
	}
	imported := map[string]any{
		"@odata.type": "#microsoft.graph.industryData.inboundActivityResults",
		"activityId":  first, "displayName": "Rostering", "status": "completedWithWarnings",
		"errors": 0.0, "warnings": 6.0,
		"groups":        map[string]any{"active": 0.0, "inactive": 0.0, "total": 0.0},
		"memberships":   map[string]any{"active": 0.0, "inactive": 0.0, "total": 0.0},
		"organizations": map[string]any{"active": 2.0, "inactive": 0.0, "total": 2.0},
		"people":        map[string]any{"active": 4.0, "inactive": 2.0, "total": 6.0},
	}
	skippedStats := func(a map[string]any) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.industryData.inboundActivityResults",
			"activityId": a["id"], "displayName": a["displayName"], "status": "skipped",
			"errors": nil, "warnings": nil, "groups": nil, "memberships": nil, "organizations": nil, "people": nil}
	}
	wantStats := map[string]any{
		"@odata.context":     stats.body["@odata.context"],
		"runId":              rid,
		"status":             "completedWithErrors",
		"activityStatistics": []any{imported, skippedStats(acts[1]), skippedStats(acts[2])},
		"inboundTotals": map[string]any{"people": 4.0, "organizations": 2.0, "groups": 0.0, "memberships": 0.0,
			"errors": 0.0, "warnings": 6.0},
	}
	if diff := cmp.Diff(wantStats, stats.body); diff != "" {
		t.Errorf("getStatistics (-want +got):\n%s", diff)
	}
	for _, p := range []string{base + "/microsoft.graph.industryData.getStatistics()", "/beta/industryData/runs/getStatistics()",
		"/beta/industryData/runs/microsoft.graph.industryData.getStatistics()", "/beta/industryData/runs('" + rid + "')/getStatistics()"} {
		if again := h.must(200, request{method: "GET", path: p}); again.str("runId") != rid {
			t.Errorf("GET %s: %s", p, again.raw)
		}
	}
	// A tenant without runs has no latest statistics.
	if res := h.do(request{method: "GET", path: "/beta/industryData/runs/getStatistics()", tenant: tenantB}); res.status != 404 || res.errorCode() != "itemNotFound" {
		t.Errorf("latest statistics of a tenant without runs: %d %s", res.status, res.raw)
	}
}

// One run in progress per tenant, whichever way it was started; and a
// tenant with nothing to run is told so.
func TestRunsStartConflicts(t *testing.T) {
	h := newHarness(t)
	pid := h.systemProcess()["id"].(string)
	h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"})
	for _, p := range []string{"/beta/industryData/runs/start", "/beta/industryData/processes/" + pid + "/runs"} {
		res := h.must(409, request{method: "POST", path: p})
		if !strings.Contains(res.errorMessage(), "already has a run in progress") {
			t.Errorf("POST %s during a run: %s", p, res.raw)
		}
	}

	// Tenant B deletes its process and has no flow: nothing to run.
	bpid := h.must(200, request{method: "GET", path: "/beta/industryData/processes", tenant: tenantB})
	h.must(204, request{method: "DELETE", path: "/beta/industryData/processes/" + values(bpid)[0]["id"].(string), tenant: tenantB})
	res := h.must(409, request{method: "POST", path: "/beta/industryData/runs/start", tenant: tenantB})
	if !strings.Contains(res.errorMessage(), "nothing to run") {
		t.Errorf("runs/start with nothing to run: %s", res.raw)
	}
	// With a flow and no process, the run imports and builds no report:
	// its operation points at the run itself.
	flowtest.Ready(t, h.store, tenantB, "Rostering", flowtest.Roster(strings.NewReader(reportUsers), strings.NewReader(reportOrgs)))
	started := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start", tenant: tenantB})
	if started.str("displayName") != "Inbound flows" {
		t.Errorf("a run without a process: %s", started.raw)
	}
	runAllToEnd(t, h.store, tenantB, started.str("id"))
	op := h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + operationOf(t, started), tenant: tenantB})
	if op.str("status") != "succeeded" || op.str("resourceLocation") != "http://industrydata.test/beta/industryData/runs/"+started.str("id") ||
		op.str("statusDetail") != "Imported 1 of 1 inbound flows (0 skipped, 0 failed)." {
		t.Errorf("the operation of a run without a process: %s", op.raw)
	}
}

// The tenant's roster is the current data of all its flows: the report
// lists the users of each, says which flow each came from, judges orgs per
// flow and flags a username found in two flows.
func TestReportAcrossFlows(t *testing.T) {
	h := newHarness(t)
	const header = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\r\n"
	north := flowtest.Ready(t, h.store, tenantA, "North", flowtest.Roster(
		strings.NewReader(header+"u1,active,2025-01-01,true,org-n,student,Sam,,Sam,S,,,,,,,09,\r\n"),
		strings.NewReader("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\norg-n,active,2025-01-01,North,school,,\r\n")))
	south := flowtest.Ready(t, h.store, tenantA, "South", flowtest.Roster(
		strings.NewReader(header+"u1,active,2025-01-01,true,org-n,student,sam,,Sam,T,,,,,,,09,\r\n"),
		strings.NewReader("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\norg-s,active,2025-01-01,South,school,,\r\n")))
	rid := runsStart(t, h, tenantA)
	pid := h.systemProcess()["id"].(string)
	entries := values(h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries?$select=sourcedId,username,issues,inboundFlowId"}))
	got := make([]string, len(entries))
	for i, e := range entries {
		b, _ := json.Marshal([]any{e["sourcedId"], e["username"], e["issues"], e["inboundFlowId"]})
		got[i] = string(b)
	}
	want := []string{
		`["u1","Sam",["duplicateUsername"],"` + north + `"]`,
		// org-n is North's: unknown in South's own orgs.csv.
		`["u1","sam",["duplicateUsername","unknownOrg"],"` + south + `"]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	byFlow := h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries/$count?" + spaces("$filter=inboundFlowId eq '"+south+"'")})
	if byFlow.raw != "1" {
		t.Errorf("$filter on inboundFlowId: %q", byFlow.raw)
	}
}
