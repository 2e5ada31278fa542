package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/internal/flowtest"
)

// A small roster whose report is known by heart:
//
//	u1 teacher alice, clean
//	u2 teacher bob, no email                        → missingEmail
//	u3 student Dave and u6 student dave             → duplicateUsername (both)
//	u4 student, disabled, an org orgs.csv lacks     → unknownOrg; inactive
//	u5 wizard carol, no org                         → noOrg, unknownRole
//
// u4's username starts with = so that the CSV download must defuse it.
const (
	reportOrgs = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n" +
		"org-1,active,2024-05-01T00:00:00Z,North School,school,N1,\r\n" +
		"org-2,active,2024-05-01T00:00:00Z,South School,school,S1,\r\n"
	reportUsers = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\r\n" +
		"u1,active,2024-05-01T00:00:00Z,true,org-1,teacher,alice,,Alice,A,,,alice@north.example,,,,,\r\n" +
		"u2,active,2024-05-01T00:00:00Z,true,org-1,teacher,bob,,Bob,B,,,,,,,,\r\n" +
		"u3,active,2024-05-01T00:00:00Z,true,\"org-1,org-2\",student,Dave,,Dave,D,,,,,,,09,\r\n" +
		"u4,active,2024-05-01T00:00:00Z,false,org-9,student,=1+2,,Eve,E,,,,,,,09,\r\n" +
		"u5,active,2024-05-01T00:00:00Z,true,,wizard,carol,,Carol,C,,,,,,,,\r\n" +
		"u6,tobedeleted,2024-05-01T00:00:00Z,true,org-2,student,dave,,Dave,E,,,,,,,10,\r\n"
)

// reportRun gives tenant A an inbound flow of the roster, starts a run
// with runs/start over HTTP (it imports the flow and builds the report),
// lets a runner finish it, and returns the process and run ids.
func reportRun(t *testing.T, h *harness) (pid, rid string) {
	t.Helper()
	flowtest.Ready(t, h.store, tenantA, "Rostering", flowtest.Roster(strings.NewReader(reportUsers), strings.NewReader(reportOrgs)))
	pid = h.systemProcess()["id"].(string)
	res := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"})
	rid = res.str("id")
	runToEnd(t, h.store, rid)
	return pid, rid
}

// runToEnd executes runs with a runner until tenant A's run rid has ended.
func runToEnd(t *testing.T, st industrydata.Store, rid string) {
	t.Helper()
	runAllToEnd(t, st, tenantA, rid)
}

func TestStartRun(t *testing.T) {
	h := newHarness(t)
	pid := h.systemProcess()["id"].(string)
	runs := "/beta/industryData/processes/" + pid + "/runs"

	res := h.must(202, request{method: "POST", path: runs})
	loc := res.header.Get("Location")
	if !strings.HasPrefix(loc, "http://industrydata.test/beta/industryData/operations/") {
		t.Fatalf("Location %q is not an absolute operation URL", loc)
	}
	if res.str("@odata.type") != runType || res.str("status") != "running" || res.body["endDateTime"] != nil {
		t.Errorf("202 body is not a running run: %s", res.raw)
	}
	if got, want := res.str("@odata.context"), "http://industrydata.test/beta/$metadata#industryData/processes('"+pid+"')/runs/$entity"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
	u, _ := url.Parse(loc)
	op := h.must(200, request{method: "GET", path: u.Path})
	if op.str("status") != "notStarted" || op.str("@odata.type") != "#microsoft.graph.longRunningOperation" {
		t.Errorf("the operation of a new run: %s", op.raw)
	}
	h.must(200, request{method: "GET", path: "/beta/industryData/runs/" + res.str("id")})

	// One run in progress at a time, and nothing written by the refusal.
	again := h.must(409, request{method: "POST", path: runs})
	if again.errorCode() != "conflict" || !strings.Contains(again.errorMessage(), "run in progress") {
		t.Errorf("second start: %s", again.raw)
	}
	list := h.must(200, request{method: "GET", path: runs})
	if n := len(values(list)); n != 1 {
		t.Errorf("%d runs after a refused start, want 1", n)
	}
	ops := h.must(200, request{method: "GET", path: "/beta/industryData/operations"})
	if n := len(values(ops)); n != 1 {
		t.Errorf("%d operations after a refused start, want 1", n)
	}
}

func TestStartRunRefusals(t *testing.T) {
	h := newHarness(t)
	p := h.systemProcess()
	pid := p["id"].(string)
	runs := "/beta/industryData/processes/" + pid + "/runs"
	tests := []struct {
		name   string
		rq     request
		status int
		code   string
		target string
	}{
		{"unknown process", request{method: "POST", path: "/beta/industryData/processes/nope/runs"}, 404, "itemNotFound", ""},
		{"a parameter", request{method: "POST", path: runs, body: `{"displayName":"x"}`}, 400, "badRequest", "displayName"},
		{"not JSON", request{method: "POST", path: runs, body: `run please`}, 400, "badRequest", ""},
		{"a query option", request{method: "POST", path: runs + "?$top=1"}, 400, "badRequest", "$top"},
		{"no permission to start", request{method: "POST", path: runs, token: token(t, tenantA, industrydata.PermRunRead)}, 403, "accessDenied", ""},
		{"another tenant's process", request{method: "POST", path: runs, tenant: tenantB}, 404, "itemNotFound", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := h.must(tc.status, tc.rq)
			if res.errorCode() != tc.code || res.errorTarget() != tc.target {
				t.Errorf("code %q target %q, want %q %q: %s", res.errorCode(), res.errorTarget(), tc.code, tc.target, res.raw)
			}
		})
	}
	if n := len(values(h.must(200, request{method: "GET", path: runs}))); n != 0 {
		t.Fatalf("%d runs after refusals", n)
	}

	// A process that is not ready does not run.
	h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + pid,
		body: `{"displayName":"x","readinessStatus":"notReady","eTag":"` + p["eTag"].(string) + `"}`})
	res := h.must(409, request{method: "POST", path: runs})
	if !strings.Contains(res.errorMessage(), "not ready") {
		t.Errorf("not ready: %s", res.raw)
	}
	// An empty JSON object is no parameter at all.
	h.must(409, request{method: "POST", path: runs, body: `{}`})
}

func TestStartAllRuns(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/beta/industryData/runs/start", "/beta/external/industryData/runs/microsoft.graph.industryData.start"} {
		t.Run(path, func(t *testing.T) {
			h := newHarness(t)
			res := h.must(202, request{method: "POST", path: path})
			prefix := path[:strings.Index(path, "/runs/")] + "/operations/"
			if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "http://industrydata.test"+prefix) {
				t.Errorf("Location %q, want under %s", loc, prefix)
			}
			if res.str("status") != "running" {
				t.Errorf("body: %s", res.raw)
			}
			h.must(409, request{method: "POST", path: path})
		})
	}
	h.must(403, request{method: "POST", path: "/beta/industryData/runs/start", token: token(t, tenantA, industrydata.PermRunRead)})
}

func TestUserReport(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	reportPath := "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport"

	run := h.must(200, request{method: "GET", path: "/beta/industryData/runs/" + rid})
	if run.str("status") != "completedWithErrors" {
		t.Errorf("run status %q, want completedWithErrors (users have issues)", run.str("status"))
	}
	ops := values(h.must(200, request{method: "GET", path: "/beta/industryData/operations"}))
	if len(ops) != 1 || ops[0]["status"] != "succeeded" || ops[0]["resourceLocation"] != "http://industrydata.test"+reportPath ||
		ops[0]["statusDetail"] != "Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 6 of 6 users; 5 with issues." {
		t.Errorf("operation: %v", ops)
	}

	rep := h.must(200, request{method: "GET", path: reportPath})
	if rep.header.Get("ETag") == "" {
		t.Error("no ETag on the report")
	}
	want := map[string]any{
		"@odata.context":  "http://industrydata.test/beta/$metadata#industryData/processes('" + pid + "')/runs('" + rid + "')/userReport/$entity",
		"@odata.type":     "#microsoft.graph.industryData.userReport",
		"id":              rid,
		"createdDateTime": rep.body["createdDateTime"],
		"summary": map[string]any{
			"totalUsers": 6.0, "activeUsers": 4.0, "inactiveUsers": 2.0, "usersWithIssues": 5.0,
			"usersByRole": []any{
				map[string]any{"role": "student", "count": 3.0},
				map[string]any{"role": "teacher", "count": 2.0},
				map[string]any{"role": "wizard", "count": 1.0},
			},
			"usersByOrg": []any{
				map[string]any{"orgSourcedId": "org-1", "orgName": "North School", "count": 3.0},
				map[string]any{"orgSourcedId": "org-2", "orgName": "South School", "count": 2.0},
			},
		},
	}
	if diff := cmp.Diff(want, rep.body); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	h.must(304, request{method: "GET", path: reportPath, headers: []string{"If-None-Match", rep.header.Get("ETag")}})

	entries := h.must(200, request{method: "GET", path: reportPath + "/entries"})
	wantEntries := []any{
		entry("u1", "alice", "teacher", true, []string{"org-1"}),
		entry("u2", "bob", "teacher", true, []string{"org-1"}, "missingEmail"),
		entry("u3", "Dave", "student", true, []string{"org-1", "org-2"}, "duplicateUsername"),
		entry("u4", "=1+2", "student", false, []string{"org-9"}, "unknownOrg"),
		entry("u5", "carol", "wizard", true, []string{}, "noOrg", "unknownRole"),
		entry("u6", "dave", "student", false, []string{"org-2"}, "duplicateUsername"),
	}
	flow := reportFlow(h)
	for _, e := range wantEntries {
		e.(map[string]any)["inboundFlowId"] = flow
	}
	if diff := cmp.Diff(wantEntries, entries.body["value"]); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if got, want := entries.str("@odata.context"), "http://industrydata.test/beta/$metadata#industryData/processes('"+pid+"')/runs('"+rid+"')/userReport/entries"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
}

// reportFlow is the inbound flow reportRun imported.
func reportFlow(h *harness) string {
	h.t.Helper()
	flows := values(h.must(200, request{method: "GET", path: "/beta/industryData/inboundFlows"}))
	if len(flows) != 1 {
		h.t.Fatalf("inbound flows: %v", flows)
	}
	return flows[0]["id"].(string)
}

func entry(id, username, role string, active bool, orgs []string, issues ...string) map[string]any {
	o := make([]any, len(orgs))
	for i, s := range orgs {
		o[i] = s
	}
	is := make([]any, len(issues))
	for i, s := range issues {
		is[i] = s
	}
	return map[string]any{"@odata.type": "#microsoft.graph.industryData.userReportEntry",
		"sourcedId": id, "username": username, "role": role, "orgSourcedIds": o, "isActive": active, "issues": is}
}

func TestUserReportEntriesQuery(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	entries := "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries"
	tests := []struct {
		query string
		want  []string
		count int // -1: no $count
	}{
		{"$filter=role eq 'teacher'", []string{"u1", "u2"}, -1},
		{"$filter=issues/any(i: i eq 'missingEmail')", []string{"u2"}, -1},
		{"$filter=issues/any(i: i eq 'duplicateUsername')&$count=true", []string{"u3", "u6"}, 2},
		{"$filter=orgSourcedIds/any(o: o eq 'org-2')", []string{"u3", "u6"}, -1},
		{"$filter=isActive eq false", []string{"u4", "u6"}, -1},
		{"$filter=not issues/any()", []string{"u1"}, -1},
		{"$filter=startswith(username, 'da')", []string{"u6"}, -1},
		{"$orderby=username desc&$top=2", []string{"u6", "u5"}, -1},
		{"$count=true&$top=1", []string{"u1"}, 6},
		{"$select=username", []string{"u1", "u2", "u3", "u4", "u5", "u6"}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: entries + "?" + spaces(tc.query)})
			var got []string
			for _, v := range values(res) {
				got = append(got, v["sourcedId"].(string))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if c, ok := res.body["@odata.count"]; (tc.count >= 0) != ok || ok && c != float64(tc.count) {
				t.Errorf("@odata.count %v, want %d", c, tc.count)
			}
		})
	}

	// Paging: $top sets the page size; nextLink carries on.
	var got []string
	next := entries + "?$top=4"
	for next != "" {
		res := h.must(200, request{method: "GET", path: next})
		for _, v := range values(res) {
			got = append(got, v["sourcedId"].(string))
		}
		next = strings.TrimPrefix(res.str("@odata.nextLink"), "http://industrydata.test")
	}
	if diff := cmp.Diff([]string{"u1", "u2", "u3", "u4", "u5", "u6"}, got); diff != "" {
		t.Errorf("paged (-want +got):\n%s", diff)
	}

	for _, bad := range []string{"$filter=issues/any(i: i eq 'bogus')", "$filter=password eq 'x'", "$orderby=issues"} {
		res := h.must(400, request{method: "GET", path: entries + "?" + spaces(bad)})
		if res.errorCode() != "badRequest" {
			t.Errorf("%s: %s", bad, res.raw)
		}
	}
}

func TestUserReportCSV(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	entries := "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport/entries"
	res := h.must(200, request{method: "GET", path: entries, headers: []string{"Accept", "text/csv"}})
	if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="userReport-`+rid+`.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	flow := reportFlow(h)
	want := "sourcedId,username,role,orgSourcedIds,isActive,issues,inboundFlowId\n" +
		"u1,alice,teacher,org-1,true,," + flow + "\n" +
		"u2,bob,teacher,org-1,true,missingEmail," + flow + "\n" +
		"u3,Dave,student,\"org-1,org-2\",true,duplicateUsername," + flow + "\n" +
		"u4,'=1+2,student,org-9,false,unknownOrg," + flow + "\n" +
		"u5,carol,wizard,,true,\"noOrg,unknownRole\"," + flow + "\n" +
		"u6,dave,student,org-2,false,duplicateUsername," + flow + "\n"
	if res.raw != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", res.raw, want)
	}
	filtered := h.must(200, request{method: "GET", path: entries + "?" + spaces("$filter=role eq 'wizard'"), headers: []string{"Accept", "text/csv, application/json;q=0.5"}})
	if filtered.raw != "sourcedId,username,role,orgSourcedIds,isActive,issues,inboundFlowId\nu5,carol,wizard,,true,\"noOrg,unknownRole\","+flow+"\n" {
		t.Errorf("filtered CSV:\n%s", filtered.raw)
	}
	none := h.must(200, request{method: "GET", path: entries + "?" + spaces("$filter=role eq 'aide'"), headers: []string{"Accept", "text/csv"}})
	if none.raw != "sourcedId,username,role,orgSourcedIds,isActive,issues,inboundFlowId\n" {
		t.Errorf("empty CSV:\n%s", none.raw)
	}
	// JSON stays the default, and wins when preferred.
	js := h.must(200, request{method: "GET", path: entries, headers: []string{"Accept", "application/json, text/csv;q=0.1"}})
	if !strings.HasPrefix(js.header.Get("Content-Type"), "application/json") {
		t.Errorf("JSON preferred, got %q", js.header.Get("Content-Type"))
	}
}

func TestUserReportNotFound(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	// A second run, still in progress: no report yet.
	running := h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + pid + "/runs"}).str("id")
	tests := []struct {
		name, path, tenant, message string
	}{
		{"run in progress", "/processes/" + pid + "/runs/" + running + "/userReport", "", "has not finished"},
		{"entries of a run in progress", "/processes/" + pid + "/runs/" + running + "/userReport/entries", "", "has not finished"},
		{"unknown run", "/processes/" + pid + "/runs/nope/userReport", "", "'nope' was not found"},
		{"run under another process id", "/processes/other/runs/" + rid + "/userReport", "", "was not found"},
		{"another tenant", "/processes/" + pid + "/runs/" + rid + "/userReport", tenantB, "was not found"},
		{"another tenant's entries", "/processes/" + pid + "/runs/" + rid + "/userReport/entries", tenantB, "was not found"},
		{"another tenant's CSV", "/processes/" + pid + "/runs/" + rid + "/userReport/entries", tenantB, "was not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := h.must(404, request{method: "GET", path: "/beta/industryData" + tc.path, tenant: tc.tenant,
				headers: []string{"Accept", "text/csv"}})
			if res.errorCode() != "itemNotFound" || !strings.Contains(res.errorMessage(), tc.message) {
				t.Errorf("%s", res.raw)
			}
		})
	}
	// Reading reports takes a runs permission.
	h.must(403, request{method: "GET", path: "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport",
		token: token(t, tenantA, industrydata.PermReadBasic)})
	h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport",
		token: token(t, tenantA, industrydata.PermRunRead)})
}

// spaces encodes the spaces of a query string.
func spaces(q string) string { return strings.ReplaceAll(q, " ", "%20") }
