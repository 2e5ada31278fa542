package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Batches (see hostile_cases_test.go): malformed envelopes, answered 400
// or 413 for the whole batch, and readable batches whose requests are
// hostile, each answered on its own (innerWant) while the batch answers
// 200. TestHostileRequestsInBatches sends every other case of the table
// again inside a batch.

// hostileBatch is a batch case: the envelope, and the statuses its
// requests may answer when it is readable.
func hostileBatch(name, body string, want int, innerWant ...int) hostileCase {
	return hostileCase{name: "batch: " + name, method: "POST", target: batchPath, body: body, want: []int{want}, innerWant: innerWant}
}

func hostileBatches() []hostileCase {
	const mib = 1 << 20
	patchOp := func(more ...string) string {
		return item("p", "PATCH", "/industryData/operations/{op}", append([]string{jsonHeaders, `"body":{"statusDetail":"changed"}`}, more...)...)
	}
	many := make([]string, 1000)
	for i := range many {
		many[i] = patchOp()
	}
	cases := []hostileCase{
		// The envelope.
		hostileBatch("not JSON", `{"requests":[`+patchOp(), 400),
		hostileBatch("an empty object", `{}`, 400),
		hostileBatch("requests a string", `{"requests":"`+patchOp()+`"}`, 400),
		hostileBatch("requests an object", `{"requests":{"0":`+patchOp()+`}}`, 400),
		hostileBatch("requests twice", `{"requests":[],"requests":[`+patchOp()+`]}`, 400),
		hostileBatch("a thousand requests", batchBody(many...), 400),
		hostileBatch("nested arrays", `{"requests":`+nest("[", "1", "]", 100_000)+`}`, 400),
		hostileBatch("a body nested deeply", batchBody(item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders, `"body":{"a":`+nest("[", "1", "]", 100_000)+`}`)), 400),
		hostileBatch("invalid UTF-8", batchBody(`{"id":"p`+"\xff"+`","method":"DELETE","url":"/industryData/operations/{op}"}`), 400),
		hostileBatch("over 4 MiB", batchBody(patchOp(), item("pad", "GET", "/industryData?"+strings.Repeat("x", 4*mib))), 413),
		hostileBatch("an unknown member", batchBody(patchOp(`"atomicityGroup":"g"`)), 400),
		hostileBatch("a numeric id", batchBody(`{"id":1,"method":"DELETE","url":"/industryData/operations/{op}"}`), 400),
		hostileBatch("an id twice", batchBody(patchOp(), item("P", "GET", "/industryData")), 400),
		hostileBatch("a dependency cycle", batchBody(patchOp(`"dependsOn":["q"]`), item("q", "DELETE", "/industryData/operations/{op}", `"dependsOn":["p"]`)), 400),
		hostileBatch("a dependency on itself", batchBody(patchOp(`"dependsOn":["P"]`)), 400),
		hostileBatch("a dependency on no request", batchBody(patchOp(`"dependsOn":["nobody"]`)), 400),
		hostileBatch("dependsOn a string", batchBody(patchOp(`"dependsOn":"p"`)), 400),
		hostileBatch("headers an array", batchBody(item("p", "PATCH", "/industryData/operations/{op}", `"headers":["Content-Type: application/json"]`, `"body":{"statusDetail":"changed"}`)), 400),
		hostileBatch("a header value an object", batchBody(item("p", "PATCH", "/industryData/operations/{op}", `"headers":{"Content-Type":{"a":1}}`, `"body":{}`)), 400),
	}
	for _, u := range []string{"https://graph.microsoft.com/beta/industryData/operations/{op}", "http://127.0.0.1/beta/industryData/operations/{op}",
		"//evil.example/beta/industryData/operations/{op}", "javascript:alert(1)", "file:///etc/passwd", "urn:industryData:operations"} {
		cases = append(cases, hostileBatch("an absolute url "+clipName(u), batchBody(item("d", "DELETE", u)), 400))
	}

	// Readable batches of hostile requests: each is refused on its own.
	del := func(url string, more ...string) string { return item("d", "DELETE", url, more...) }
	for _, c := range []struct{ name, item string }{
		{"a url with a line break", del("/industryData/operations/{op}\r\nHost: evil.example")},
		{"a url with NUL", del("/industryData/operations/{op}\u0000")},
		{"a url that climbs", del("/../../industryData/operations/{op}")},
		{"a url that climbs to a batch", item("b", "POST", "/$metadata/../$batch", jsonHeaders, `"body":{"requests":[`+del("/industryData/operations/{op}")+`]}`)},
		{"a nested batch", item("b", "POST", "/$batch", jsonHeaders, `"body":{"requests":[`+del("/industryData/operations/{op}")+`]}`)},
		{"a nested batch percent-encoded", item("b", "POST", "/%24batch", jsonHeaders, `"body":{"requests":[`+del("/industryData/operations/{op}")+`]}`)},
		{"a url of v1.0", del("/v1.0/industryData/operations/{op}")},
		{"a 100 KB url", del("/industryData/operations/{op}" + strings.Repeat("x", 100<<10))},
		{"tenant B's token", del("/industryData/operations/{op}", `"headers":{"Authorization":"Bearer {tokB}"}`)},
		{"another host", del("/industryData/operations/{op}", `"headers":{"Host":"evil.example"}`)},
		{"a forwarded host", del("/industryData/operations/{op}", `"headers":{"X-Forwarded-Host":"evil.example"}`)},
		{"a header with a line break", del("/industryData/operations/{op}", `"headers":{"If-Match":"*\r\nX-Injected: 1"}`)},
		{"a header name with a colon", del("/industryData/operations/{op}", `"headers":{"If-Match:":"*"}`)},
		{"a header twice", del("/industryData/operations/{op}", `"headers":{"If-Match":"\"stale\"","if-match":"*"}`)},
		{"a body array", item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders, `"body":[{"statusDetail":"changed"}]`)},
		{"a body that is not base64", item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders, `"body":"not base64!"`)},
		{"a base64 body of invalid UTF-8", item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders,
			`"body":"`+base64.StdEncoding.EncodeToString([]byte("{\"statusDetail\":\"\xff\"}"))+`"`)},
		{"a base64 body over 1 MiB", item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders,
			`"body":"`+base64.StdEncoding.EncodeToString([]byte(`{"statusDetail":"`+strings.Repeat("x", 2*mib)+`"}`))+`"`)},
		{"a body without Content-Type", item("p", "PATCH", "/industryData/operations/{op}", `"body":{"statusDetail":"changed"}`)},
		{"a stale eTag", item("p", "PATCH", "/industryData/processes/{proc}", `"headers":{"content-type":"application/json","if-match":"\"stale\""}`,
			`"body":{"displayName":"changed","readinessStatus":"notReady"}`)},
		{"tenant B's operation", del("/industryData/operations/{opB}")},
		{"a type confusion", item("p", "PATCH", "/industryData/operations/{op}", jsonHeaders, `"body":{"status":42}`)},
		{"a method no route has", item("p", "PUT", "/industryData/operations/{op}", jsonHeaders, `"body":{"statusDetail":"changed"}`)},
		{"a 10 KB method", item("p", strings.Repeat("X", 10<<10), "/industryData/operations/{op}")},
		{"a method with a line break", item("p", "DELETE /x HTTP/1.1\r\nHost: evil", "/industryData/operations/{op}")},
		{"a lower-case method", item("p", "delete", "/industryData/operations/{op}")},
	} {
		cases = append(cases, hostileBatch(c.name, batchBody(c.item), 200, 400, 404, 405, 412, 413, 414))
	}
	// A write after a failure does not run; one after a refusal neither.
	cases = append(cases,
		hostileBatch("a write after a failure", batchBody(item("missing", "GET", "/industryData/operations/nope"),
			patchOp(`"dependsOn":["missing"]`), del("/industryData/operations/{op}", `"dependsOn":["p"]`)), 200, 404, 424),
		hostileBatch("a write after a refusal", batchBody(item("refused", "GET", "/v1.0/me"), patchOp(`"dependsOn":["refused"]`)), 200, 400, 424),
		hostileBatch("a thousand dependencies on one request", batchBody(item("missing", "GET", "/industryData/operations/nope"),
			patchOp(`"dependsOn":[`+strings.Repeat(`"missing",`, 1000)+`"missing"]`)), 200, 404, 424),
	)
	return cases
}

// checkHostileBatch checks the answers of a batch that answered 200: none
// is a 5xx, each error is a Graph envelope, each status one of innerWant.
func checkHostileBatch(tb testing.TB, tc hostileCase, raw []byte) {
	tb.Helper()
	for _, it := range decodeBatch(tb, raw) {
		if it.Status >= 500 {
			tb.Errorf("answer %q: %d: %s", it.ID, it.Status, it.Body)
			continue
		}
		if tc.innerWant != nil && !slices.Contains(tc.innerWant, it.Status) {
			tb.Errorf("answer %q: %d, want one of %v: %.600s", it.ID, it.Status, tc.innerWant, it.Body)
		}
		if it.Status >= 400 {
			res := &http.Response{StatusCode: it.Status, Header: http.Header{}}
			for k, v := range it.Headers {
				res.Header.Set(k, v)
			}
			checkHostileEnvelope(tb, hostileCase{bigEcho: tc.bigEcho}, res, it.Body)
		}
	}
}

// batchOwned are the headers a request of a batch may not set: a case
// that sets one is refused inside a batch, whatever it gets alone.
var batchOwned = []string{"Host", "Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For",
	"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
	"Te", "Trailer", "Upgrade", "Expect"}

// inBatch is tc sent inside a batch of one, with tc's Authorization on
// the batch, and whether the batch carries tc exactly: a header the batch
// owns, a header given twice, a control character in a header (which
// HTTP could not carry either) or text a JSON string cannot hold (bytes
// that are not UTF-8) make the request inside differ from tc. ok is false
// for a target outside /beta, which a batch, relative to /beta, cannot
// address at all.
func (e *hostileEnv) inBatch(tc hostileCase) (wrapped hostileCase, exact, ok bool) {
	target := e.expand(tc.target)
	if target != "/beta" && !strings.HasPrefix(target, "/beta/") && !strings.HasPrefix(target, "/beta?") {
		return hostileCase{}, false, false
	}
	exact = utf8.ValidString(target)
	rq := request{method: tc.method, path: strings.TrimPrefix(e.expand(tc.target), "/beta"), body: e.expand(tc.body)}
	var auth []string
	seen := map[string]bool{}
	for i := 0; i+1 < len(tc.headers); i += 2 {
		name, value := http.CanonicalHeaderKey(tc.headers[i]), e.expand(tc.headers[i+1])
		if name == "Authorization" {
			auth = append(auth, name, value)
			continue
		}
		if seen[name] || slices.Contains(batchOwned, name) || !utf8.ValidString(name+value) ||
			strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			exact = false
		}
		seen[name] = true
		if value == "-" {
			value = ""
		}
		rq.headers = append(rq.headers, name, value)
	}
	wrapped = hostileCase{name: tc.name + " (in a batch)", method: "POST", target: batchPath,
		body: `{"requests":[` + batchRequestOf("1", rq) + `]}`, headers: auth, bigEcho: tc.bigEcho}
	return wrapped, exact, true
}

// TestHostileRequestsInBatches: every request of the table, sent inside a
// batch with the same token, is answered as it is alone — refused where
// it is refused, never a 5xx — and changes nothing a refused request may
// not. A batch is no way around a check.
func TestHostileRequestsInBatches(t *testing.T) {
	env := newHostileEnv(t)
	n, outside := 0, 0
	start := time.Now()
	for _, tc := range hostileCases() {
		if tc.target == batchPath {
			continue
		}
		wrapped, exact, ok := env.inBatch(tc)
		if !ok {
			outside++
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			// The snapshot after the case before, as run takes it.
			before := env.last
			if before == "" {
				before = env.snapshot(t)
				env.last = before
			}
			// The batch itself: 200, or what the case's token gets alone.
			wrapped.want, wrapped.mayWrite = []int{200}, true
			for _, s := range tc.want {
				if s == 401 || s == 413 {
					wrapped.want = append(wrapped.want, s)
				}
			}
			rec := env.run(t, wrapped)
			n++
			if rec.Code != 200 {
				return
			}
			items := decodeBatch(t, rec.Body.Bytes())
			if len(items) != 1 {
				t.Fatalf("%d answers", len(items))
			}
			it := items[0]
			refusedAlone := tc.want != nil && !slices.ContainsFunc(tc.want, func(s int) bool { return s < 400 })
			switch {
			case it.Status >= 500:
				t.Errorf("in a batch: %d: %s", it.Status, it.Body)
			case exact && tc.want != nil && !slices.Contains(tc.want, it.Status):
				t.Errorf("in a batch: %d, alone one of %v: %.600s", it.Status, tc.want, it.Body)
			case exact && (refusedAlone || tc.want == nil && !tc.mayWrite) && it.Status < 400:
				t.Errorf("in a batch: %d, where alone it is refused: %.600s", it.Status, it.Body)
			}
			if it.Status >= 300 && env.last != before {
				t.Errorf("a refused request in a batch changed the store (%d: %.300s)", it.Status, it.Body)
			}
		})
	}
	t.Logf("%d hostile requests in batches (%d outside /beta, which no batch addresses), in %v", n, outside, time.Since(start).Round(time.Millisecond))
	if n < 200 {
		t.Errorf("only %d", n)
	}
}
