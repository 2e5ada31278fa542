package httpapi_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"industrydata"
	"industrydata/httpapi"
	"industrydata/odata"
	"industrydata/schema"
)

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
