package httpapi_test

import (
	"strings"
)

// Ids, methods and whole request targets (see hostile_cases_test.go).

// idRoute is a route addressing one entity, with what it needs besides the id.
type idRoute struct {
	name, method, pattern string // pattern holds %s for the id
	body                  string
	headers               []string
	own, other            string // the id of the entity it addresses, and one of the other kind
}

var idRoutes = []idRoute{
	{"GET operation", "GET", "/beta/industryData/operations/%s", "", nil, "{op}", "{proc}"},
	{"PATCH operation", "PATCH", "/beta/industryData/operations/%s", `{"statusDetail":"changed"}`, nil, "{op}", "{proc}"},
	{"DELETE operation", "DELETE", "/beta/external/industryData/operations/%s", "", []string{"If-Match", "*"}, "{op2}", "{proc}"},
	{"GET process", "GET", "/beta/industryData/processes/%s", "", nil, "{proc}", "{op}"},
	{"PATCH process", "PATCH", "/beta/industryData/processes/%s", `{"displayName":"changed","readinessStatus":"notReady"}`, []string{"If-Match", "*"}, "{proc}", "{op}"},
	{"DELETE process", "DELETE", "/beta/industryData/processes/%s", "", []string{"If-Match", "*"}, "{proc}", "{op}"},
	{"GET process cast", "GET", "/beta/external/industryData/processes/%s" + urrpCast, "", nil, "{proc}", "{op}"},
	{"PATCH process cast", "PATCH", "/beta/industryData/processes/%s" + urrpCast, `{"displayName":"changed","readinessStatus":"notReady"}`, []string{"If-Match", "*"}, "{proc}", "{op}"},
	{"GET process runs", "GET", "/beta/industryData/processes/%s/runs", "", nil, "{proc}", "{op}"},
}

// hostileIDs are path segments (as sent, percent-encoded) that name no
// entity of the tenant.
var hostileIDs = []struct{ name, id string }{
	{"SQL tautology", "'%20OR%201=1%20--"},
	{"SQL tautology unencoded", "'OR'1'='1"},
	{"SQL statement", "%22;%20DROP%20TABLE%20operations;--"},
	{"SQL after a real id", "{op}'%20OR%201=1%20--"},
	{"SQL comment after a real id", "{proc}--"},
	{"SQL wildcard", "%25"},
	{"SQL single-char wildcard", "________-____-____-____-____________"},
	{"NUL", "%00"},
	{"NUL after a real id", "{op}%00"},
	{"raw NUL", "a\x00b"},
	{"invalid UTF-8", "%FF%FE"},
	{"raw invalid UTF-8", "\xff\xfe"},
	{"overlong UTF-8", "%C0%AF"},
	{"UTF-8 surrogate half", "%ED%A0%80"},
	{"100 KB id", strings.Repeat("x", 100<<10)},
	{"100 KB encoded id", strings.Repeat("%41", 100<<10/3)},
	{"encoded traversal", "..%2F..%2Fetc%2Fpasswd"},
	{"encoded traversal to a real id", "..%2F..%2Foperations%2F{op}"},
	{"encoded dots", "%2e%2e"},
	{"encoded dots and slash", "%2e%2e%2f%2e%2e%2fprocesses"},
	{"dot", "%2E"},
	{"double-encoded traversal", "%252e%252e%252f"},
	{"encoded slash inside", "a%2Fb"},
	{"backslash traversal", "..%5C..%5Cwindows"},
	{"CRLF injection", "{op}%0D%0AX-Injected:%201"},
	{"line feed", "%0A"},
	{"space", "%20"},
	{"trailing space after a real id", "{op}%20"},
	{"tab", "%09"},
	{"star", "*"},
	// ($count is a segment of its own now: GET operations/$count counts.)
	{"$batch", "$batch"},
	{"encoded $metadata", "%24metadata"},
	{"OData key syntax", "(id='{op}')"},
	{"braces", "%7B%7D"},
	{"tenant B's operation", "{opB}"},
	{"upper-case id", "{OP}"},
	{"right-to-left override", "%E2%80%AE{op}"},
	{"emoji", "%F0%9F%92%A9"},
	{"null", "null"},
	{"huge number", "9999999999999999999999"},
	{"1e309", "1e309"},
	{"minus zero", "-0"},
	{"template", "%7Bid%7D"},
	{"script", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"},
	{"the other kind's id", "{other}"},
}

// methodPaths get the wrong methods.
var methodPaths = []struct{ name, target string }{
	{"operations", "/beta/industryData/operations"},
	{"operation", "/beta/industryData/operations/{op}"},
	{"processes", "/beta/industryData/processes"},
	{"process", "/beta/industryData/processes/{proc}"},
	{"process cast", "/beta/industryData/processes/{proc}" + urrpCast},
	{"root", "/beta/industryData"},
}

var wrongMethods = []string{"PUT", "MERGE", "PROPFIND", "TRACE", "CONNECT", "OPTIONS", "patch", "delete", "GET\x00", "PATCH ", "DEL\xffETE", strings.Repeat("M", 1024)}

// hostilePaths are whole request targets no route serves.
var hostilePaths = []struct{ name, method, target string }{
	{"dot-dot segment", "GET", "/beta/industryData/operations/.."},
	{"dot-dot then back", "PATCH", "/beta/industryData/../industryData/operations/{op}"},
	{"encoded dot-dot then back", "DELETE", "/beta/industryData/%2e%2e/industryData/operations/{op}"},
	{"double slash", "DELETE", "/beta/industryData//operations/{op}"},
	{"leading double slash", "PATCH", "//beta/industryData/operations/{op}"},
	{"encoded slash in the set name", "GET", "/beta/industryData%2Foperations"},
	{"upper-case version", "DELETE", "/BETA/industryData/operations/{op}"},
	{"upper-case set", "DELETE", "/beta/industryData/Operations/{op}"},
	{"matrix parameter", "DELETE", "/beta/industryData/operations;x=1/{op}"},
	{"NUL in the set name", "GET", "/beta/industryData/operations%00"},
	{"property segment", "PATCH", "/beta/industryData/operations/{op}/status"},
	{"$value segment", "GET", "/beta/industryData/operations/{op}/$value"},
	{"$ref segment", "DELETE", "/beta/industryData/processes/{proc}/$ref"},
	{"id twice", "DELETE", "/beta/industryData/operations/{op}/{op}"},
	{"wrong type cast", "PATCH", "/beta/industryData/processes/{proc}/microsoft.graph.longRunningOperation"},
	{"abstract type cast", "PATCH", "/beta/industryData/processes/{proc}/microsoft.graph.industryData.process"},
	{"cast on an operation", "DELETE", "/beta/industryData/operations/{op}" + urrpCast},
	{"runs of an operation", "GET", "/beta/industryData/operations/{op}/runs"},
	{"v1.0", "DELETE", "/v1.0/industryData/operations/{op}"},
	{"no version", "DELETE", "/industryData/operations/{op}"},
	{"relative path", "GET", "beta/industryData/operations"},
	{"absolute URL to nowhere", "DELETE", "http://evil.example/beta/industryData/operation/{op}"},
	{"empty path", "GET", ""},
	{"1 MiB path", "GET", "/beta/industryData/" + strings.Repeat("a", 1<<20)},
	{"10k segments", "GET", "/beta/industryData/operations" + strings.Repeat("/x", 10000)},
	{"10k dot-dots", "GET", "/beta/industryData/operations" + strings.Repeat("/..", 10000)},
}
