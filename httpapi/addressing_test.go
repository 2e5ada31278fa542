package httpapi_test

import (
	"strings"
	"testing"

	"industrydata/httpapi"
	"industrydata/schema"
	"industrydata/service"
)

// TestKeyInParentheses: operations('id'), processes('id'),
// processes('id')/runs and runs('id') answer exactly as the key-segment
// forms do, for GET, PATCH and DELETE, under both prefixes, also
// percent-encoded.
func TestKeyInParentheses(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	for _, prefix := range []string{"/beta/industryData", "/beta/external/industryData"} {
		t.Run(prefix, func(t *testing.T) {
			op := h.createOperation(`{"statusDetail":"keyed"}`).str("id")
			gets := []struct{ slash, parens string }{
				{"/operations/" + op, "/operations('" + op + "')"},
				{"/operations/" + op, "/operations%28%27" + op + "%27%29"},
				{"/operations/" + op + "?$select=status", "/operations('" + op + "')?$select=status"},
				{"/processes/" + pid, "/processes('" + pid + "')"},
				{"/processes/" + pid + "/" + urrp, "/processes('" + pid + "')/" + urrp},
				{"/processes/" + pid + "/runs", "/processes('" + pid + "')/runs"},
				{"/processes/" + pid + "/runs/$count", "/processes('" + pid + "')/runs/$count"},
				{"/processes/" + pid + "/runs/" + rid + "/userReport", "/processes('" + pid + "')/runs('" + rid + "')/userReport"},
				{"/processes/" + pid + "/runs/" + rid + "/userReport/entries", "/processes('" + pid + "')/runs('" + rid + "')/userReport/entries"},
				{"/runs/" + rid, "/runs('" + rid + "')"},
			}
			for _, g := range gets {
				want := h.must(200, request{method: "GET", path: prefix + g.slash})
				got := h.must(200, request{method: "GET", path: prefix + g.parens})
				if got.raw != want.raw || got.header.Get("ETag") != want.header.Get("ETag") {
					t.Errorf("GET %s:\n%s\nGET %s:\n%s", g.parens, got.raw, g.slash, want.raw)
				}
			}
			// 304 as for the key segment.
			etag := h.must(200, request{method: "GET", path: prefix + "/runs('" + rid + "')"}).header.Get("ETag")
			h.must(304, request{method: "GET", path: prefix + "/runs('" + rid + "')", headers: []string{"If-None-Match", etag}})

			patched := h.must(200, request{method: "PATCH", path: prefix + "/operations('" + op + "')", body: `{"statusDetail":"patched in parentheses"}`})
			if patched.str("statusDetail") != "patched in parentheses" || patched.str("id") != op {
				t.Errorf("PATCH: %s", patched.raw)
			}
			h.must(200, request{method: "PATCH", path: prefix + "/processes('" + pid + "')",
				body: `{"displayName":"Renamed","readinessStatus":"ready"}`, headers: []string{"If-Match", "*"}})
			h.must(204, request{method: "DELETE", path: prefix + "/operations('" + op + "')"})
			h.must(404, request{method: "GET", path: prefix + "/operations('" + op + "')"})
		})
	}
}

// TestKeyInParenthesesMalformed: what is not exactly name('key') is left as
// it is and matches no route (404), never a panic; a key cannot address
// another route, whatever it holds.
func TestKeyInParenthesesMalformed(t *testing.T) {
	h := newHarness(t)
	pid := h.systemProcess()["id"].(string)
	op := h.createOperation(`{}`).str("id")
	const base = "/beta/industryData"
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"unclosed quote", "GET", "/operations('" + op, 404},
		{"unclosed parenthesis", "GET", "/operations('" + op + "'", 404},
		{"lone quote inside", "GET", "/operations('a'b')", 404},
		{"unquoted key", "GET", "/operations(" + op + ")", 404},
		{"named key", "GET", "/operations(id='" + op + "')", 404},
		{"empty key", "GET", "/operations('')", 404},
		{"dot key", "GET", "/operations('.')", 404},
		{"dot-dot key", "GET", "/operations('..')", 404},
		{"text after the key", "GET", "/operations('" + op + "')x", 404},
		{"two keys", "GET", "/operations('" + op + "')('" + op + "')", 404},
		{"no name", "GET", "/('" + op + "')", 404},
		{"function call", "GET", "/operations/getStatistics()", 404},
		{"function with a parameter", "GET", "/operations/getUploadSession(resetSession=true)", 404},
		{"doubled quotes", "GET", "/operations('it''s')", 404},
		// A '/' in a key stays inside the key: no process has the id
		// "{pid}/runs", so this is not the process's runs.
		{"slash in the key", "GET", "/processes('" + pid + "/runs')", 404},
		{"encoded slash in the key", "GET", "/processes('" + pid + "%2Fruns')", 404},
		{"traversal in the key", "DELETE", "/operations('../processes/" + pid + "')", 404},
		// A key names an entity, never another route's literal segment.
		{"$count as a key", "GET", "/operations('$count')", 404},
		{"start as a key", "GET", "/runs('start')", 404},
		{"start as a key, POST", "POST", "/runs('start')", 404},
		{"cast as a key", "GET", "/processes('" + urrp + "')", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(request{method: tt.method, path: base + tt.path, headers: []string{"If-Match", "*"}})
			if res.status != tt.want || res.errorCode() != "itemNotFound" {
				t.Fatalf("%s %s: %d %q, want %d itemNotFound\n%s", tt.method, tt.path, res.status, res.errorCode(), tt.want, res.raw)
			}
		})
	}
	// Nothing was deleted, and the process is whole.
	h.must(200, request{method: "GET", path: base + "/operations/" + op})
	h.must(200, request{method: "GET", path: base + "/processes/" + pid})
	// The key with a slash reached the process route as one id, and its
	// message names it.
	res := h.do(request{method: "GET", path: base + "/processes('a%2Fb')"})
	if !strings.Contains(res.errorMessage(), "'a/b'") {
		t.Errorf("GET processes('a%%2Fb'): %d %s", res.status, res.raw)
	}
}

// TestCountSegments: GET {collection}/$count is the number $filter selects,
// as text/plain, on every collection, with the collection's own filter
// semantics (the same number as @odata.count).
func TestCountSegments(t *testing.T) {
	h := newHarness(t)
	pid, rid := reportRun(t, h)
	seedOperations(h, 7)
	running := "$filter=" + q("status eq 'running'")
	dup := "$filter=" + q("issues/any(i: i eq 'duplicateUsername')")
	collections := []struct{ path, query string }{
		{"/operations", ""},
		{"/operations", running},
		{"/processes", ""},
		{"/processes", "$filter=" + q("displayName eq 'nothing'")},
		{"/processes/" + urrp, ""},
		{"/runs", ""},
		{"/runs", "$filter=" + q("status eq 'running'")},
		{"/processes/" + pid + "/runs", ""},
		{"/processes/" + pid + "/runs/" + rid + "/userReport/entries", ""},
		{"/processes/" + pid + "/runs/" + rid + "/userReport/entries", dup},
	}
	for _, prefix := range []string{"/beta/industryData", "/beta/external/industryData"} {
		for _, c := range collections {
			sep := "?"
			if c.query == "" {
				sep = ""
			}
			list := h.must(200, request{method: "GET", path: prefix + c.path + "?$count=true&$top=1" + strings.Replace(sep+c.query, "?", "&", 1)})
			res := h.must(200, request{method: "GET", path: prefix + c.path + "/$count" + sep + c.query})
			if ct := res.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("%s/$count: Content-Type %q", c.path, ct)
			}
			want := strings.TrimSuffix(strings.TrimSuffix(strings.SplitN(strings.SplitN(list.raw, `"@odata.count":`, 2)[1], ",", 2)[0], "}"), "\n")
			if res.raw != want {
				t.Errorf("GET %s/$count?%s = %q, want %s (the list's @odata.count)", c.path, c.query, res.raw, want)
			}
		}
	}
	if got := h.must(200, request{method: "GET", path: "/beta/industryData/operations/$count?" + running}).raw; got != "3" {
		t.Errorf("running operations: %q, want 3", got)
	}
	// HEAD has the headers (net/http drops the body).
	head := h.must(200, request{method: "HEAD", path: "/beta/industryData/operations/$count"})
	if head.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("HEAD: %q %v", head.raw, head.header)
	}
	// Only $filter: anything else is a 400 naming it.
	for _, opt := range []string{"$top=1", "$count=true", "$orderby=status", "$select=status", "$skip=1", "$search=x", "$expand=runs", "bogus=1"} {
		res := h.do(request{method: "GET", path: "/beta/industryData/operations/$count?" + opt})
		name, _, _ := strings.Cut(opt, "=")
		if res.status != 400 || res.errorTarget() != name {
			t.Errorf("$count?%s: %d target %q, want 400 naming %s\n%s", opt, res.status, res.errorTarget(), name, res.raw)
		}
	}
	bad := h.do(request{method: "GET", path: "/beta/industryData/runs/$count?$filter=" + q("nope eq 1")})
	if bad.status != 400 || !strings.HasPrefix(bad.errorMessage(), "Invalid $filter") {
		t.Errorf("bad $filter: %d %s", bad.status, bad.raw)
	}
	// A process or a report that does not exist is 404, as for its list.
	for _, p := range []string{"/processes/00000000-0000-4000-8000-000000000000/runs/$count",
		"/processes/" + pid + "/runs/00000000-0000-4000-8000-000000000000/userReport/entries/$count"} {
		h.must(404, request{method: "GET", path: "/beta/industryData" + p})
	}
	// Permissions are the collection's: a process reader cannot count runs.
	h.must(403, request{method: "GET", path: "/beta/industryData/runs/$count", token: token(t, tenantA, "IndustryData.ReadBasic.All")})
	// Another tenant counts its own only.
	if got := h.must(200, request{method: "GET", path: "/beta/industryData/operations/$count", tenant: tenantB}).raw; got != "0" {
		t.Errorf("tenant B counts %s operations", got)
	}
}

// TestActionWrongMethod: an action's URL answers any other method with 405
// and Allow: POST in the Graph envelope, not with the run "start" missing.
func TestActionWrongMethod(t *testing.T) {
	h := newHarness(t)
	h.systemProcess()
	for _, prefix := range []string{"/beta/industryData", "/beta/external/industryData"} {
		for _, action := range []string{"/runs/start", "/runs/microsoft.graph.industryData.start", "/runs/start/"} {
			for _, method := range []string{"GET", "HEAD", "PATCH", "PUT", "DELETE", "OPTIONS"} {
				res := h.do(request{method: method, path: prefix + action, tenant: "-"})
				if res.status != 405 || res.header.Get("Allow") != "POST" {
					t.Errorf("%s %s: %d Allow %q, want 405 Allow: POST\n%s", method, prefix+action, res.status, res.header.Get("Allow"), res.raw)
				}
				if method != "HEAD" && (res.errorCode() != "methodNotAllowed" || !strings.Contains(res.errorMessage(), "POST")) {
					t.Errorf("%s %s: %s", method, prefix+action, res.raw)
				}
			}
		}
		// POST still starts; GET of a real run still reads it.
		run := h.must(202, request{method: "POST", path: prefix + "/runs/start"}).str("id")
		h.must(200, request{method: "GET", path: prefix + "/runs/" + run})
		runAllToEnd(t, h.store, tenantA, run)
	}
}

// TestRootETag: the root carries a strong ETag, stable for its tenant
// (under both prefixes, call after call), another tenant's is another, and
// If-None-Match answers 304.
func TestRootETag(t *testing.T) {
	h := newHarness(t)
	a := h.must(200, request{method: "GET", path: "/beta/industryData"}).header.Get("ETag")
	if !strings.HasPrefix(a, `"`) || !strings.HasSuffix(a, `"`) || len(a) < 10 {
		t.Fatalf("root ETag %q, want a strong entity-tag", a)
	}
	if again := h.must(200, request{method: "GET", path: "/beta/external/industryData"}).header.Get("ETag"); again != a {
		t.Errorf("ETag under /beta/external %q, want %q", again, a)
	}
	if b := h.must(200, request{method: "GET", path: "/beta/industryData", tenant: tenantB}).header.Get("ETag"); b == a || b == "" {
		t.Errorf("tenant B's root ETag %q, tenant A's %q", b, a)
	}
	for _, inm := range []string{a, "*", `W/` + a, `"other", ` + a} {
		res := h.must(304, request{method: "GET", path: "/beta/external/industryData", headers: []string{"If-None-Match", inm}})
		if res.raw != "" || res.header.Get("ETag") != a {
			t.Errorf("If-None-Match %s: body %q, ETag %q", inm, res.raw, res.header.Get("ETag"))
		}
	}
	h.must(200, request{method: "GET", path: "/beta/industryData", headers: []string{"If-None-Match", `"stale"`}})
	// A fresh handler on the same data (a restart) gives the same tag.
	if again := newHarnessWithStore(t, h.store).must(200, request{method: "GET", path: "/beta/industryData"}).header.Get("ETag"); again != a {
		t.Errorf("after a restart: %q, want %q", again, a)
	}
}

// TestHeaderFieldsTooLarge: header fields over Config.MaxHeaderBytes are
// 431 in the Graph envelope with the response's request-id, on every path
// and before the token is looked at; at the limit they pass.
func TestHeaderFieldsTooLarge(t *testing.T) {
	const limit = 2048
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.MaxHeaderBytes = limit })
	tok := "Bearer " + token(t, tenantA)
	// Host: industrydata.test, Authorization and X-Pad, each with ": " and CRLF.
	used := len("Host: industrydata.test\r\n") + len("Authorization: \r\n") + len(tok) + len("X-Pad: \r\n")
	at := strings.Repeat("p", limit-used)
	h.must(200, request{method: "GET", path: "/beta/industryData/operations", headers: []string{"X-Pad", at}})
	for _, target := range []string{"/beta/industryData/operations", "/healthz", "/beta/$metadata", "/nowhere"} {
		res := h.do(request{method: "GET", path: target, headers: []string{"X-Pad", at + "p"}})
		if res.status != 431 || res.errorCode() != "invalidRequest" || !strings.Contains(res.errorMessage(), "2048") {
			t.Errorf("GET %s: %d %q, want 431 invalidRequest naming the limit\n%s", target, res.status, res.errorCode(), res.raw)
		}
		inner, _ := res.body["error"].(map[string]any)["innerError"].(map[string]any)
		if id := res.header.Get("request-id"); id == "" || inner["request-id"] != id {
			t.Errorf("GET %s: request-id %q, innerError %v", target, id, inner)
		}
	}
	// Many small fields count as much as one large one.
	var many []string
	for i := 0; i < 200; i++ {
		many = append(many, "X-Many-"+strings.Repeat("m", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), "0123456789")
	}
	h.must(431, request{method: "GET", path: "/beta/industryData", headers: many})
}

// TestFreeTextCaps: statusDetail, resourceLocation and displayName take at
// most their caps in characters (not bytes), on POST and PATCH; one more is
// a 400 naming the property, and changes nothing.
func TestFreeTextCaps(t *testing.T) {
	h := newHarness(t)
	pid := h.systemProcess()["id"].(string)
	op := h.createOperation(`{"statusDetail":"before"}`).str("id")
	caps := []struct {
		prop, path, method, extra string
		max                       int
	}{
		{"statusDetail", "/operations", "POST", "", schema.MaxStatusDetailLength},
		{"statusDetail", "/operations/" + op, "PATCH", "", schema.MaxStatusDetailLength},
		{"resourceLocation", "/operations", "POST", "", schema.MaxResourceLocationLength},
		{"resourceLocation", "/operations/" + op, "PATCH", "", schema.MaxResourceLocationLength},
		{"displayName", "/processes/" + pid, "PATCH", `,"readinessStatus":"ready"`, schema.MaxDisplayNameLength},
	}
	for _, c := range caps {
		// Four bytes a character: the cap counts characters.
		at := strings.Repeat("😀", c.max)
		want := 200
		if c.method == "POST" {
			want = 201
		}
		res := h.must(want, request{method: c.method, path: "/beta/industryData" + c.path,
			body: `{"` + c.prop + `":"` + at + `"` + c.extra + `}`, headers: []string{"If-Match", "*"}})
		if res.str(c.prop) != at {
			t.Errorf("%s %s: %s of %d characters not kept", c.method, c.path, c.prop, c.max)
		}
		res = h.must(400, request{method: c.method, path: "/beta/industryData" + c.path,
			body: `{"` + c.prop + `":"` + at + `a"` + c.extra + `}`, headers: []string{"If-Match", "*"}})
		if res.errorTarget() != c.prop || !strings.Contains(res.errorMessage(), "at most") {
			t.Errorf("%s %s with %d characters: %s", c.method, c.path, c.max+1, res.raw)
		}
	}
	// The run takes its process's displayName, so it is under the cap too.
	run := h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + pid + "/runs"})
	if n := len([]rune(run.str("displayName"))); n != schema.MaxDisplayNameLength {
		t.Errorf("run displayName of %d characters", n)
	}
	runAllToEnd(t, h.store, tenantA, run.str("id"))
}
