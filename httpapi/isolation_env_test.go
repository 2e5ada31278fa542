package httpapi_test

// The data of the two-tenant isolation walk (isolation_test.go): the
// victims tenants A and C own, tenant B's own, what B sends at their ids,
// and how an answer is judged to leak.

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/httpapi"
	"industrydata/runner"
	"industrydata/service"
)

// tenantC is a second victim beside tenant A: its process is user-created
// (the provisioned one deleted, then POSTed again), while A's is the one
// the service provisioned.
const tenantC = "33333333-3333-3333-3333-333333333333"

// victimMarker is in every operation the victims create: no response to
// tenant B may contain it.
const victimMarker = "victim-secret"

// isolationEnv is the data of the walk: the victims' (tenant A's and C's)
// ids by name, tenant B's own ids, and the ETags of the victims' entities.
type isolationEnv struct {
	h       *harness
	key     []byte // $skiptoken key
	victims map[string]string
	own     map[string]string // tenant B's
	etags   map[string]string // victim id → its ETag header
	// ghosts replaces each victim id with an id that never existed.
	ghosts *strings.Replacer
}

// normalize replaces the ids of path in an error message with placeholders,
// so that messages about different ids compare.
func (e *isolationEnv) normalize(msg, path string) string {
	for i, seg := range strings.Split(path, "/") {
		if len(seg) == 36 && strings.Count(seg, "-") == 4 || strings.HasPrefix(seg, "Ref") {
			msg = strings.ReplaceAll(msg, seg, fmt.Sprintf("<segment %d>", i))
		}
	}
	return msg
}

// victimIDs is every victim id, sorted by name for a stable walk.
func (e *isolationEnv) victimIDs() []string { return sortedValues(e.victims) }

func sortedValues(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = m[n]
	}
	return out
}

// runAllToEnd lets a runner execute runs until every listed run of tenant
// has ended.
func runAllToEnd(t *testing.T, st industrydata.Store, tenant string, rids ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.New(runner.Config{Store: st, Poll: time.Millisecond}).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for _, rid := range rids {
		for {
			run, err := st.GetRun(t.Context(), industrydata.TenantID(tenant), rid)
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != industrydata.RunRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %s still running after 30s", rid)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// operationOf is the id of the operation a 202 run start points at.
func operationOf(t *testing.T, res *response) string {
	t.Helper()
	u, err := url.Parse(res.header.Get("Location"))
	if err != nil || !strings.Contains(u.Path, "/operations/") {
		t.Fatalf("Location %q", res.header.Get("Location"))
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

func newIsolationEnv(t *testing.T) *isolationEnv {
	key := []byte("isolation-walk-skiptoken-key-000")
	h := newHarness(t, func(_ *httpapi.Config, so *service.Options) { so.SkipTokenKey = key })
	e := &isolationEnv{h: h, key: key, victims: map[string]string{}, own: map[string]string{}, etags: map[string]string{}}
	v := e.victims

	// Tenant A: operations, its provisioned process, a finished run with a
	// user report and entries.
	for i := range 3 {
		v[fmt.Sprintf("A operation %d", i)] = h.must(201, request{method: "POST", path: "/beta/industryData/operations",
			body: fmt.Sprintf(`{"status":"running","statusDetail":"%s %d"}`, victimMarker, i)}).str("id")
	}
	v["A process (system)"], v["A run (finished)"] = reportRun(t, h)
	v["A run operation (finished)"] = values(h.must(200, request{method: "GET",
		path: "/beta/industryData/operations?$filter=" + q("status eq 'succeeded'")}))[0]["id"].(string)

	// Tenant C: a user-created process (the provisioned one deleted first)
	// with a finished run, and an operation.
	provisioned := h.must(200, request{method: "GET", path: "/beta/industryData/processes", tenant: tenantC})
	v["C process (deleted)"] = values(provisioned)[0]["id"].(string)
	h.must(204, request{method: "DELETE", path: "/beta/industryData/processes/" + v["C process (deleted)"], tenant: tenantC})
	v["C process (user-created)"] = h.must(201, request{method: "POST", path: "/beta/industryData/processes", tenant: tenantC,
		body: `{"@odata.type":"#` + urrp + `","displayName":"` + victimMarker + ` C"}`}).str("id")
	v["C operation"] = h.must(201, request{method: "POST", path: "/beta/industryData/operations", tenant: tenantC,
		body: `{"statusDetail":"` + victimMarker + ` C"}`}).str("id")
	started := h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + v["C process (user-created)"] + "/runs", tenant: tenantC})
	v["C run (finished)"], v["C run operation"] = started.str("id"), operationOf(t, started)

	// Tenant B, the intruder, has data of its own: an operation, its
	// process and a finished run with a report.
	e.own["B operation"] = h.must(201, request{method: "POST", path: "/beta/industryData/operations", tenant: tenantB,
		body: `{"statusDetail":"B's own"}`}).str("id")
	e.own["B process"] = values(h.must(200, request{method: "GET", path: "/beta/industryData/processes", tenant: tenantB}))[0]["id"].(string)
	started = h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + e.own["B process"] + "/runs", tenant: tenantB})
	e.own["B run"], e.own["B run operation"] = started.str("id"), operationOf(t, started)

	// The import surface of A and C, and B's own (which its writes bind to).
	for _, tenant := range []string{tenantA, tenantC} {
		letter := map[string]string{tenantA: "A", tenantC: "C"}[tenant]
		ss, year, conn, flow := h.importSurfaceIn(tenant, victimMarker)
		v[letter+" sourceSystem"], v[letter+" year"], v[letter+" dataConnector"], v[letter+" inboundFlow"] = ss, year, conn, flow
		v[letter+" roleGroup"] = h.must(201, request{method: "POST", path: idPrefix + "roleGroups", tenant: tenant,
			body: `{"displayName":"` + victimMarker + `","roles":[{"code":"teacher"}]}`}).str("id")
		v[letter+" referenceDefinition"] = h.must(201, request{method: "POST", path: idPrefix + "referenceDefinitions", tenant: tenant,
			body: `{"referenceType":"RefRace","code":"` + victimCodes[tenant] + `","displayName":"` + victimMarker + `"}`}).str("id")
	}
	e.own["B ss"], e.own["B year"], e.own["B conn"], e.own["B flow"] = h.importSurfaceIn(tenantB, "B's own")

	runAllToEnd(t, h.store, tenantC, v["C run (finished)"])
	runAllToEnd(t, h.store, tenantB, e.own["B run"])

	// Last, with no runner left: tenant A's run in progress.
	started = h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + v["A process (system)"] + "/runs"})
	v["A run (in progress)"], v["A run operation (in progress)"] = started.str("id"), operationOf(t, started)

	var pairs []string
	for i, id := range e.victimIDs() {
		pairs = append(pairs, id, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	}
	e.ghosts = strings.NewReplacer(pairs...)
	return e
}

// victimPaths are the GETs whose answers make up a victim tenant's data.
func (e *isolationEnv) victimPaths(tenant string) []string {
	letter := map[string]string{tenantA: "A", tenantC: "C"}[tenant]
	const base = "/beta/industryData"
	paths := []string{base, base + "/operations", base + "/processes", base + "/processes?$expand=runs",
		base + "/processes/" + urrp, base + "/runs"}
	for name, id := range e.victims {
		if !strings.HasPrefix(name, letter+" ") || strings.Contains(name, "(deleted)") {
			continue
		}
		switch {
		case strings.Contains(name, "sourceSystem"):
			paths = append(paths, base+"/sourceSystems/"+id, base+"/sourceSystems")
		case strings.Contains(name, "year"):
			paths = append(paths, base+"/years/"+id, base+"/years")
		case strings.Contains(name, "dataConnector"):
			paths = append(paths, base+"/dataConnectors/"+id, base+"/dataConnectors/"+id+"/sourceSystem", base+"/dataConnectors?$expand=sourceSystem")
		case strings.Contains(name, "inboundFlow"):
			paths = append(paths, base+"/inboundFlows/"+id, base+"/inboundFlows?$expand=dataConnector,year")
		case strings.Contains(name, "roleGroup"):
			paths = append(paths, base+"/roleGroups/"+id, base+"/roleGroups")
		case strings.Contains(name, "referenceDefinition"):
			paths = append(paths, base+"/referenceDefinitions/"+id, base+"/referenceDefinitions?$top=999")
		case strings.Contains(name, "operation"):
			paths = append(paths, base+"/operations/"+id)
		case strings.Contains(name, "process"):
			paths = append(paths, base+"/processes/"+id, base+"/processes/"+id+"/"+urrp, base+"/processes/"+id+"/runs")
		case strings.Contains(name, "run"):
			paths = append(paths, base+"/runs/"+id)
		}
	}
	if tenant == tenantA {
		rep := base + "/processes/" + e.victims["A process (system)"] + "/runs/" + e.victims["A run (finished)"] + "/userReport"
		paths = append(paths, rep, rep+"/entries", rep+"/entries?$top=2", rep+"/entries#csv")
	} else {
		rep := base + "/processes/" + e.victims["C process (user-created)"] + "/runs/" + e.victims["C run (finished)"] + "/userReport"
		paths = append(paths, rep, rep+"/entries")
	}
	sort.Strings(paths)
	return slices.Compact(paths)
}

// snapshot is every victim GET's status, ETag and body, by path.
func (e *isolationEnv) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tenant := range []string{tenantA, tenantC} {
		for _, p := range e.victimPaths(tenant) {
			rq := request{method: "GET", path: p, tenant: tenant}
			if path, ok := strings.CutSuffix(p, "#csv"); ok {
				rq.path, rq.headers = path, []string{"Accept", "text/csv"}
			}
			res := e.h.do(rq)
			if res.status != 200 {
				t.Fatalf("tenant %s GET %s: %d\n%s", tenant, p, res.status, res.raw)
			}
			out[tenant+" "+p] = fmt.Sprintf("ETag %s\n%s", res.header.Get("ETag"), res.raw)
			if id := lastSegment(rq.path); slices.Contains(e.victimIDs(), id) {
				e.etags[id] = res.header.Get("ETag")
			}
		}
	}
	return out
}

func lastSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// leaks names the victim ids and marker in body that the request did not
// itself carry (a 404 message may name the id it was asked for).
func (e *isolationEnv) leaks(body, requested string) []string {
	var out []string
	for name, id := range e.victims {
		if strings.Contains(body, id) && !strings.Contains(requested, id) {
			out = append(out, name+" "+id)
		}
	}
	for _, marker := range []string{victimMarker, "alice@north.example", tenantA, tenantC} {
		if strings.Contains(body, marker) {
			out = append(out, "marker "+marker)
		}
	}
	sort.Strings(out)
	return out
}

// attackBodies is a valid body for each writing route of the table, as
// tenant B would send it to its own entities.
var attackBodies = map[string]string{
	keyCreateOperation: `{"statusDetail":"written by tenant B"}`,
	keyPatchOperation:  `{"status":"failed","statusDetail":"written by tenant B"}`,
	keyDeleteOperation: "",
	keyCreateProcess:   `{"@odata.type":"#` + urrp + `","displayName":"B"}`,
	keyPatchProcess:    `{"displayName":"written by tenant B","readinessStatus":"ready"}`,
	keyPatchCast:       `{"displayName":"written by tenant B","readinessStatus":"ready"}`,
	keyDeleteProcess:   "",
	keyStartRun:        "",
	keyStartAllRuns:    "",
	keyStartAllRunsFQ:  "",
	// A batch of B's own lists; the batch's requests at A's and C's ids
	// are each route's attacks, sent again inside batches.
	keyBatch: `{"requests":[{"id":"1","method":"GET","url":"/industryData/operations"},{"id":"2","method":"GET","url":"/industryData/runs"},` +
		`{"id":"3","method":"GET","url":"/industryData/processes?$expand=runs"}]}`,
}

func init() {
	// The import surface: bodies valid in tenant B's own data.
	bodies := map[string]string{
		"referenceDefinitions": `{"referenceType":"RefRace","code":"written-by-b"}`,
		"roleGroups":           `{"displayName":"written by tenant B","roles":[{"code":"student"}]}`,
		"sourceSystems":        `{"displayName":"written by tenant B"}`,
		"years":                `{"displayName":"written by tenant B","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"2025"}}`,
		"dataConnectors":       `{"@odata.type":"#` + azureConnector + `","displayName":"written by tenant B","sourceSystem@odata.bind":"sourceSystems/{B ss}"}`,
		"inboundFlows":         `{"@odata.type":"#` + fileFlow + `","displayName":"written by tenant B","dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z","dataConnector@odata.bind":"dataConnectors/{B conn}","year@odata.bind":"years/{B year}"}`,
	}
	patch := `{"displayName":"written by tenant B"}`
	for set, body := range bodies {
		base := "/industryData/" + set
		attackBodies["POST "+base] = body
		attackBodies["PATCH "+base+"/{id}"] = patch
		attackBodies["DELETE "+base+"/{id}"] = ""
	}
	attackBodies["PATCH /industryData/referenceDefinitions/{id}"] = `{"isDisabled":true}`
	for _, k := range connectorActionKeys {
		if strings.HasPrefix(k, "POST ") {
			attackBodies[k] = ""
		}
	}
	attackBodies["PATCH /industryData/dataConnectors/{id}/"+azureConnector] = patch
	attackBodies["PATCH /industryData/inboundFlows/{id}/"+fileFlow] = patch
}
