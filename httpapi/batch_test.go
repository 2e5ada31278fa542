package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"industrydata"
	"industrydata/httpapi"
	"industrydata/service"
)

// Tests of POST /beta/$batch through the real router (SPEC §6); the
// envelope's rules alone are in batchparse_internal_test.go.

// item is a request of a batch as JSON.
func item(id, method, url string, more ...string) string {
	s := `{"id":` + jsonText(id) + `,"method":` + jsonText(method) + `,"url":` + jsonText(url)
	for _, m := range more {
		s += "," + m
	}
	return s + "}"
}

func batchBody(items ...string) string { return `{"requests":[` + strings.Join(items, ",") + `]}` }

const jsonHeaders = `"headers":{"Content-Type":"application/json"}`

// TestBatchRefusedWhole: a batch that cannot be read is answered for
// itself, and none of its requests runs (each batch below would create an
// operation).
func TestBatchRefusedWhole(t *testing.T) {
	create := item("create", "POST", "/industryData/operations", jsonHeaders, `"body":{"statusDetail":"must not exist"}`)
	twentyOne := []string{create}
	for i := range 20 {
		twentyOne = append(twentyOne, item(fmt.Sprint(i), "GET", "/industryData"))
	}
	tests := []struct {
		name    string
		rq      request
		status  int
		code    string
		says    string
		headers []string // name, value the answer must carry
	}{
		{"21 requests", request{body: batchBody(twentyOne...)}, 400, "badRequest", "at most 20", nil},
		{"two requests with one id", request{body: batchBody(create, item("CREATE", "GET", "/industryData"))}, 400, "badRequest", "ids of a batch must differ", nil},
		{"a dependency cycle", request{body: batchBody(item("a", "GET", "/industryData", `"dependsOn":["b"]`), item("b", "GET", "/industryData", `"dependsOn":["a"]`), create)},
			400, "badRequest", "cycle", nil},
		{"a dependency on no request", request{body: batchBody(create, item("b", "GET", "/industryData", `"dependsOn":["c"]`))}, 400, "badRequest", "id of no request", nil},
		{"an absolute url", request{body: batchBody(create, item("b", "GET", "https://graph.microsoft.com/beta/industryData"))}, 400, "badRequest", "absolute", nil},
		{"not JSON", request{body: `{"requests":[` + create}, 400, "badRequest", "not valid JSON", nil},
		{"no requests", request{body: `{"requests":[]}`}, 400, "badRequest", "1 to 20", nil},
		{"text/plain", request{body: batchBody(create), headers: []string{"Content-Type", "text/plain"}}, 400, "badRequest", "application/json", nil},
		{"no Content-Type", request{body: batchBody(create), headers: []string{"Content-Type", ""}}, 400, "badRequest", "Content-Type", nil},
		{"a query option", request{body: batchBody(create), path: "?$top=1"}, 400, "badRequest", "not supported", nil},
		{"over the size limit", request{body: batchBody(create, item("pad", "GET", "/industryData?"+strings.Repeat("x", 4096)))}, 413, "requestEntityTooLarge", "limit of 4096 bytes", nil},
		{"no token", request{body: batchBody(create), tenant: "-"}, 401, "unauthenticated", "", nil},
		{"a token without permissions", request{body: batchBody(create), token: "none"}, 403, "accessDenied", "", nil},
		{"GET", request{method: "GET"}, 405, "methodNotAllowed", "", []string{"Allow", "POST"}},
		{"under /beta/external", request{path: "/beta/external/$batch", body: batchBody(create)}, 404, "itemNotFound", "", nil},
	}
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.MaxBatchBytes = 4096 })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			rq := tt.rq
			if rq.method == "" {
				rq.method = "POST"
			}
			switch {
			case rq.path == "":
				rq.path = batchPath
			case strings.HasPrefix(rq.path, "?"):
				rq.path = batchPath + rq.path
			}
			if rq.token == "none" {
				rq.token = rawToken(t, tenantA, nil)
			}
			res := h.do(rq)
			if res.status != tt.status || res.errorCode() != tt.code || !strings.Contains(res.errorMessage(), tt.says) {
				t.Errorf("%d %s %q, want %d %s saying %q", res.status, res.errorCode(), res.errorMessage(), tt.status, tt.code, tt.says)
			}
			for i := 0; i+1 < len(tt.headers); i += 2 {
				if got := res.header.Get(tt.headers[i]); got != tt.headers[i+1] {
					t.Errorf("%s: %q, want %q", tt.headers[i], got, tt.headers[i+1])
				}
			}
		})
	}
	h.t = t
	for _, op := range values(h.must(200, request{method: "GET", path: "/beta/industryData/operations"})) {
		t.Errorf("a refused batch ran a request: %v", op)
	}
}

// TestBatchAnswersEachRequest: each request of a batch gets the answer the
// same request gets alone, beside the others: the batch is 200 whatever
// they answer.
func TestBatchAnswersEachRequest(t *testing.T) {
	h := newHarness(t)
	op := h.createOperation(`{"statusDetail":"before"}`)
	opID, stale := op.str("id"), op.header.Get("ETag")
	h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + opID, body: `{"statusDetail":"changed"}`})
	opURL := "/industryData/operations/" + opID
	big := `{"statusDetail":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`

	tests := []struct {
		name   string
		item   string
		status int
		code   string // the error's code, when the answer is an error
		says   string // in the error's message
		check  func(t *testing.T, it batchItem)
	}{
		{"a lower-case method, case-sensitive as alone", item("1", "get", opURL), 405, "methodNotAllowed", "", nil},
		{"a method the route lacks", item("1", "PUT", opURL), 405, "methodNotAllowed", "", func(t *testing.T, it batchItem) {
			if it.Headers["Allow"] == "" {
				t.Errorf("405 without Allow: %v", it.Headers)
			}
		}},
		{"url without a leading slash", item("1", "GET", strings.TrimPrefix(opURL, "/")), 200, "", "", nil},
		{"url under /beta", item("1", "GET", "/beta"+opURL), 200, "", "", nil},
		{"url under /external", item("1", "GET", "/external"+opURL), 200, "", "", func(t *testing.T, it batchItem) {
			if ctx := it.response(t).str("@odata.context"); !strings.Contains(ctx, "#external/industryData/operations/$entity") {
				t.Errorf("@odata.context %q", ctx)
			}
		}},
		{"url with the key in parentheses", item("1", "GET", "/industryData/operations('"+opID+"')"), 200, "", "", nil},
		{"url with a space in the query", item("1", "GET", "/industryData/operations?$filter=status eq 'notStarted'"), 200, "", "", func(t *testing.T, it batchItem) {
			if n := len(values(it.response(t))); n != 1 {
				t.Errorf("%d operations, want 1", n)
			}
		}},
		{"url of v1.0", item("1", "GET", "/v1.0/industryData"), 400, "badRequest", "beta version", nil},
		{"a nested $batch", item("1", "POST", "/$batch", jsonHeaders, `"body":{"requests":[]}`), 400, "badRequest", "cannot hold a $batch", nil},
		{"an unknown path", item("1", "GET", "/industryData/nothing"), 404, "itemNotFound", "", nil},
		{"an unclean path", item("1", "GET", "/industryData/../industryData"), 400, "invalidRequest", "", nil},
		{"an unknown id", item("1", "GET", "/industryData/operations/nope"), 404, "itemNotFound", "", nil},
		{"a bad query option", item("1", "GET", "/industryData/operations?$top=0"), 400, "badRequest", "", nil},
		{"the batch's token only", item("1", "GET", opURL, `"headers":{"Authorization":"Bearer x"}`), 400, "badRequest", "cannot set Authorization", nil},
		{"header names in any case: if-match", item("1", "PATCH", opURL, `"headers":{"content-type":"application/json","if-match":`+jsonQuote(t, stale)+`}`, `"body":{"statusDetail":"x"}`),
			412, "preconditionFailed", "", nil},
		{"prefer return=minimal", item("1", "PATCH", opURL, `"headers":{"CONTENT-TYPE":"application/json","prefer":"return=minimal"}`, `"body":{"statusDetail":"minimal"}`),
			204, "", "", func(t *testing.T, it batchItem) {
				if it.Body != nil || it.Headers["Preference-Applied"] != "return=minimal" || it.Headers["ETag"] == "" {
					t.Errorf("204: body %s, headers %v", it.Body, it.Headers)
				}
			}},
		{"a JSON body", item("1", "POST", "/industryData/operations", jsonHeaders, `"body":{"statusDetail":"created in a batch"}`), 201, "", "", func(t *testing.T, it batchItem) {
			res := it.response(t)
			if res.str("statusDetail") != "created in a batch" || !strings.HasPrefix(it.Headers["Location"], "http://industrydata.test/beta/industryData/operations/") ||
				it.Headers["ETag"] == "" || it.Headers["OData-Version"] != "4.0" {
				t.Errorf("201: headers %v body %s", it.Headers, it.Body)
			}
		}},
		{"a base64 body", item("1", "POST", "/industryData/operations", jsonHeaders, `"body":"eyJzdGF0dXNEZXRhaWwiOiJmcm9tIGJhc2U2NCJ9"`), 201, "", "", func(t *testing.T, it batchItem) {
			if got := it.response(t).str("statusDetail"); got != "from base64" {
				t.Errorf("statusDetail %q", got)
			}
		}},
		{"a body without Content-Type", item("1", "POST", "/industryData/operations", `"body":{"statusDetail":"x"}`), 400, "badRequest", "Content-Type", nil},
		{"a text/plain body", item("1", "POST", "/industryData/operations", `"headers":{"Content-Type":"text/plain"}`, `"body":"eA=="`), 400, "badRequest", "application/json", nil},
		{"a body that is an array", item("1", "POST", "/industryData/operations", jsonHeaders, `"body":[]`), 400, "badRequest", "not an array", nil},
		{"a body over 1 MiB", item("1", "POST", "/industryData/operations", jsonHeaders, `"body":`+big), 413, "requestEntityTooLarge", "", nil},
		{"an action with an empty base64 body", item("1", "POST", "/industryData/runs/start", jsonHeaders, `"body":""`), 202, "", "", nil},
		{"a $count", item("1", "GET", "/industryData/operations/$count"), 200, "", "", func(t *testing.T, it batchItem) {
			if it.Headers["Content-Type"] != "text/plain; charset=utf-8" || string(it.bytes(t)) == "" || it.Body[0] != '"' {
				t.Errorf("$count: headers %v body %s", it.Headers, it.Body)
			}
		}},
		{"HEAD", item("1", "HEAD", opURL), 200, "", "", func(t *testing.T, it batchItem) {
			if it.Body != nil {
				t.Errorf("HEAD with a body %s", it.Body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			res, items := h.batch(request{body: batchBody(item("before", "GET", "/industryData"), tt.item, item("after", "GET", "/industryData"))})
			if res.status != 200 || len(items) != 3 {
				t.Fatalf("batch: %d, %d answers\n%s", res.status, len(items), res.raw)
			}
			if items[0].Status != 200 || items[2].Status != 200 {
				t.Errorf("the requests beside it: %d, %d", items[0].Status, items[2].Status)
			}
			it := items[1]
			got := it.response(t)
			if it.ID != "1" || it.Status != tt.status || got.errorCode() != tt.code || !strings.Contains(got.errorMessage(), tt.says) {
				t.Errorf("answer %q: %d %s %q, want %d %s saying %q\n%s", it.ID, it.Status, got.errorCode(), got.errorMessage(), tt.status, tt.code, tt.says, it.Body)
			}
			if tt.check != nil {
				tt.check(t, it)
			}
		})
	}
}

// TestBatchOfTwenty: twenty requests, the most a batch holds, are all
// answered, in the order sent.
func TestBatchOfTwenty(t *testing.T) {
	h := newHarness(t)
	var items []string
	for i := range httpapi.MaxBatchRequests {
		items = append(items, item(fmt.Sprintf("r%02d", i), "POST", "/industryData/operations", jsonHeaders, fmt.Sprintf(`"body":{"statusDetail":"%d"}`, i)))
	}
	_, answers := h.batch(request{body: batchBody(items...)})
	if len(answers) != httpapi.MaxBatchRequests {
		t.Fatalf("%d answers", len(answers))
	}
	for i, it := range answers {
		if it.ID != fmt.Sprintf("r%02d", i) || it.Status != 201 || it.response(t).str("statusDetail") != fmt.Sprint(i) {
			t.Errorf("answer %d: %s %d %s", i, it.ID, it.Status, it.Body)
		}
	}
	if n := len(values(h.must(200, request{method: "GET", path: "/beta/industryData/operations"}))); n != httpapi.MaxBatchRequests {
		t.Errorf("%d operations, want %d", n, httpapi.MaxBatchRequests)
	}
}

// TestBatchDependsOn: a request runs after those it depends on and only
// if each succeeded; otherwise it answers 424 without running, and so do
// the requests that depend on it in turn.
func TestBatchDependsOn(t *testing.T) {
	h := newHarness(t)
	opID := h.createOperation(`{"statusDetail":"before"}`).str("id")
	opURL := "/industryData/operations/" + opID

	t.Run("a failure fails its dependants, in a chain", func(t *testing.T) {
		h.t = t
		_, items := h.batch(request{body: batchBody(
			item("missing", "GET", "/industryData/operations/nope"),
			item("second", "PATCH", opURL, jsonHeaders, `"body":{"statusDetail":"must not be written"}`, `"dependsOn":["MISSING"]`),
			item("third", "GET", opURL, `"dependsOn":["second"]`),
			item("both", "GET", "/industryData", `"dependsOn":["independent","third"]`),
			item("independent", "GET", "/industryData"),
			item("refused", "GET", "/v1.0/industryData"),
			item("after refused", "GET", "/industryData", `"dependsOn":["refused"]`),
		)})
		got := map[string]int{}
		for _, it := range items {
			got[it.ID] = it.Status
		}
		want := map[string]int{"missing": 404, "second": 424, "third": 424, "both": 424, "independent": 200, "refused": 400, "after refused": 424}
		for id, status := range want {
			if got[id] != status {
				t.Errorf("%s: %d, want %d", id, got[id], status)
			}
		}
		res := byID(items)["second"].response(t)
		if res.errorCode() != "failedDependency" || !strings.Contains(res.errorMessage(), "'missing', which answered 404") {
			t.Errorf("424: %s %q", res.errorCode(), res.errorMessage())
		}
		if res := byID(items)["third"].response(t); !strings.Contains(res.errorMessage(), "'second', which answered 424") {
			t.Errorf("424 of a 424: %q", res.errorMessage())
		}
		h.t = t
		if got := h.must(200, request{method: "GET", path: "/beta" + opURL}).str("statusDetail"); got != "before" {
			t.Errorf("a request that depended on a failure ran: statusDetail %q", got)
		}
	})

	t.Run("a success lets its dependants run after it", func(t *testing.T) {
		h.t = t
		for round := range 5 {
			detail := fmt.Sprintf("round %d", round)
			_, items := h.batch(request{body: batchBody(
				item("read", "GET", opURL, `"dependsOn":["write"]`),
				item("write", "PATCH", opURL, jsonHeaders, `"body":{"statusDetail":"`+detail+`"}`),
			)})
			if items[0].ID != "write" || items[1].ID != "read" {
				t.Fatalf("order %s, %s: a request must come after those it depends on", items[0].ID, items[1].ID)
			}
			if got := items[1].response(t).str("statusDetail"); items[1].Status != 200 || got != detail {
				t.Errorf("round %d: the read after the write saw %q (%d)", round, got, items[1].Status)
			}
		}
	})

	t.Run("Graph's example order", func(t *testing.T) {
		h.t = t
		_, items := h.batch(request{body: batchBody(item("1", "GET", "/industryData"),
			item("2", "GET", "/industryData", `"dependsOn":["1"]`), item("4", "GET", "/industryData", `"dependsOn":["2"]`),
			item("3", "GET", "/industryData", `"dependsOn":["4"]`))})
		var ids []string
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if strings.Join(ids, ",") != "1,2,4,3" {
			t.Errorf("order %v, want 1,2,4,3", ids)
		}
	})
}

// TestBatchRequestsGoThroughTheChain: the requests of a batch are
// authenticated with its token, checked against their own routes'
// permissions, confined to its tenant, audited with their own request-ids,
// and bounded as requests from the network are.
func TestBatchRequestsGoThroughTheChain(t *testing.T) {
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.MaxURLBytes = 2048 })
	opA := h.createOperation(`{"statusDetail":"A's"}`).str("id")

	t.Run("request-ids", func(t *testing.T) {
		h.t = t
		res, items := h.batch(request{body: batchBody(item("1", "GET", "/industryData"), item("2", "GET", "/industryData/operations/nope")),
			headers: []string{"client-request-id", "batch-client"}})
		outer := res.header.Get("request-id")
		seen := map[string]bool{outer: true}
		for _, it := range items {
			id := it.Headers["request-id"]
			if id == "" || seen[id] {
				t.Errorf("answer %s: request-id %q, want its own (the batch's is %s)", it.ID, id, outer)
			}
			seen[id] = true
			if it.Headers["client-request-id"] != "batch-client" {
				t.Errorf("answer %s: client-request-id %q, want the batch's", it.ID, it.Headers["client-request-id"])
			}
		}
		e, _ := byID(items)["2"].response(t).body["error"].(map[string]any)
		inner, _ := e["innerError"].(map[string]any)
		if inner["request-id"] != byID(items)["2"].Headers["request-id"] || inner["client-request-id"] != "batch-client" {
			t.Errorf("innerError %v, headers %v", inner, byID(items)["2"].Headers)
		}
		_, items = h.batch(request{body: batchBody(item("1", "GET", "/industryData", `"headers":{"client-request-id":"mine"}`)),
			headers: []string{"client-request-id", "batch-client"}})
		if got := items[0].Headers["client-request-id"]; got != "mine" {
			t.Errorf("a request's own client-request-id: %q", got)
		}
	})

	t.Run("audit", func(t *testing.T) {
		h.t = t
		at := h.lastAuditPosition()
		_, items := h.batch(request{body: batchBody(item("1", "POST", "/industryData/operations", jsonHeaders, `"body":{"statusDetail":"audited"}`))})
		recs := h.auditSince(at)
		if len(recs) != 1 || recs[0].RequestID != items[0].Headers["request-id"] || recs[0].Action != "create" {
			t.Errorf("audit %+v, want one create under request-id %s", recs, items[0].Headers["request-id"])
		}
	})

	t.Run("tenancy", func(t *testing.T) {
		h.t = t
		_, items := h.batch(request{tenant: tenantB, body: batchBody(item("1", "GET", "/industryData/operations/"+opA),
			item("2", "DELETE", "/industryData/operations/"+opA))})
		for _, it := range items {
			if it.Status != 404 {
				t.Errorf("tenant B's %s of A's operation: %d", it.ID, it.Status)
			}
		}
		h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + opA})
	})

	t.Run("permissions", func(t *testing.T) {
		h.t = t
		_, items := h.batch(request{token: token(t, tenantA, industrydata.PermReadBasic), body: batchBody(
			item("read", "GET", "/industryData/operations"), item("write", "POST", "/industryData/operations", jsonHeaders, `"body":{}`),
			item("runs", "GET", "/industryData/runs"))})
		got := byID(items)
		if got["read"].Status != 200 || got["write"].Status != 403 || got["runs"].Status != 403 {
			t.Errorf("ReadBasic: read %d, write %d, runs %d", got["read"].Status, got["write"].Status, got["runs"].Status)
		}
		if res := got["write"].response(t); res.errorCode() != "accessDenied" || !strings.Contains(res.errorMessage(), string(industrydata.PermOperationReadWrite)) {
			t.Errorf("403: %s %q", res.errorCode(), res.errorMessage())
		}
	})

	t.Run("limits", func(t *testing.T) {
		h.t = t
		_, items := h.batch(request{body: batchBody(item("long", "GET", "/industryData/operations?$filter="+strings.Repeat("x", 3000)))})
		if items[0].Status != 414 {
			t.Errorf("a url over the limit: %d, want 414", items[0].Status)
		}
	})
}
