package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"industrydata"
)

// batchOf is a batch body of the given request objects.
func batchOf(requests ...string) string {
	return `{"requests":[` + strings.Join(requests, ",") + `]}`
}

func get(id, url string) string {
	return fmt.Sprintf(`{"id":%q,"method":"GET","url":%q}`, id, url)
}

// TestParseBatchRefusesTheBatch: what makes a batch unreadable is a 400 for
// the whole batch, naming the member at fault.
func TestParseBatchRefusesTheBatch(t *testing.T) {
	twentyOne := make([]string, 21)
	for i := range twentyOne {
		twentyOne[i] = get(fmt.Sprint(i), "/industryData")
	}
	tests := []struct {
		name, body   string
		target, says string
	}{
		{"not JSON", `{"requests":[`, "", "not valid JSON"},
		{"syntax error", `{"requests":[}`, "", "not valid JSON"},
		{"empty", ``, "", "empty"},
		{"invalid UTF-8", "{\"requests\":[{\"id\":\"\xff\"}]}", "", "UTF-8"},
		{"an array", `[]`, "", "JSON object"},
		{"a string", `"x"`, "", "JSON object"},
		{"data after", batchOf(get("1", "/industryData")) + `{}`, "", "after its JSON object"},
		{"no requests", `{}`, "requests", "1 to 20"},
		{"requests empty", `{"requests":[]}`, "requests", "1 to 20"},
		{"requests null", `{"requests":null}`, "requests", "must be an array"},
		{"requests an object", `{"requests":{}}`, "requests", "must be an array"},
		{"requests twice", `{"requests":[` + get("1", "/x") + `],"requests":[` + get("2", "/x") + `]}`, "requests", "more than once"},
		{"unknown member", `{"requests":[` + get("1", "/x") + `],"atomicityGroup":"g"}`, "atomicityGroup", "not a member of a batch"},
		{"21 requests", batchOf(twentyOne...), "requests", "at most 20"},
		{"a request not an object", batchOf(`"GET /x"`), "requests[0]", "must be a JSON object"},
		{"unknown request member", batchOf(`{"id":"1","method":"GET","url":"/x","if":"x"}`), "requests[0].if", "not a member of a batch request"},
		{"a member twice", batchOf(`{"id":"1","id":"2","method":"GET","url":"/x"}`), "requests[0].id", "more than once"},
		{"no id", batchOf(`{"method":"GET","url":"/x"}`), "requests[0].id", "has no id"},
		{"empty id", batchOf(`{"id":"","method":"GET","url":"/x"}`), "requests[0].id", "has no id"},
		{"numeric id", batchOf(`{"id":1,"method":"GET","url":"/x"}`), "requests[0].id", "must be a string, not a number"},
		{"no method", batchOf(`{"id":"1","url":"/x"}`), "requests[0].method", "has no method"},
		{"method null", batchOf(`{"id":"1","method":null,"url":"/x"}`), "requests[0].method", "must be a string, not null"},
		{"no url", batchOf(`{"id":"1","method":"GET"}`), "requests[0].url", "has no url"},
		{"url an object", batchOf(`{"id":"1","method":"GET","url":{}}`), "requests[0].url", "must be a string, not an object"},
		{"absolute url", batchOf(get("1", "https://graph.microsoft.com/beta/industryData")), "requests[0].url", "absolute"},
		{"absolute url of the service", batchOf(get("1", "http://127.0.0.1:8080/beta/industryData")), "requests[0].url", "absolute"},
		{"network-path url", batchOf(get("1", "//evil.example/beta/industryData")), "requests[0].url", "absolute"},
		{"urn", batchOf(get("1", "urn:x")), "requests[0].url", "absolute"},
		{"headers an array", batchOf(`{"id":"1","method":"GET","url":"/x","headers":[]}`), "requests[0].headers", "must be an object"},
		{"header value a number", batchOf(`{"id":"1","method":"GET","url":"/x","headers":{"Prefer":1}}`), "requests[0].headers.Prefer", "must be a string"},
		{"dependsOn a string", batchOf(`{"id":"1","method":"GET","url":"/x","dependsOn":"2"}`), "requests[0].dependsOn", "array of request ids"},
		{"dependsOn numbers", batchOf(get("1", "/x"), `{"id":"2","method":"GET","url":"/x","dependsOn":[1]}`), "requests[1].dependsOn", "holds a number"},
		{"dependsOn unknown", batchOf(get("1", "/x"), `{"id":"2","method":"GET","url":"/x","dependsOn":["3"]}`), "requests[1].dependsOn", "'3', which is the id of no request"},
		{"dependsOn itself", batchOf(`{"id":"a","method":"GET","url":"/x","dependsOn":["A"]}`), "requests[0].dependsOn", "depends on itself"},
		{"cycle of two", batchOf(`{"id":"a","method":"GET","url":"/x","dependsOn":["b"]}`, `{"id":"b","method":"GET","url":"/x","dependsOn":["a"]}`),
			"requests[0].dependsOn", "cycle: 'a' → 'b' → 'a'"},
		{"cycle of three behind a request", batchOf(`{"id":"x","method":"GET","url":"/x","dependsOn":["b"]}`,
			`{"id":"a","method":"GET","url":"/x","dependsOn":["c"]}`, `{"id":"b","method":"GET","url":"/x","dependsOn":["a"]}`,
			`{"id":"c","method":"GET","url":"/x","dependsOn":["b"]}`),
			"requests[2].dependsOn", "cycle: 'b' → 'a' → 'c' → 'b'"},
		{"ids twice", batchOf(get("1", "/x"), get("1", "/y")), "requests[1].id", "also the id of requests[0]"},
		{"ids twice in two letter cases", batchOf(get("req", "/x"), get("REQ", "/y")), "requests[1].id", "letter case aside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := parseBatch([]byte(tt.body))
			var e *industrydata.Error
			if !errors.As(err, &e) {
				t.Fatalf("parseBatch: %v %+v, want a 400 for the batch", err, reqs)
			}
			if e.Code != industrydata.CodeBadRequest || e.Target != tt.target || !strings.Contains(e.Message, tt.says) {
				t.Errorf("error %s %q (target %q), want badRequest saying %q, target %q", e.Code, e.Message, e.Target, tt.says, tt.target)
			}
		})
	}
}

// TestParseBatchRefusesOneRequest: a request the batch can read but not
// send is refused alone, naming what is wrong; the batch stands.
func TestParseBatchRefusesOneRequest(t *testing.T) {
	tests := []struct {
		name, request, says string
	}{
		{"another version", get("1", "/v1.0/industryData"), "beta version of Graph only"},
		{"another version without slash", get("1", "v1.0/users"), "under /v1.0"},
		{"a version to come", get("1", "/v2/industryData"), "under /v2"},
		{"a nested batch", `{"id":"1","method":"POST","url":"/$batch","body":{"requests":[]},"headers":{"Content-Type":"application/json"}}`, "cannot hold a $batch"},
		{"a nested batch under beta", `{"id":"1","method":"POST","url":"/beta/$batch"}`, "cannot hold a $batch"},
		{"a nested batch percent-encoded", `{"id":"1","method":"POST","url":"/%24batch"}`, "cannot hold a $batch"},
		{"a control character in the url", `{"id":"1","method":"GET","url":"/industryData\u0000"}`, "not a valid URL"},
		{"a bad escape in the url", get("1", "/industryData/%zz"), "not a valid URL"},
		{"Authorization", `{"id":"1","method":"GET","url":"/x","headers":{"authorization":"Bearer x"}}`, "cannot set authorization"},
		{"Host", `{"id":"1","method":"GET","url":"/x","headers":{"Host":"evil.example"}}`, "cannot set Host"},
		{"X-Forwarded-Host", `{"id":"1","method":"GET","url":"/x","headers":{"x-forwarded-host":"evil.example"}}`, "cannot set x-forwarded-host"},
		{"Content-Length", `{"id":"1","method":"GET","url":"/x","headers":{"Content-Length":"5"}}`, "cannot set Content-Length"},
		{"a header name with a space", `{"id":"1","method":"GET","url":"/x","headers":{"If Match":"*"}}`, "not a header name"},
		{"an empty header name", `{"id":"1","method":"GET","url":"/x","headers":{"":"*"}}`, "not a header name"},
		{"a header value with a line break", `{"id":"1","method":"GET","url":"/x","headers":{"Prefer":"a\r\nX-Injected: 1"}}`, "control character"},
		{"a header in two spellings", `{"id":"1","method":"GET","url":"/x","headers":{"Content-Type":"application/json","content-type":"text/plain"}}`, "given twice"},
		{"a body array", `{"id":"1","method":"POST","url":"/x","body":[1]}`, "not an array"},
		{"a body number", `{"id":"1","method":"POST","url":"/x","body":1}`, "not a number"},
		{"a body true", `{"id":"1","method":"POST","url":"/x","body":true}`, "not a boolean"},
		{"a method that is no token", `{"id":"1","method":"GET /x","url":"/x"}`, "not an HTTP method"},
		{"a method with NUL", `{"id":"1","method":"GET\u0000","url":"/x"}`, "not an HTTP method"},
		{"a body not base64", `{"id":"1","method":"POST","url":"/x","body":"{\"a\":1}"}`, "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := parseBatch([]byte(batchOf(get("ok", "/industryData"), tt.request)))
			if err != nil {
				t.Fatalf("parseBatch: %v, want the batch read", err)
			}
			if reqs[0].refusal != nil {
				t.Errorf("the valid request is refused: %v", reqs[0].refusal)
			}
			var e *industrydata.Error
			if !errors.As(reqs[1].refusal, &e) {
				t.Fatalf("request 1: refusal %v, want a 400", reqs[1].refusal)
			}
			if e.Code != industrydata.CodeBadRequest || !strings.HasPrefix(e.Target, "requests[1].") || !strings.Contains(e.Message, tt.says) {
				t.Errorf("refusal %s %q (target %q), want badRequest saying %q", e.Code, e.Message, e.Target, tt.says)
			}
		})
	}
}

// TestParseBatchReads: what a readable batch becomes.
func TestParseBatchReads(t *testing.T) {
	t.Run("urls", func(t *testing.T) {
		for url, want := range map[string]string{
			"/industryData":                     "/beta/industryData",
			"industryData/operations?$top=1":    "/beta/industryData/operations?$top=1",
			"/beta/industryData/runs":           "/beta/industryData/runs",
			"/beta/external/industryData":       "/beta/external/industryData",
			"/external/industryData/operations": "/beta/external/industryData/operations",
			"/beta":                             "/beta/",
			"/beta?$top=1":                      "/beta/?$top=1",
			"/betamax":                          "/beta/betamax",
			"/industryData/operations?$filter=status eq 'running'": "/beta/industryData/operations?$filter=status eq 'running'",
			"/industryData/operations('a%2Fb')":                    "/beta/industryData/operations('a%2Fb')",
		} {
			reqs, err := parseBatch([]byte(batchOf(get("1", url))))
			if err != nil || reqs[0].refusal != nil {
				t.Fatalf("%s: %v %v", url, err, reqs[0].refusal)
			}
			if reqs[0].target != want {
				t.Errorf("url %q: target %q, want %q", url, reqs[0].target, want)
			}
		}
	})
	t.Run("members", func(t *testing.T) {
		reqs, err := parseBatch([]byte(batchOf(
			`{"id":"One","method":"PATCH","url":"/industryData/operations/x","headers":{"content-type":"application/json","If-Match":"*"},"body":{"statusDetail":"x"}}`,
			`{"id":"two","method":"POST","url":"/x","headers":{"Content-Type":"text/plain"},"body":"aGk/Pz4+","dependsOn":["ONE","one"]}`,
			`{"id":"3","method":"POST","url":"/x","body":"aGk_Pz4-","dependsOn":null,"headers":null}`,
			`{"id":"4","method":"POST","url":"/x","body":"","dependsOn":[]}`,
			`{"id":"5","method":"GET","url":"/x","body":null}`,
		)))
		if err != nil {
			t.Fatal(err)
		}
		one := reqs[0]
		if one.id != "One" || one.method != "PATCH" || one.header.Get("Content-Type") != "application/json" || one.header.Get("If-Match") != "*" ||
			string(one.body) != `{"statusDetail":"x"}` || one.refusal != nil {
			t.Errorf("request 0: %+v", one)
		}
		if string(reqs[1].body) != "hi??>>" || !slices.Equal(reqs[1].deps, []int{0}) {
			t.Errorf("request 1: body %q deps %v, want the base64 decoded and one dependency", reqs[1].body, reqs[1].deps)
		}
		if string(reqs[2].body) != "hi??>>" || reqs[2].deps != nil || len(reqs[2].header) != 0 {
			t.Errorf("request 2: body %q (URL alphabet) deps %v headers %v", reqs[2].body, reqs[2].deps, reqs[2].header)
		}
		if len(reqs[3].body) != 0 || len(reqs[4].body) != 0 {
			t.Errorf("an empty string or null body: %q %q, want none", reqs[3].body, reqs[4].body)
		}
	})
	t.Run("order", func(t *testing.T) {
		// Graph's own example: 1, then 2, then 4, then 3.
		reqs, err := parseBatch([]byte(batchOf(get("1", "/x"),
			`{"id":"2","dependsOn":["1"],"method":"GET","url":"/x"}`,
			`{"id":"4","dependsOn":["2"],"method":"GET","url":"/x"}`,
			`{"id":"3","dependsOn":["4"],"method":"GET","url":"/x"}`,
			get("5", "/x"))))
		if err != nil {
			t.Fatal(err)
		}
		order, err := batchOrder(reqs)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, i := range order {
			ids = append(ids, reqs[i].id)
		}
		if want := []string{"1", "2", "4", "3", "5"}; !slices.Equal(ids, want) {
			t.Errorf("order %v, want %v", ids, want)
		}
	})
}

// FuzzParseBatch: whatever the body, parseBatch answers a batch of 1 to
// 20 requests in an order where each request follows those it depends on,
// or a 400 for the batch; it never panics.
func FuzzParseBatch(f *testing.F) {
	for _, seed := range []string{
		batchOf(get("1", "/industryData")),
		batchOf(`{"id":"a","method":"PATCH","url":"/x","headers":{"Content-Type":"application/json"},"body":{"a":[1,{"b":null}]},"dependsOn":["b"]}`,
			`{"id":"b","method":"POST","url":"v1.0/x","body":"eyJhIjoxfQ=="}`),
		batchOf(`{"id":"a","method":"GET","url":"/x","dependsOn":["a"]}`),
		`{"requests":[{"id":"1","id":"2"}]}`, `[]`, `{"requests":[[[[`, "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		reqs, err := parseBatch([]byte(body))
		if err != nil {
			var e *industrydata.Error
			if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(reqs) == 0 || len(reqs) > MaxBatchRequests {
			t.Fatalf("%d requests", len(reqs))
		}
		order, err := batchOrder(reqs)
		if err != nil {
			t.Fatalf("a batch read whole has no order: %v", err)
		}
		pos := make([]int, len(reqs))
		for k, i := range order {
			pos[i] = k
		}
		for i, rq := range reqs {
			for _, d := range rq.deps {
				if pos[d] >= pos[i] {
					t.Fatalf("request %d comes before %d, which it depends on", i, d)
				}
			}
			if rq.refusal == nil && !strings.HasPrefix(rq.target, "/beta/") {
				t.Fatalf("request %d's target %q", i, rq.target)
			}
		}
	})
}
