package httpapi_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/httpapi"
	"industrydata/odata"
	"industrydata/runner"
	"industrydata/schema"
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

// TestTwoTenantIsolation: tenant B, holding every permission, tries every
// route of the table with every id of tenants A and C in it. Each answer is
// 404 itemNotFound, as for an id that never existed; nothing of A or C
// changes (GETs and ETags before and after are identical); no answer to B,
// lists included, carries an id of theirs; A's nextLinks replayed by B
// yield none of A's data.
func TestTwoTenantIsolation(t *testing.T) {
	e := newIsolationEnv(t)
	before := e.snapshot(t)
	victims := e.victimIDs()
	all := append(slices.Clone(victims), sortedValues(e.own)...)
	total, ghosts, batched := 0, 0, 0

	for _, rt := range httpapi.RouteTable() {
		key := rt.Method + " " + rt.Path
		body, hasBody := attackBodies[key]
		// A function's segment is a call, with the parameter that
		// would discard the session: on a victim's connector it must do
		// nothing at all.
		rt.Path = strings.ReplaceAll(rt.Path, "{function}", "getUploadSession(resetSession=true)")
		if rt.Method != "GET" && !hasBody {
			t.Errorf("route %s: no attack body in attackBodies; add it", key)
			continue
		}
		slots := strings.Count(rt.Path, "{")
		var fills [][2]string
		switch slots {
		case 0:
			fills = [][2]string{{}}
		case 1:
			for _, id := range victims {
				fills = append(fills, [2]string{id})
			}
		case 2:
			for _, x := range all {
				for _, y := range all {
					if slices.Contains(victims, x) || slices.Contains(victims, y) {
						fills = append(fills, [2]string{x, y})
					}
				}
			}
		default:
			t.Errorf("route %s: %d path parameters; teach the walk", key, slots)
			continue
		}
		for _, prefix := range httpapi.PrefixesOf(rt.Path) {
			t.Run(rt.Method+" "+prefix+rt.Path, func(t *testing.T) {
				e.h.t = t
				// Every attack goes again inside batches of tenant B
				// (a batch in a batch is refused: TestBatchAnswersEachRequest).
				var pending []attack
				flush := func() {
					if len(pending) == 0 {
						return
					}
					rqs := make([]request, len(pending))
					for i, a := range pending {
						rqs[i] = a.rq
					}
					for i, res := range e.h.doBatchedAll(rqs) {
						batched++
						a := pending[i]
						if leaked := e.leaks(res.raw, a.rq.path); len(leaked) > 0 {
							t.Errorf("%s %s %v as tenant B in a batch: %d, body shows %v\n%s", a.rq.method, a.rq.path, a.rq.headers, res.status, leaked, res.raw)
						}
						// B's own requests at no victim's id answer as they
						// did alone, writes aside (a second write finds
						// the first's effect).
						if a.slots > 0 || a.rq.method == "GET" {
							if diff := sameAnswer(a.direct, res); diff != "" {
								t.Errorf("%s %s %v as tenant B in a batch: %s", a.rq.method, a.rq.path, a.rq.headers, diff)
							}
						} else if res.status >= 500 {
							t.Errorf("%s %s as tenant B in a batch: %d\n%s", a.rq.method, a.rq.path, res.status, res.raw)
						}
					}
					pending = pending[:0]
				}
				for _, fill := range fills {
					path := prefix + strings.NewReplacer("{id}", fill[0], "{rid}", fill[1]).Replace(rt.Path)
					for _, rq := range attackVariants(e, rt.Method, path, body, fill) {
						rq.tenant = tenantB
						res := e.h.do(rq)
						total++
						if key != keyBatch {
							if pending = append(pending, attack{rq, res, slots}); len(pending) == httpapi.MaxBatchRequests {
								flush()
							}
						}
						if leaked := e.leaks(res.raw, rq.path); len(leaked) > 0 {
							t.Errorf("%s %s %v as tenant B: %d, body shows %v\n%s", rq.method, rq.path, rq.headers, res.status, leaked, res.raw)
						}
						if slots == 0 {
							if res.status >= 500 || rq.method == "GET" && res.status != 200 {
								t.Errorf("%s %s as tenant B: %d\n%s", rq.method, rq.path, res.status, res.raw)
							}
							switch {
							case !strings.Contains(rq.path, "$filter="):
							case strings.HasSuffix(rt.Path, "/$count"):
								// A count is text: none of A's or C's is counted.
								if res.raw != "0" {
									t.Errorf("%s %s as tenant B: count %q, want 0", rq.method, rq.path, res.raw)
								}
							case len(values(res)) != 0:
								t.Errorf("%s %s as tenant B: %d items, want none", rq.method, rq.path, len(values(res)))
							}
							continue
						}
						if res.status != 404 || res.errorCode() != "itemNotFound" {
							t.Errorf("%s %s %v as tenant B: %d %q, want 404 itemNotFound\n%s",
								rq.method, rq.path, rq.headers, res.status, res.errorCode(), res.raw)
							continue
						}
						// Exactly as for ids that never existed: the same
						// request with each victim id swapped for a ghost.
						ghost := rq
						ghost.path = e.ghosts.Replace(rq.path)
						gres := e.h.do(ghost)
						ghosts++
						got, want := e.normalize(res.errorMessage(), rq.path), e.normalize(gres.errorMessage(), ghost.path)
						if gres.status != res.status || gres.errorCode() != res.errorCode() || got != want {
							t.Errorf("%s %s %v as tenant B: %d %s %q; for ids that never existed: %d %s %q",
								rq.method, rq.path, rq.headers, res.status, res.errorCode(), got, gres.status, gres.errorCode(), want)
						}
					}
				}
				flush()
			})
		}
	}
	e.h.t = t

	lists := checkOwnLists(t, e)
	replays := replayNextLinks(t, e)

	after := e.snapshot(t)
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if before[k] != after[k] {
			t.Errorf("tenant B changed %s:\nbefore: %s\nafter:  %s", k, before[k], after[k])
		}
	}
	t.Logf("isolation walk: %d requests as tenant B: %d route attacks over %d routes × %d prefixes with %d victim ids, "+
		"%d of them again inside batches, %d same requests with never-existing ids to compare, %d pages of B's own lists, %d nextLink replays; "+
		"%d victim GETs compared before/after",
		total+batched+ghosts+lists+replays, total, len(httpapi.RouteTable()), len(httpapi.Prefixes()), len(victims), batched, ghosts, lists, replays, len(before))
}

// attack is a request of the walk, its answer alone, and the number of
// ids its route takes.
type attack struct {
	rq     request
	direct *response
	slots  int
}

// attackVariants are the requests of one route and fill: writes with no
// precondition, with If-Match: * and with the victim entity's own ETag;
// report entries as JSON and as CSV; id-free collections as they are and
// filtered on each victim id.
func attackVariants(e *isolationEnv, method, path, body string, fill [2]string) []request {
	base := request{method: method, path: path, body: body}
	var out []request
	switch {
	case method == "POST" && strings.Contains(body, "{B "):
		base.body = strings.NewReplacer("{B ss}", e.own["B ss"], "{B year}", e.own["B year"], "{B conn}", e.own["B conn"]).Replace(body)
		out = append(out, base)
	case method == "PATCH" || method == "DELETE":
		// The entity's own ETag first: were it to match, the write would
		// go through before the others change it.
		if etag := e.etags[fill[0]]; etag != "" {
			withETag := base
			withETag.headers = []string{"If-Match", etag}
			out = append(out, withETag)
		}
		withStar := base
		withStar.headers = []string{"If-Match", "*"}
		out = append(out, withStar)
		if !strings.Contains(path, "/processes/") || method == "DELETE" {
			out = append(out, base) // a PATCH of a process needs an eTag
		}
	case method == "GET" && strings.HasSuffix(path, "/entries"):
		csv := base
		csv.headers = []string{"Accept", "text/csv"}
		out = append(out, base, csv)
	// The singletons (industryData, external) and functions (…()) are no
	// collections to filter.
	case method == "GET" && fill[0] == "" && !strings.HasSuffix(path, "/industryData") && !strings.HasSuffix(path, "/external") &&
		!strings.HasSuffix(path, "()"):
		out = append(out, base)
		for _, id := range e.victimIDs() {
			f := base
			f.path += "?$filter=" + q("id eq '"+id+"'")
			out = append(out, f)
		}
	default:
		out = append(out, base)
	}
	return out
}

// checkOwnLists pages through every collection tenant B can list, its own
// process's runs and report entries included: none shows a victim's id.
func checkOwnLists(t *testing.T, e *isolationEnv) int {
	t.Helper()
	ownReport := "/processes/" + e.own["B process"] + "/runs/" + e.own["B run"] + "/userReport"
	n := 0
	for _, prefix := range httpapi.Prefixes() {
		for _, p := range []string{"/operations", "/processes", "/processes?$expand=runs", "/processes/" + urrp + "?$expand=runs",
			"/runs", "/processes/" + e.own["B process"] + "/runs", ownReport + "/entries"} {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			next := prefix + "/industryData" + p + sep + "$top=1"
			for pages := 0; next != "" && pages < 50; pages++ {
				res := e.h.must(200, request{method: "GET", path: next, tenant: tenantB})
				n++
				if leaked := e.leaks(res.raw, ""); len(leaked) > 0 {
					t.Errorf("tenant B's list %s shows %v", next, leaked)
				}
				next = strings.TrimPrefix(res.str("@odata.nextLink"), "http://industrydata.test")
			}
		}
	}
	return n
}

// replayNextLinks takes nextLinks of tenant A's operations, processes, runs
// and report entries and replays them as tenant B, as they are and with the
// $skiptoken moved onto B's own collection: the answer is a 400 or 404, or
// a page of B's own, never A's data.
func replayNextLinks(t *testing.T, e *isolationEnv) int {
	t.Helper()
	a := e.victims
	reportA := "/processes/" + a["A process (system)"] + "/runs/" + a["A run (finished)"] + "/userReport"
	reportB := "/processes/" + e.own["B process"] + "/runs/" + e.own["B run"] + "/userReport"
	links := []struct{ name, pathA, pathB string }{
		{"operations", "/operations?$top=1", "/operations"},
		{"operations filtered", "/operations?$filter=" + q("status eq 'running'") + "&$top=1", "/operations"},
		{"runs", "/runs?$top=1", "/runs"},
		{"process runs", "/processes/" + a["A process (system)"] + "/runs?$top=1", "/processes/" + e.own["B process"] + "/runs"},
		{"report entries", reportA + "/entries?$top=2", reportB + "/entries"},
	}
	n := 0
	for _, prefix := range httpapi.Prefixes() {
		var replays []struct{ name, link, own string }
		for _, l := range links {
			res := e.h.must(200, request{method: "GET", path: prefix + "/industryData" + l.pathA})
			next := strings.TrimPrefix(res.str("@odata.nextLink"), "http://industrydata.test")
			if !strings.Contains(next, "$skiptoken=") {
				t.Fatalf("tenant A's %s: no nextLink with a $skiptoken: %s", l.name, res.raw)
			}
			replays = append(replays, struct{ name, link, own string }{l.name, next, prefix + "/industryData" + l.pathB})
		}
		// A tenant has one process, so its processes list never pages:
		// make the nextLink the service would write for A, and check that
		// A can follow it.
		forged := prefix + "/industryData/processes?$top=1&$skiptoken=" + processSkipToken(t, e.key, tenantA)
		e.h.must(200, request{method: "GET", path: forged})
		replays = append(replays, struct{ name, link, own string }{"processes", forged, prefix + "/industryData/processes"})

		for _, r := range replays {
			_, query, _ := strings.Cut(r.link, "?")
			for _, path := range []string{r.link, r.own + "?" + query} {
				t.Run("replay "+r.name+" "+path, func(t *testing.T) {
					e.h.t = t
					res := e.h.do(request{method: "GET", path: path, tenant: tenantB})
					n++
					if leaked := e.leaks(res.raw, path); len(leaked) > 0 {
						t.Errorf("tenant B replaying A's %s nextLink %s: %d, body shows %v\n%s", r.name, path, res.status, leaked, res.raw)
					}
					switch res.status {
					case 400, 404:
					case 200:
						for _, v := range values(res) {
							if id, _ := v["id"].(string); slices.Contains(e.victimIDs(), id) {
								t.Errorf("tenant B's page holds A's %s", id)
							}
						}
					default:
						t.Errorf("tenant B replaying A's %s nextLink %s: %d\n%s", r.name, path, res.status, res.raw)
					}
				})
			}
		}
	}
	e.h.t = t
	return n
}

// processSkipToken is the $skiptoken the service would put in tenant's
// nextLink of GET processes?$top=1 after the first process.
func processSkipToken(t *testing.T, key []byte, tenant string) string {
	t.Helper()
	q, err := odata.Parse(map[string]string{"top": "1"}, schema.Process, odata.Options{
		Filter: true, OrderBy: true, Select: true, Expand: true, Count: true,
		Skip: true, Top: true, SkipToken: true, MaxTop: 999, Expandable: []string{"runs"}})
	if err != nil {
		t.Fatal(err)
	}
	return odata.EncodeSkipToken(key, tenant, q, industrydata.Cursor{Seq: 0})
}

// victimCodes are the reference codes tenants A and C add: GUID-like, so
// that the walk's id replacements treat them as the ids they are part of.
var victimCodes = map[string]string{
	tenantA: "a0000000-0000-4000-8000-00000000000a",
	tenantC: "c0000000-0000-4000-8000-00000000000c",
}
