package httpapi_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"industrydata"
)

// The import surface (SPEC §11) through the real router: each set's
// lifecycle, @odata.bind in every form clients write, navigations,
// referential integrity, validation, reference definitions.

const idPrefix = "/beta/industryData/"

// setup creates a source system, a year, a connector and a flow in tenant
// A and returns their ids.
func (h *harness) importSurface() (ss, year, conn, flow string) {
	h.t.Helper()
	return h.importSurfaceIn(tenantA, "SIS")
}

// importSurfaceIn is importSurface in tenant, the source system named name.
func (h *harness) importSurfaceIn(tenant, name string) (ss, year, conn, flow string) {
	h.t.Helper()
	ss = h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", tenant: tenant,
		body: `{"displayName":"` + name + `","vendor":"Contoso"}`}).str("id")
	year = h.must(201, request{method: "POST", path: idPrefix + "years", tenant: tenant,
		body: `{"displayName":"2025","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"2025"}}`}).str("id")
	conn = h.must(201, request{method: "POST", path: idPrefix + "dataConnectors", tenant: tenant, body: `{
		"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"CSV drop",
		"sourceSystem@odata.bind":"https://graph.microsoft.com/beta/external/industryData/sourceSystems('` + ss + `')"}`}).str("id")
	flow = h.must(201, request{method: "POST", path: idPrefix + "inboundFlows", tenant: tenant, body: `{
		"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"Roster",
		"dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z",
		"dataConnector@odata.bind":"` + idPrefix + `dataConnectors/` + conn + `",
		"year@odata.bind":"years('` + year + `')"}`}).str("id")
	return ss, year, conn, flow
}

func TestImportSurfaceLifecycle(t *testing.T) {
	h := newHarness(t)
	ss, year, conn, flow := h.importSurface()

	for _, prefix := range []string{"/beta/industryData/", "/beta/external/industryData/"} {
		got := h.must(200, request{method: "GET", path: prefix + "inboundFlows/" + flow})
		if got.str("@odata.type") != "#microsoft.graph.industryData.inboundFileFlow" || got.str("readinessStatus") != "notReady" ||
			got.str("dataDomain") != "educationRostering" || got.header.Get("ETag") == "" {
			t.Errorf("%s: GET flow = %s", prefix, got.raw)
		}
		if !strings.Contains(got.str("@odata.context"), "$metadata#"+strings.TrimPrefix(prefix, "/beta/")+"inboundFlows/$entity") {
			t.Errorf("%s: context %q", prefix, got.str("@odata.context"))
		}
		nav := h.must(200, request{method: "GET", path: prefix + "dataConnectors/" + conn + "/sourceSystem"})
		if nav.str("id") != ss || nav.str("displayName") != "SIS" {
			t.Errorf("%s: sourceSystem segment = %s", prefix, nav.raw)
		}
		if h.must(200, request{method: "GET", path: prefix + "inboundFlows/" + flow + "/year"}).str("id") != year ||
			h.must(200, request{method: "GET", path: prefix + "inboundFlows/" + flow + "/dataConnector"}).str("id") != conn {
			t.Errorf("%s: flow navigation segments", prefix)
		}
	}

	// $expand writes each navigation as its entity.
	exp := h.must(200, request{method: "GET", path: idPrefix + "inboundFlows/" + flow + "?$expand=dataConnector,year"})
	dc, _ := exp.body["dataConnector"].(map[string]any)
	y, _ := exp.body["year"].(map[string]any)
	if dc["id"] != conn || y["id"] != year {
		t.Errorf("$expand = %s", exp.raw)
	}
	list := h.must(200, request{method: "GET", path: idPrefix + "dataConnectors?$expand=sourceSystem&$select=displayName"})
	items := list.body["value"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["sourceSystem"].(map[string]any)["id"] != ss {
		t.Errorf("list $expand = %s", list.raw)
	}

	// Deleting what is referred to is 409 naming the referrer.
	res := h.must(409, request{method: "DELETE", path: idPrefix + "sourceSystems/" + ss})
	if !strings.Contains(res.errorMessage(), conn) || !strings.Contains(res.errorMessage(), "sourceSystem") {
		t.Errorf("409 message %q does not name the referrer", res.errorMessage())
	}
	h.must(409, request{method: "DELETE", path: idPrefix + "years/" + year})

	// PATCH answers the whole object with a new ETag; If-Match guards it.
	etag := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/" + ss}).header.Get("ETag")
	patched := h.must(200, request{method: "PATCH", path: idPrefix + "sourceSystems/" + ss,
		body: `{"vendor":null}`, headers: []string{"If-Match", etag}})
	if _, has := patched.body["vendor"]; !has || patched.body["vendor"] != nil || patched.str("displayName") != "SIS" || patched.header.Get("ETag") == etag {
		t.Errorf("PATCH = %s (etag %s)", patched.raw, patched.header.Get("ETag"))
	}
	h.must(412, request{method: "PATCH", path: idPrefix + "sourceSystems/" + ss, body: `{"vendor":"x"}`, headers: []string{"If-Match", etag}})
	h.must(304, request{method: "GET", path: idPrefix + "sourceSystems/" + ss, headers: []string{"If-None-Match", patched.header.Get("ETag")}})

	// Rebinding a navigation by PATCH; then the chain can be deleted in order.
	ss2 := h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", body: `{"displayName":"SIS 2"}`}).str("id")
	h.must(200, request{method: "PATCH", path: idPrefix + "dataConnectors/" + conn,
		body: `{"sourceSystem@odata.bind":"sourceSystems/` + ss2 + `"}`})
	h.must(204, request{method: "DELETE", path: idPrefix + "sourceSystems/" + ss})
	h.must(204, request{method: "DELETE", path: idPrefix + "inboundFlows/" + flow})
	h.must(204, request{method: "DELETE", path: idPrefix + "dataConnectors/" + conn})
	h.must(204, request{method: "DELETE", path: idPrefix + "years/" + year})
	h.must(404, request{method: "GET", path: idPrefix + "years/" + year})
}

func TestImportSurfaceBindForms(t *testing.T) {
	h := newHarness(t)
	ss := h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", body: `{"displayName":"SIS"}`}).str("id")
	other := h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", body: `{"displayName":"B"}`, tenant: tenantB}).str("id")
	good := []string{
		"https://graph.microsoft.com/beta/external/industryData/sourceSystems('" + ss + "')",
		"https://graph.microsoft.com/beta/industryData/sourceSystems/" + ss,
		"http://localhost:8080/beta/external/industryData/sourceSystems/" + ss,
		"/beta/industryData/sourceSystems('" + ss + "')",
		"sourceSystems('" + ss + "')",
		"sourceSystems/" + ss,
		"industryData/sourceSystems/" + ss,
	}
	for _, u := range good {
		res := h.do(request{method: "POST", path: idPrefix + "dataConnectors", body: connectorBody(u)})
		if res.status != 201 {
			t.Errorf("bind %q: %d %s", u, res.status, res.raw)
		}
	}
	bad := map[string]string{
		"missing":         "sourceSystems('00000000-0000-0000-0000-000000000000')",
		"other tenant":    "sourceSystems('" + other + "')",
		"wrong set":       "years('" + ss + "')",
		"not a url":       "::",
		"query":           "sourceSystems/" + ss + "?x=1",
		"empty key":       "sourceSystems('')",
		"unbalanced":      "sourceSystems('" + ss,
		"deeper path":     "sourceSystems/" + ss + "/vendor",
		"operations root": "operations/" + ss,
	}
	for name, u := range bad {
		res := h.do(request{method: "POST", path: idPrefix + "dataConnectors", body: connectorBody(u)})
		if res.status != 400 || res.errorTarget() != "sourceSystem" && res.errorTarget() != "sourceSystem@odata.bind" {
			t.Errorf("%s: bind %q: %d target %q %s", name, u, res.status, res.errorTarget(), res.raw)
		}
	}
	// The other tenant's entity stays invisible and unreferenced.
	h.must(204, request{method: "DELETE", path: idPrefix + "sourceSystems/" + other, tenant: tenantB})
	if n := h.must(200, request{method: "GET", path: idPrefix + "dataConnectors/$count"}).raw; n != fmt.Sprint(len(good)) {
		t.Errorf("$count = %q, want %d", n, len(good))
	}
}

func connectorBody(bind string) string {
	return `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"c","sourceSystem@odata.bind":` + quoteJSON(bind) + `}`
}

func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func TestImportSurfaceValidation(t *testing.T) {
	h := newHarness(t)
	ss, year, conn, flow := h.importSurface()
	long := strings.Repeat("x", 101)
	cases := []struct {
		name, method, path, body, target string
	}{
		{"displayName over 100", "POST", "sourceSystems", `{"displayName":"` + long + `"}`, "displayName"},
		{"vendor over 100", "POST", "sourceSystems", `{"displayName":"a","vendor":"` + long + `"}`, "vendor"},
		{"displayName required", "POST", "sourceSystems", `{"vendor":"a"}`, "displayName"},
		{"displayName not null", "PATCH", "sourceSystems/" + ss, `{"displayName":null}`, "displayName"},
		{"priorityOrder Int32", "POST", "sourceSystems", `{"displayName":"a","userMatchingSettings":[{"priorityOrder":2147483648,"sourceIdentifier":{"code":"username"},"roleGroup@odata.bind":"roleGroups/x"}]}`, "userMatchingSettings/priorityOrder"},
		{"roleGroup required in a setting", "POST", "sourceSystems", `{"displayName":"a","userMatchingSettings":[{"priorityOrder":1,"sourceIdentifier":{"code":"username"}}]}`, "userMatchingSettings/roleGroup"},
		{"unknown identifier code", "POST", "sourceSystems", `{"displayName":"a","userMatchingSettings":[{"priorityOrder":1,"sourceIdentifier":{"code":"nope"},"roleGroup@odata.bind":"roleGroups/x"}]}`, "userMatchingSettings/sourceIdentifier/code"},
		{"startDate not a date", "POST", "years", `{"displayName":"y","startDate":"2024-13-01","endDate":"2025-06-30","year":{"code":"2025"}}`, "startDate"},
		{"startDate with a time", "POST", "years", `{"displayName":"y","startDate":"2024-09-01T00:00:00Z","endDate":"2025-06-30","year":{"code":"2025"}}`, "startDate"},
		{"end before start", "POST", "years", `{"displayName":"y","startDate":"2025-09-01","endDate":"2025-06-30","year":{"code":"2025"}}`, "endDate"},
		{"unknown year code", "POST", "years", `{"displayName":"y","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"1066"}}`, "year/code"},
		{"year code missing", "POST", "years", `{"displayName":"y","startDate":"2024-09-01","endDate":"2025-06-30","year":{}}`, "year/code"},
		{"year required", "POST", "years", `{"displayName":"y","startDate":"2024-09-01","endDate":"2025-06-30"}`, "year"},
		{"role code unknown", "POST", "roleGroups", `{"displayName":"g","roles":[{"code":"pilot"}]}`, "roles/code"},
		{"roles required", "POST", "roleGroups", `{"displayName":"g"}`, "roles"},
		{"abstract connector type", "POST", "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.industryDataConnector","displayName":"c","sourceSystem@odata.bind":"sourceSystems/` + ss + `"}`, "@odata.type"},
		{"connector type missing", "POST", "dataConnectors", `{"displayName":"c","sourceSystem@odata.bind":"sourceSystems/` + ss + `"}`, "@odata.type"},
		{"sourceSystem required", "POST", "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"c"}`, "sourceSystem"},
		{"navigation as a value", "POST", "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"c","sourceSystem":{"id":"` + ss + `"}}`, "sourceSystem"},
		{"file format unknown", "PATCH", "dataConnectors/" + conn, `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","fileFormat":{"code":"xlsx"}}`, "fileFormat/code"},
		{"readinessStatus is the server's", "PATCH", "inboundFlows/" + flow, `{"readinessStatus":"ready"}`, "readinessStatus"},
		{"readinessStatus on create", "POST", "inboundFlows", `{"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"f","readinessStatus":"ready","dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z","dataConnector@odata.bind":"dataConnectors/` + conn + `","year@odata.bind":"years/` + year + `"}`, "readinessStatus"},
		{"dataDomain enum", "PATCH", "inboundFlows/" + flow, `{"dataDomain":"finance"}`, "dataDomain"},
		{"expiration before effective", "PATCH", "inboundFlows/" + flow, `{"expirationDateTime":"2020-01-01T00:00:00Z"}`, "expirationDateTime"},
		{"year required on a flow", "POST", "inboundFlows", `{"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"f","dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z","dataConnector@odata.bind":"dataConnectors/` + conn + `"}`, "year"},
		{"unknown property", "POST", "years", `{"displayName":"y","colour":"red"}`, "colour"},
		{"too many roles", "POST", "roleGroups", `{"displayName":"g","roles":[` + strings.TrimSuffix(strings.Repeat(`{"code":"student"},`, 51), ",") + `]}`, "roles"},
		{"too many settings", "POST", "sourceSystems", `{"displayName":"a","userMatchingSettings":[` + strings.TrimSuffix(strings.Repeat(`{"priorityOrder":1,"sourceIdentifier":{"code":"username"},"roleGroup@odata.bind":"roleGroups/x"},`, 51), ",") + `]}`, "userMatchingSettings"},
		{"id of another entity", "PATCH", "years/" + year, `{"id":"x"}`, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := h.do(request{method: "GET", path: idPrefix + strings.Split(c.path, "/")[0]}).raw
			res := h.do(request{method: c.method, path: idPrefix + c.path, body: c.body})
			if res.status != 400 || res.errorTarget() != c.target {
				t.Fatalf("%d target %q, want 400 naming %q: %s", res.status, res.errorTarget(), c.target, res.raw)
			}
			if after := h.do(request{method: "GET", path: idPrefix + strings.Split(c.path, "/")[0]}).raw; after != before {
				t.Errorf("a refused write changed the set:\n%s\n%s", before, after)
			}
		})
	}
}

func TestImportSurfaceQueries(t *testing.T) {
	h := newHarness(t)
	for i := range 7 {
		h.must(201, request{method: "POST", path: idPrefix + "sourceSystems",
			body: fmt.Sprintf(`{"displayName":"SIS %d","vendor":"%s"}`, i, []string{"Contoso", "Fabrikam"}[i%2])})
	}
	q := func(opts string) *response {
		return h.must(200, request{method: "GET", path: idPrefix + "sourceSystems?" + opts})
	}
	if res := q("$filter=" + url.QueryEscape("vendor eq 'Contoso'") + "&$count=true"); res.body["@odata.count"] != float64(4) || len(res.body["value"].([]any)) != 4 {
		t.Errorf("$filter/$count = %s", res.raw)
	}
	res := q("$orderby=" + url.QueryEscape("displayName desc") + "&$top=3&$select=displayName")
	vals := res.body["value"].([]any)
	if len(vals) != 3 || vals[0].(map[string]any)["displayName"] != "SIS 6" || vals[0].(map[string]any)["vendor"] != nil {
		t.Errorf("$orderby/$top/$select = %s", res.raw)
	}
	// Keyset nextLinks walk the whole set once.
	seen := map[string]bool{}
	next := idPrefix + "sourceSystems?$top=2&$orderby=" + url.QueryEscape("vendor,displayName desc")
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("nextLinks do not end")
		}
		res := h.must(200, request{method: "GET", path: strings.TrimPrefix(next, "http://industrydata.test")})
		for _, v := range res.body["value"].([]any) {
			id := v.(map[string]any)["id"].(string)
			if seen[id] {
				t.Errorf("%s seen twice", id)
			}
			seen[id] = true
		}
		next = res.str("@odata.nextLink")
	}
	if len(seen) != 7 {
		t.Errorf("walked %d of 7", len(seen))
	}
	if got := q("$skip=5").body["value"].([]any); len(got) != 2 {
		t.Errorf("$skip=5 gave %d", len(got))
	}
	cnt := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/$count?$filter=" + url.QueryEscape("startswith(displayName,'SIS')")})
	if cnt.raw != "7" || !strings.HasPrefix(cnt.header.Get("Content-Type"), "text/plain") {
		t.Errorf("$count = %q %q", cnt.raw, cnt.header.Get("Content-Type"))
	}
	h.must(400, request{method: "GET", path: idPrefix + "sourceSystems?$filter=" + url.QueryEscape("colour eq 'red'")})
	// Tenant B sees none of it.
	if n := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/$count", tenant: tenantB}).raw; n != "0" {
		t.Errorf("tenant B counts %s", n)
	}
}

func TestReferenceDefinitions(t *testing.T) {
	h := newHarness(t)
	roles := h.must(200, request{method: "GET", path: idPrefix + "referenceDefinitions?$filter=" + url.QueryEscape("referenceType eq 'RefRole'") + "&$count=true"})
	if roles.body["@odata.count"] != float64(8) {
		t.Errorf("RefRole definitions: %s", roles.raw)
	}
	for _, id := range []string{"RefRole-student", "RefOrgType-school", "RefAcademicYear-2025", "RefFileFormat-oneRoster", "RefIdentifierType-username", "RefUserMatchTarget-userPrincipalName", "RefGradeLevel-KG"} {
		res := h.must(200, request{method: "GET", path: idPrefix + "referenceDefinitions/" + id})
		if res.str("source") != "system" || res.header.Get("ETag") == "" {
			t.Errorf("%s: %s", id, res.raw)
		}
	}
	// A tenant adds a code to an extensible type; the other tenant does not see it.
	created := h.must(201, request{method: "POST", path: idPrefix + "referenceDefinitions",
		body: `{"referenceType":"RefAcademicSubject","code":"math","displayName":"Mathematics"}`})
	if created.str("id") != "RefAcademicSubject-math" || created.str("source") != "tenant" || created.body["sortIndex"] != float64(0) {
		t.Errorf("created: %s", created.raw)
	}
	h.must(404, request{method: "GET", path: idPrefix + "referenceDefinitions/RefAcademicSubject-math", tenant: tenantB})
	h.must(409, request{method: "POST", path: idPrefix + "referenceDefinitions", body: `{"referenceType":"RefAcademicSubject","code":"math"}`})
	h.must(409, request{method: "POST", path: idPrefix + "referenceDefinitions", body: `{"referenceType":"RefGradeLevel","code":"KG"}`})
	h.must(200, request{method: "PATCH", path: idPrefix + "referenceDefinitions/RefAcademicSubject-math", body: `{"displayName":"Maths"}`})
	h.must(204, request{method: "DELETE", path: idPrefix + "referenceDefinitions/RefAcademicSubject-math"})

	// System definitions: not extensible, not deletable, only disabled or re-sorted.
	if res := h.must(403, request{method: "POST", path: idPrefix + "referenceDefinitions", body: `{"referenceType":"RefRole","code":"pilot"}`}); res.errorCode() != "accessDenied" {
		t.Errorf("POST RefRole: %s", res.raw)
	}
	h.must(400, request{method: "POST", path: idPrefix + "referenceDefinitions", body: `{"referenceType":"RefNope","code":"x"}`})
	h.must(400, request{method: "POST", path: idPrefix + "referenceDefinitions", body: `{"referenceType":"RefRace","code":"a/b"}`})
	h.must(403, request{method: "DELETE", path: idPrefix + "referenceDefinitions/RefRole-student"})
	h.must(403, request{method: "PATCH", path: idPrefix + "referenceDefinitions/RefRole-student", body: `{"displayName":"Pupil"}`})
	h.must(400, request{method: "PATCH", path: idPrefix + "referenceDefinitions/RefRole-student", body: `{"code":"pupil"}`})
	h.must(400, request{method: "PATCH", path: idPrefix + "referenceDefinitions/RefRole-student", body: `{"source":"tenant"}`})
	disabled := h.must(200, request{method: "PATCH", path: idPrefix + "referenceDefinitions/RefAcademicYear-2030", body: `{"isDisabled":true,"sortIndex":99}`})
	if disabled.body["isDisabled"] != true || disabled.body["sortIndex"] != float64(99) || disabled.header.Get("ETag") == `"system-1"` {
		t.Errorf("PATCH system definition: %s", disabled.raw)
	}
	// The change is the tenant's only, and a disabled code is refused.
	if res := h.must(200, request{method: "GET", path: idPrefix + "referenceDefinitions/RefAcademicYear-2030", tenant: tenantB}); res.body["isDisabled"] != false {
		t.Errorf("tenant B sees A's change: %s", res.raw)
	}
	res := h.do(request{method: "POST", path: idPrefix + "years", body: `{"displayName":"y","startDate":"2029-09-01","endDate":"2030-06-30","year":{"code":"2030"}}`})
	if res.status != 400 || res.errorTarget() != "year/code" {
		t.Errorf("disabled code: %d %s", res.status, res.raw)
	}
	h.must(201, request{method: "POST", path: idPrefix + "years", body: `{"displayName":"y","startDate":"2029-09-01","endDate":"2030-06-30","year":{"code":"2030"}}`, tenant: tenantB})
	// The override keeps the definition's place in the order.
	page := h.must(200, request{method: "GET", path: idPrefix + "referenceDefinitions?$filter=" + url.QueryEscape("referenceType eq 'RefAcademicYear' and isDisabled eq true")})
	if v := page.body["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != "RefAcademicYear-2030" {
		t.Errorf("filter on the override: %s", page.raw)
	}
}

// TestImportSurfaceConcurrentPatch: PATCHes racing with the same If-Match
// all read the same version; exactly one wins, the rest are 412.
func TestImportSurfaceConcurrentPatch(t *testing.T) {
	h := newHarness(t)
	ss, _, _, _ := h.importSurface()
	etag := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/" + ss}).header.Get("ETag")
	const n = 24
	tok := token(t, tenantA)
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := h.handlerDo(request{method: "PATCH", path: idPrefix + "sourceSystems/" + ss, token: tok,
				body: fmt.Sprintf(`{"vendor":"v%d"}`, i), headers: []string{"If-Match", etag}})
			statuses <- res
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[412] != n-1 {
		t.Errorf("statuses %v, want one 200 and %d 412", count, n-1)
	}
}

// handlerDo is do for use off the test goroutine, with rq.token: it
// reports the status only, leaving failures to the caller.
func (h *harness) handlerDo(rq request) int {
	req := httptest.NewRequest(rq.method, "http://industrydata.test"+rq.path, strings.NewReader(rq.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+rq.token)
	for i := 0; i+1 < len(rq.headers); i += 2 {
		req.Header.Set(rq.headers[i], rq.headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec.Code
}

// TestImportSurfaceWritesAreAudited: each write of a set records its type,
// id and what changed, navigations as their target ids; a refused write
// records nothing.
func TestImportSurfaceWritesAreAudited(t *testing.T) {
	h := newHarness(t)
	ss, _, conn, _ := h.importSurface()
	ss2 := h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", body: `{"displayName":"SIS 2"}`}).str("id")
	at := h.lastAuditPosition()
	res := h.must(200, request{method: "PATCH", path: idPrefix + "dataConnectors/" + conn,
		body: `{"displayName":"renamed","sourceSystem@odata.bind":"sourceSystems('` + ss2 + `')"}`})
	h.must(409, request{method: "DELETE", path: idPrefix + "sourceSystems/" + ss2})
	recs := h.auditSince(at)
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Action != industrydata.AuditUpdate || r.EntityType != "microsoft.graph.industryData.azureDataLakeConnector" ||
		r.EntityID != conn || r.RequestID != res.header.Get("request-id") {
		t.Errorf("record %+v", r)
	}
	got := map[string][2]string{}
	for _, c := range r.Changes {
		got[c.Property] = [2]string{string(c.Old), string(c.New)}
	}
	want := map[string][2]string{
		"displayName":  {`"CSV drop"`, `"renamed"`},
		"sourceSystem": {`"` + ss + `"`, `"` + ss2 + `"`},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes %v, want %v", got, want)
	}
}

// TestUserMatchingSettings: a role group bound inside a source system's
// settings is kept, shown back as the settings were sent (without the
// binding, as Graph does), and keeps the role group from being deleted.
func TestUserMatchingSettings(t *testing.T) {
	h := newHarness(t)
	rg := h.must(201, request{method: "POST", path: idPrefix + "roleGroups", body: `{"displayName":"Staff","roles":[{"code":"teacher"},{"code":"administrator"}]}`}).str("id")
	ss := h.must(201, request{method: "POST", path: idPrefix + "sourceSystems", body: `{"displayName":"SIS","userMatchingSettings":[
		{"matchTarget":{"code":"userPrincipalName"},"priorityOrder":0,"sourceIdentifier":{"code":"username"},
		 "roleGroup@odata.bind":"https://graph.microsoft.com/beta/external/industryData/roleGroups('` + rg + `')"}]}`}).str("id")
	got := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems('" + ss + "')"})
	want := `[{"matchTarget":{"code":"userPrincipalName"},"priorityOrder":0,"sourceIdentifier":{"code":"username"}}]`
	if !strings.Contains(got.raw, `"userMatchingSettings":`+want) {
		t.Errorf("GET = %s, want settings %s", got.raw, want)
	}
	res := h.must(409, request{method: "DELETE", path: idPrefix + "roleGroups/" + rg})
	if !strings.Contains(res.errorMessage(), "userMatchingSettings/roleGroup") {
		t.Errorf("409 = %s", res.raw)
	}
	h.must(200, request{method: "PATCH", path: idPrefix + "sourceSystems/" + ss, body: `{"userMatchingSettings":[]}`})
	h.must(204, request{method: "DELETE", path: idPrefix + "roleGroups('" + rg + "')"})
}

// TestImportSurfaceConcurrentBlindPatches: PATCHes racing without If-Match
// all go through, one after the other: each is audited, and the entity
// ends as one of them left it.
func TestImportSurfaceConcurrentBlindPatches(t *testing.T) {
	h := newHarness(t)
	ss, _, _, _ := h.importSurface()
	at := h.lastAuditPosition()
	tok := token(t, tenantA)
	const n = 32
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- h.handlerDo(request{method: "PATCH", path: idPrefix + "sourceSystems/" + ss, token: tok,
				body: fmt.Sprintf(`{"vendor":"v%d"}`, i)})
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 200 {
			t.Errorf("status %d, want 200", s)
		}
	}
	if recs := h.auditSince(at); len(recs) != n {
		t.Errorf("%d audit records, want %d", len(recs), n)
	}
	if v := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/" + ss}).str("vendor"); !strings.HasPrefix(v, "v") {
		t.Errorf("vendor %q", v)
	}
}
