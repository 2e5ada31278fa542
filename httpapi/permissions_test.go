package httpapi_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"industrydata"
	"industrydata/auth"
	"industrydata/httpapi"
)

// Route keys: "METHOD path", the path below the version prefix, exactly as
// the route table spells it.
const (
	keyRoot     = "GET /industryData"
	keyExternal = "GET /external"

	keyListOperations  = "GET /industryData/operations"
	keyCreateOperation = "POST /industryData/operations"
	keyGetOperation    = "GET /industryData/operations/{id}"
	keyPatchOperation  = "PATCH /industryData/operations/{id}"
	keyDeleteOperation = "DELETE /industryData/operations/{id}"

	keyListProcesses   = "GET /industryData/processes"
	keyCreateProcess   = "POST /industryData/processes"
	keyGetProcess      = "GET /industryData/processes/{id}"
	keyPatchProcess    = "PATCH /industryData/processes/{id}"
	keyDeleteProcess   = "DELETE /industryData/processes/{id}"
	keyListCastProcess = "GET /industryData/processes/" + urrp
	keyGetCastProcess  = "GET /industryData/processes/{id}/" + urrp
	keyPatchCast       = "PATCH /industryData/processes/{id}/" + urrp

	keyListProcessRuns = "GET /industryData/processes/{id}/runs"
	keyStartRun        = "POST /industryData/processes/{id}/runs"
	keyUserReport      = "GET /industryData/processes/{id}/runs/{rid}/userReport"
	keyReportEntries   = "GET /industryData/processes/{id}/runs/{rid}/userReport/entries"
	keyListRuns        = "GET /industryData/runs"
	keyGetRun          = "GET /industryData/runs/{id}"
	keyStartAllRuns    = "POST /industryData/runs/start"
	keyStartAllRunsFQ  = "POST /industryData/runs/microsoft.graph.industryData.start"

	// A run's activities and statistics.
	keyActivities         = "GET /industryData/runs/{id}/activities"
	keyCountActivities    = "GET /industryData/runs/{id}/activities/$count"
	keyCastActivities     = "GET /industryData/runs/{id}/activities/microsoft.graph.industryData.inboundFlowActivity"
	keyCountCastActivity  = "GET /industryData/runs/{id}/activities/microsoft.graph.industryData.inboundFlowActivity/$count"
	keyActivity           = "GET /industryData/runs/{id}/activities/{aid}"
	keyCastActivity       = "GET /industryData/runs/{id}/activities/{aid}/microsoft.graph.industryData.inboundFlowActivity"
	keyActivityFlow       = "GET /industryData/runs/{id}/activities/{aid}/activity"
	keyLatestStatistics   = "GET /industryData/runs/getStatistics()"
	keyLatestStatisticsFQ = "GET /industryData/runs/microsoft.graph.industryData.getStatistics()"
	keyRunStatistics      = "GET /industryData/runs/{id}/getStatistics()"
	keyRunStatisticsFQ    = "GET /industryData/runs/{id}/microsoft.graph.industryData.getStatistics()"

	// $count of each collection: the permissions of the collection's GET.
	keyCountOperations    = "GET /industryData/operations/$count"
	keyCountProcesses     = "GET /industryData/processes/$count"
	keyCountCastProcesses = "GET /industryData/processes/" + urrp + "/$count"
	keyCountProcessRuns   = "GET /industryData/processes/{id}/runs/$count"
	keyCountReportEntries = "GET /industryData/processes/{id}/runs/{rid}/userReport/entries/$count"
	keyCountRuns          = "GET /industryData/runs/$count"

	// JSON batching: any one permission; each request inside needs its
	// own route's.
	keyBatch = "POST /$batch"
)

// specGrants is SPEC §7's permission table written out route by route,
// independently of routes.go: each permission and the routes it grants.
// "implies" rows of the SPEC are spelled out (Run.Start reads runs; the
// ReadWrite permissions read what they write).
var specGrants = func() map[industrydata.Permission][]string {
	readOperations := []string{keyListOperations, keyGetOperation, keyCountOperations}
	writeOperations := []string{keyCreateOperation, keyPatchOperation, keyDeleteOperation}
	readProcesses := []string{keyListProcesses, keyGetProcess, keyListCastProcess, keyGetCastProcess, keyCountProcesses, keyCountCastProcesses}
	writeProcesses := []string{keyCreateProcess, keyPatchProcess, keyDeleteProcess, keyPatchCast}
	readRuns := []string{keyListRuns, keyGetRun, keyListProcessRuns, keyUserReport, keyReportEntries,
		keyCountRuns, keyCountProcessRuns, keyCountReportEntries,
		keyActivities, keyCountActivities, keyCastActivities, keyCountCastActivity, keyActivity, keyCastActivity, keyActivityFlow,
		keyLatestStatistics, keyLatestStatisticsFQ, keyRunStatistics, keyRunStatisticsFQ}
	startRuns := []string{keyStartRun, keyStartAllRuns, keyStartAllRunsFQ}
	cat := func(lists ...[]string) []string { return slices.Concat(lists...) }
	return map[industrydata.Permission][]string{
		// GET the root, operations and processes.
		industrydata.PermReadBasic: cat([]string{keyRoot, keyExternal}, readOperations, readProcesses),
		// GET runs (also under a process) and user reports.
		industrydata.PermRunRead: readRuns,
		// POST runs; implies Run.Read.All.
		industrydata.PermRunStart: cat(startRuns, readRuns),
		// POST/PATCH/DELETE operations; implies reading them.
		industrydata.PermOperationReadWrite: cat(writeOperations, readOperations),
		// POST/PATCH/DELETE processes; implies reading them.
		industrydata.PermProcessReadWrite: cat(writeProcesses, readProcesses),
	}
}()

func init() {
	for p, keys := range importSurfaceGrants() {
		specGrants[p] = append(specGrants[p], keys...)
	}
	for _, p := range industrydata.AllPermissions {
		specGrants[p] = append(specGrants[p], keyBatch)
	}
}

// permEnv is the data every route's valid request is built from: tenant A
// with an operation, its system process, and a finished run with a user
// report. Requests that consume what they act on (DELETE, POST processes,
// starting runs) get a fresh tenant each.
type permEnv struct {
	h            *harness
	opID         string
	processID    string
	runID        string // finished, with a user report
	activityID   string // the run's one activity
	surface      importSurfaceIDs
	freshTenants int
}

// walkRequest is a valid request for one route, for the tenant the tested
// token must be minted for.
type walkRequest struct {
	request
	tenant string
}

// routeCase is how to send a valid request to a route and what success is.
type routeCase struct {
	status int
	build  func(e *permEnv, prefix string) walkRequest
}

func (e *permEnv) freshTenant(t *testing.T) string {
	t.Helper()
	e.freshTenants++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", e.freshTenants)
}

// systemProcessOf provisions tenant's system process and returns its id.
func (e *permEnv) systemProcessOf(tenant string) string {
	e.h.t.Helper()
	res := e.h.must(200, request{method: "GET", path: "/beta/industryData/processes", tenant: tenant})
	vs := values(res)
	if len(vs) != 1 {
		e.h.t.Fatalf("tenant %s: want one process, got %s", tenant, res.raw)
	}
	return vs[0]["id"].(string)
}

const patchProcessBody = `{"displayName":"User report refresh","readinessStatus":"ready"}`

// routeCases holds one valid request per route of the table.
func routeCases(t *testing.T) map[string]routeCase {
	inA := func(method, path, body string, headers ...string) func(*permEnv, string) walkRequest {
		return func(e *permEnv, prefix string) walkRequest {
			p := strings.NewReplacer("{op}", e.opID, "{pid}", e.processID, "{rid}", e.runID, "{aid}", e.activityID).Replace(path)
			return walkRequest{request{method: method, path: prefix + p, body: body, headers: headers}, tenantA}
		}
	}
	cases := importSurfaceCases(t)
	for k, v := range map[string]routeCase{
		keyRoot:     {200, inA("GET", "/industryData", "")},
		keyExternal: {200, inA("GET", "/external", "")},

		keyListOperations:  {200, inA("GET", "/industryData/operations", "")},
		keyCreateOperation: {201, inA("POST", "/industryData/operations", `{"statusDetail":"permission walk"}`)},
		keyGetOperation:    {200, inA("GET", "/industryData/operations/{op}", "")},
		keyPatchOperation:  {200, inA("PATCH", "/industryData/operations/{op}", `{"statusDetail":"patched by the walk"}`)},
		keyDeleteOperation: {204, func(e *permEnv, prefix string) walkRequest {
			id := e.h.createOperation(`{"statusDetail":"to delete"}`).str("id")
			return walkRequest{request{method: "DELETE", path: prefix + "/industryData/operations/" + id}, tenantA}
		}},

		keyListProcesses:   {200, inA("GET", "/industryData/processes", "")},
		keyGetProcess:      {200, inA("GET", "/industryData/processes/{pid}", "")},
		keyListCastProcess: {200, inA("GET", "/industryData/processes/"+urrp, "")},
		keyGetCastProcess:  {200, inA("GET", "/industryData/processes/{pid}/"+urrp, "")},
		keyPatchProcess:    {200, inA("PATCH", "/industryData/processes/{pid}", patchProcessBody, "If-Match", "*")},
		keyPatchCast:       {200, inA("PATCH", "/industryData/processes/{pid}/"+urrp, patchProcessBody, "If-Match", "*")},
		keyCreateProcess: {201, func(e *permEnv, prefix string) walkRequest {
			tenant := e.freshTenant(t)
			id := e.systemProcessOf(tenant)
			e.h.must(204, request{method: "DELETE", path: "/beta/industryData/processes/" + id, tenant: tenant})
			return walkRequest{request{method: "POST", path: prefix + "/industryData/processes",
				body: `{"@odata.type":"#` + urrp + `","displayName":"Created by the walk"}`}, tenant}
		}},
		keyDeleteProcess: {204, func(e *permEnv, prefix string) walkRequest {
			tenant := e.freshTenant(t)
			id := e.systemProcessOf(tenant)
			return walkRequest{request{method: "DELETE", path: prefix + "/industryData/processes/" + id}, tenant}
		}},

		keyListProcessRuns: {200, inA("GET", "/industryData/processes/{pid}/runs", "")},

		keyCountOperations:    {200, inA("GET", "/industryData/operations/$count", "")},
		keyCountProcesses:     {200, inA("GET", "/industryData/processes/$count", "")},
		keyCountCastProcesses: {200, inA("GET", "/industryData/processes/"+urrp+"/$count", "")},
		keyCountProcessRuns:   {200, inA("GET", "/industryData/processes/{pid}/runs/$count", "")},
		keyCountReportEntries: {200, inA("GET", "/industryData/processes/{pid}/runs/{rid}/userReport/entries/$count", "")},
		keyCountRuns:          {200, inA("GET", "/industryData/runs/$count", "")},

		keyUserReport:    {200, inA("GET", "/industryData/processes/{pid}/runs/{rid}/userReport", "")},
		keyReportEntries: {200, inA("GET", "/industryData/processes/{pid}/runs/{rid}/userReport/entries", "")},
		keyListRuns:      {200, inA("GET", "/industryData/runs", "")},

		keyActivities:         {200, inA("GET", "/industryData/runs/{rid}/activities", "")},
		keyCountActivities:    {200, inA("GET", "/industryData/runs/{rid}/activities/$count", "")},
		keyCastActivities:     {200, inA("GET", "/industryData/runs/{rid}/activities/microsoft.graph.industryData.inboundFlowActivity", "")},
		keyCountCastActivity:  {200, inA("GET", "/industryData/runs/{rid}/activities/microsoft.graph.industryData.inboundFlowActivity/$count", "")},
		keyActivity:           {200, inA("GET", "/industryData/runs/{rid}/activities/{aid}", "")},
		keyCastActivity:       {200, inA("GET", "/industryData/runs/{rid}/activities/{aid}/microsoft.graph.industryData.inboundFlowActivity", "")},
		keyActivityFlow:       {200, inA("GET", "/industryData/runs/{rid}/activities/{aid}/activity", "")},
		keyLatestStatistics:   {200, inA("GET", "/industryData/runs/getStatistics()", "")},
		keyLatestStatisticsFQ: {200, inA("GET", "/industryData/runs/microsoft.graph.industryData.getStatistics()", "")},
		keyRunStatistics:      {200, inA("GET", "/industryData/runs/{rid}/getStatistics()", "")},
		keyRunStatisticsFQ:    {200, inA("GET", "/industryData/runs/{rid}/microsoft.graph.industryData.getStatistics()", "")},
		keyGetRun:             {200, inA("GET", "/industryData/runs/{rid}", "")},
		keyStartRun: {202, func(e *permEnv, prefix string) walkRequest {
			tenant := e.freshTenant(t)
			id := e.systemProcessOf(tenant)
			return walkRequest{request{method: "POST", path: prefix + "/industryData/processes/" + id + "/runs"}, tenant}
		}},
		keyStartAllRuns: {202, func(e *permEnv, prefix string) walkRequest {
			tenant := e.freshTenant(t)
			e.systemProcessOf(tenant)
			return walkRequest{request{method: "POST", path: prefix + "/industryData/runs/start"}, tenant}
		}},
		keyBatch: {200, inA("POST", "/$batch", `{"requests":[{"id":"1","method":"GET","url":"/industryData"}]}`)},
		keyStartAllRunsFQ: {202, func(e *permEnv, prefix string) walkRequest {
			tenant := e.freshTenant(t)
			e.systemProcessOf(tenant)
			return walkRequest{request{method: "POST", path: prefix + "/industryData/runs/microsoft.graph.industryData.start"}, tenant}
		}},
	} {
		cases[k] = v
	}
	return cases
}

// tableKeys is the route table's keys, in its order.
func tableKeys() []string {
	var keys []string
	for _, rt := range httpapi.RouteTable() {
		keys = append(keys, rt.Method+" "+rt.Path)
	}
	return keys
}

// grantedBy is what specGrants says about key: the permissions granting it.
func grantedBy(key string) []industrydata.Permission {
	var out []industrydata.Permission
	for _, p := range industrydata.AllPermissions {
		if slices.Contains(specGrants[p], key) {
			out = append(out, p)
		}
	}
	return out
}

// tokenKind is how a token carries its permissions.
type tokenKind struct {
	name  string
	claim string // scp or roles
}

var tokenKinds = []tokenKind{{"delegated", "scp"}, {"application", "roles"}}

// mintKind mints a token for tenant holding perms in kind's claim.
func mintKind(t *testing.T, tenant string, kind tokenKind, perms ...industrydata.Permission) string {
	t.Helper()
	req := auth.TokenRequest{Tenant: tenant, Expires: time.Hour}
	for _, p := range perms {
		if kind.claim == "scp" {
			req.Scopes = append(req.Scopes, string(p))
		} else {
			req.Roles = append(req.Roles, string(p))
		}
	}
	if len(perms) == 0 {
		t.Fatal("mintKind: auth.Mint grants everything without permissions; use rawToken")
	}
	tok, err := auth.Mint(testKey, req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// rawToken signs a valid local token for tenant with the given scp/roles
// claims as they are (auth.Mint refuses unknown names and grants every
// permission when given none).
func rawToken(t *testing.T, tenant string, extra jwt.MapClaims) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": auth.LocalIssuer, "aud": auth.Audience, "tid": tenant,
		"sub": "walker", "oid": "walker", "azp": auth.CLIAppID,
		"iat": jwt.NewNumericDate(now), "nbf": jwt.NewNumericDate(now), "exp": jwt.NewNumericDate(now.Add(time.Hour)),
	}
	for k, v := range extra {
		claims[k] = v
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// noPermissionTokens are valid tokens that hold none of SPEC §7's
// permissions: no claim, empty claims, and Graph permissions the service
// does not know.
var noPermissionTokens = []struct {
	name   string
	claims jwt.MapClaims
}{
	{"no scp and no roles", jwt.MapClaims{}},
	{"empty scp", jwt.MapClaims{"scp": ""}},
	{"empty roles", jwt.MapClaims{"roles": []string{}}},
	{"other Graph scopes", jwt.MapClaims{"scp": "User.Read openid profile IndustryData-OutboundFlow.ReadWrite.All"}},
	{"other Graph roles", jwt.MapClaims{"roles": []string{"Directory.Read.All", "IndustryData-OutboundFlow.Read.All", "IndustryData.ReadBasic"}}},
}

func newPermEnv(t *testing.T) *permEnv {
	h := newHarness(t)
	e := &permEnv{h: h}
	e.opID = h.createOperation(`{"statusDetail":"walked"}`).str("id")
	e.processID, e.runID = reportRun(t, h)
	acts, err := h.store.ListActivities(t.Context(), tenantA, e.runID, industrydata.ListQuery{})
	if err != nil || len(acts) != 1 {
		t.Fatalf("the run's activities: %+v %v", acts, err)
	}
	e.activityID = acts[0].ID
	e.surface = newImportSurfaceIDs(h)
	return e
}

// TestPermissionMatrix walks every route of the table, under both prefixes,
// with a token holding exactly one permission of SPEC §7, delegated and
// application: what the SPEC grants succeeds, anything else is 403
// accessDenied. The expectations come from specGrants, not from routes.go.
func TestPermissionMatrix(t *testing.T) {
	cases := routeCases(t)
	keys := tableKeys()
	checkExpectationsCoverTable(t, keys, cases)

	e := newPermEnv(t)
	var granted, denied, batched int
	for _, key := range keys {
		rc, ok := cases[key]
		if !ok {
			continue // reported by checkExpectationsCoverTable
		}
		grants := grantedBy(key)
		method, path, _ := strings.Cut(key, " ")
		for _, prefix := range httpapi.PrefixesOf(path) {
			t.Run(method+" "+prefix+path, func(t *testing.T) {
				for _, kind := range tokenKinds {
					for _, perm := range industrydata.AllPermissions {
						t.Run(kind.claim+"="+string(perm), func(t *testing.T) {
							e.h.t = t
							wr := rc.build(e, prefix)
							wr.token = mintKind(t, wr.tenant, kind, perm)
							res := e.h.do(wr.request)
							// The same request inside a batch, with the
							// same token, answers the same (a batch in a
							// batch is refused: TestBatchAnswersEachRequest).
							if key != keyBatch {
								wb := rc.build(e, prefix)
								wb.token = mintKind(t, wb.tenant, kind, perm)
								if diff := sameAnswer(res, e.h.doBatched(wb.request)); diff != "" {
									t.Errorf("%s %s with %s %s in a batch: %s", wr.method, wr.path, kind.name, perm, diff)
								}
								batched++
							}
							if slices.Contains(grants, perm) {
								granted++
								if res.status != rc.status {
									t.Errorf("%s %s with %s %s: %d, want %d (SPEC §7 grants it)\n%s",
										wr.method, wr.path, kind.name, perm, res.status, rc.status, res.raw)
								}
								return
							}
							denied++
							if res.status != 403 || res.errorCode() != "accessDenied" {
								t.Errorf("%s %s with %s %s: %d %q, want 403 accessDenied (SPEC §7 does not grant it)\n%s",
									wr.method, wr.path, kind.name, perm, res.status, res.errorCode(), res.raw)
							}
						})
					}
				}
			})
		}
	}
	e.h.t = t
	t.Logf("permission matrix: %d route×prefix×token-kind×permission requests (%d granted, %d denied) over %d routes × %d prefixes, each again in a batch (%d); %d fresh tenants",
		granted+denied, granted, denied, len(keys), len(httpapi.Prefixes()), batched, e.freshTenants)
}

// TestNoPermissionDeniedEverywhere: a valid token holding no permission of
// SPEC §7 is 403 accessDenied on every route, never a success, a 404 or a 401.
func TestNoPermissionDeniedEverywhere(t *testing.T) {
	cases := routeCases(t)
	keys := tableKeys()
	checkExpectationsCoverTable(t, keys, cases)
	e := newPermEnv(t)
	n := 0
	for _, key := range keys {
		rc, ok := cases[key]
		if !ok {
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		for _, prefix := range httpapi.PrefixesOf(path) {
			for _, tok := range noPermissionTokens {
				t.Run(method+" "+prefix+path+"/"+tok.name, func(t *testing.T) {
					e.h.t = t
					wr := rc.build(e, prefix)
					wr.token = rawToken(t, wr.tenant, tok.claims)
					res := e.h.do(wr.request)
					n++
					if res.status != 403 || res.errorCode() != "accessDenied" {
						t.Errorf("%s %s with %s: %d %q, want 403 accessDenied\n%s", wr.method, wr.path, tok.name, res.status, res.errorCode(), res.raw)
					}
				})
			}
		}
	}
	e.h.t = t
	// Nothing was done by the refused requests: A still has one operation
	// (plus the report run's) and its process.
	if got := len(values(e.h.must(200, request{method: "GET", path: "/beta/industryData/operations"}))); got != 2+2*len(noPermissionTokens) {
		t.Errorf("tenant A has %d operations, want %d (its own two and the walk's DELETE fixtures)", got, 2+2*len(noPermissionTokens))
	}
	t.Logf("no-permission walk: %d requests (%d routes × %d prefixes × %d tokens)", n, len(keys), len(httpapi.Prefixes()), len(noPermissionTokens))
}

// checkExpectationsCoverTable fails the test when a route of the table has
// no expected request (a new route must be added to routeCases and, through
// specGrants, to the SPEC's permission table), and when specGrants or
// routeCases name a route the table does not serve.
func checkExpectationsCoverTable(t *testing.T, keys []string, cases map[string]routeCase) {
	t.Helper()
	if len(keys) == 0 {
		t.Fatal("the route table is empty")
	}
	inTable := map[string]bool{}
	for _, k := range keys {
		if inTable[k] {
			t.Errorf("route %s is in the table twice", k)
		}
		inTable[k] = true
		if _, ok := cases[k]; !ok {
			t.Errorf("route %s is in the table but not in the test's expectations (routeCases/specGrants): add it", k)
		} else if len(grantedBy(k)) == 0 {
			t.Errorf("route %s: no permission of SPEC §7 grants it in specGrants", k)
		}
	}
	var missing []string
	for k := range cases {
		if !inTable[k] {
			missing = append(missing, k)
		}
	}
	for p, ks := range specGrants {
		for _, k := range ks {
			if !inTable[k] {
				missing = append(missing, fmt.Sprintf("%s (granted by %s)", k, p))
			}
		}
	}
	sort.Strings(missing)
	for _, k := range slices.Compact(missing) {
		t.Errorf("route %s is expected but the route table does not serve it", k)
	}
	for _, p := range industrydata.AllPermissions {
		if _, ok := specGrants[p]; !ok {
			t.Errorf("permission %s has no row in specGrants", p)
		}
	}
	if len(specGrants) != len(industrydata.AllPermissions) {
		t.Errorf("specGrants has %d rows for %d permissions", len(specGrants), len(industrydata.AllPermissions))
	}
}
