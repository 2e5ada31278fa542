package httpapi_test

import (
	"strings"
	"testing"

	"industrydata/httpapi"
	"industrydata/schema"
	"industrydata/service"
)

// TestRequestLimits checks each bound on a request through the router, at
// the bound and one past it: the body's size (SPEC §3: 1 MiB), its JSON
// nesting, and the URL's length when MaxURLBytes is set (as serve sets it).
func TestRequestLimits(t *testing.T) {
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.MaxURLBytes = httpapi.DefaultMaxURLBytes })
	op := "/beta/industryData/operations/" + h.createOperation(`{}`).str("id")
	const patch = `{"statusDetail":"changed"}`
	// padded is a valid PATCH body of exactly n bytes (blanks before it).
	padded := func(n int) string { return strings.Repeat(" ", n-len(patch)) + patch }
	// nested is a PATCH body whose annotation nests n arrays inside the
	// body's object: n+1 levels in all.
	nested := func(n int) string {
		return `{"@odata.context":` + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) + `,"statusDetail":"changed"}`
	}
	// Requests are made as "http://industrydata.test" + path, and that
	// whole target is what the limit counts here.
	const origin = len("http://industrydata.test")
	filterOf := func(targetLen int) string {
		prefix := "/beta/industryData/operations?$filter="
		return prefix + strings.Repeat("a", targetLen-origin-len(prefix))
	}
	tests := []struct {
		name       string
		rq         request
		want       int
		code, text string // error code and a phrase of its message
	}{
		{"body of exactly 1 MiB", request{method: "PATCH", path: op, body: padded(httpapi.MaxBodyBytes)}, 200, "", ""},
		{"body one byte over 1 MiB", request{method: "PATCH", path: op, body: padded(httpapi.MaxBodyBytes + 1)}, 413, "requestEntityTooLarge", "larger than the limit of 1048576 bytes"},
		{"body of 8 MiB", request{method: "PATCH", path: op, body: padded(8 << 20)}, 413, "requestEntityTooLarge", "larger than"},
		{"JSON nested to the limit", request{method: "PATCH", path: op, body: nested(schema.MaxDepth - 1)}, 200, "", ""},
		{"JSON nested one level past the limit", request{method: "PATCH", path: op, body: nested(schema.MaxDepth)}, 400, "badRequest", "deeper than 32 levels"},
		{"JSON nested 100k levels", request{method: "PATCH", path: op, body: nested(100_000)}, 400, "badRequest", "deeper"},
		{"JSON nested in a property", request{method: "PATCH", path: op, body: `{"statusDetail":` + strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40) + "}"}, 400, "badRequest", "deeper"},
		{"URL at the limit", request{method: "GET", path: filterOf(httpapi.DefaultMaxURLBytes)}, 400, "badRequest", "$filter"},
		{"URL one byte over the limit", request{method: "GET", path: filterOf(httpapi.DefaultMaxURLBytes + 1)}, 414, "invalidRequest", "longer than the limit of 49152 bytes"},
		{"URL over the limit, no token", request{method: "GET", path: filterOf(httpapi.DefaultMaxURLBytes + 1), tenant: "-"}, 414, "invalidRequest", "longer than"},
		{"path over the limit", request{method: "DELETE", path: op + strings.Repeat("/x", httpapi.DefaultMaxURLBytes), headers: []string{"If-Match", "*"}}, 414, "invalidRequest", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.must(tt.want, tt.rq)
			if tt.code == "" {
				return
			}
			if res.errorCode() != tt.code || !strings.Contains(res.errorMessage(), tt.text) {
				t.Errorf("error %q %q, want %q with %q", res.errorCode(), res.errorMessage(), tt.code, tt.text)
			}
			if res.header.Get("request-id") == "" || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
				t.Errorf("headers %v", res.header)
			}
			if len(res.raw) > 4<<10 {
				t.Errorf("error body of %d bytes echoes the request", len(res.raw))
			}
		})
	}
	if got := h.must(200, request{method: "GET", path: op}).str("statusDetail"); got != "changed" {
		t.Errorf("statusDetail %q after the refused requests", got)
	}
}

// TestNoURLBoundByDefault: without MaxURLBytes the handler sets no bound of
// its own (a real server's MaxHeaderBytes still does): a long query is
// refused for what it says.
func TestNoURLBoundByDefault(t *testing.T) {
	h := newHarness(t)
	res := h.must(400, request{method: "GET", path: "/beta/industryData/operations?$filter=" + strings.Repeat("a", 64<<10)})
	if !strings.Contains(res.errorMessage(), "$filter") {
		t.Errorf("message %q", res.errorMessage())
	}
}
