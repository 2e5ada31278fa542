package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
)

// The hostile requests of TestHostileRequests: payloads crossed with the
// routes they can reach.

type bodyRoute struct {
	name, method, target string
	proc                 bool     // a process route (else an operation route)
	headers              []string // what the route needs for the body to be reached
}

var bodyRoutes = []bodyRoute{
	{"PATCH operation", "PATCH", "/beta/industryData/operations/{op}", false, nil},
	{"PATCH operation (external)", "PATCH", "/beta/external/industryData/operations/{op2}", false, nil},
	{"POST operation", "POST", "/beta/industryData/operations", false, nil},
	{"PATCH process", "PATCH", "/beta/industryData/processes/{proc}", true, []string{"If-Match", "*"}},
	{"PATCH process cast", "PATCH", "/beta/external/industryData/processes/{proc}" + urrpCast, true, []string{"If-Match", "*"}},
	{"POST process", "POST", "/beta/industryData/processes", true, nil},
}

// members are the JSON members a route's body needs besides the payload: a
// process update carries displayName and readinessStatus, a process create
// its @odata.type too. Members named in skip are left out (the payload
// provides them).
func (r bodyRoute) members(skip ...string) []string {
	var all [][2]string
	if r.proc {
		if r.method == "POST" {
			all = append(all, [2]string{"@odata.type", `"#microsoft.graph.industryData.userReportRefreshProcess"`})
		}
		all = append(all, [2]string{"displayName", `"changed"`}, [2]string{"readinessStatus", `"notReady"`})
	} else {
		all = append(all, [2]string{"statusDetail", `"changed"`})
	}
	var out []string
	for _, m := range all {
		if !slices.Contains(skip, m[0]) {
			out = append(out, `"`+m[0]+`":`+m[1])
		}
	}
	return out
}

// with is the route's valid body with extra members first.
func (r bodyRoute) with(extra string, skip ...string) string {
	ms := r.members(skip...)
	if extra != "" {
		ms = append([]string{extra}, ms...)
	}
	return "{" + strings.Join(ms, ",") + "}"
}

// str is the name of a writable string property of the route's type.
func (r bodyRoute) str() string {
	if r.proc {
		return "displayName"
	}
	return "statusDetail"
}

// valid is a body the route accepts (a process create answers 409: the
// tenant has its system process).
func (r bodyRoute) valid() string { return r.with("") }

func nest(open, leaf, close string, n int) string {
	return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
}

// bodyPayload makes a bad body for a route.
type bodyPayload struct {
	name  string
	body  func(r bodyRoute) string
	names string // what the error must name; "$str" is the route's string property
}

func raw(s string) func(bodyRoute) string { return func(bodyRoute) string { return s } }

// genericBodies are bad for every route that takes a body.
func genericBodies() []bodyPayload {
	mib := 1 << 20
	strValue := func(v string) func(bodyRoute) string {
		return func(r bodyRoute) string { return r.with(`"`+r.str()+`":"`+v+`"`, r.str()) }
	}
	return []bodyPayload{
		// Invalid UTF-8, NUL and control bytes.
		{"invalid UTF-8 in a value", strValue("a\xff\xfeb"), "UTF-8"},
		{"overlong UTF-8 slash", strValue("\xc0\xaf"), "UTF-8"},
		{"UTF-8-encoded surrogate half", strValue("\xed\xa0\x80"), "UTF-8"},
		{"UTF-8 cut short at the end", func(r bodyRoute) string { return r.valid() + "\xe2\x82" }, "UTF-8"},
		{"invalid UTF-8 in a name", func(r bodyRoute) string { return r.with("\"\xffstatus\":\"x\"") }, "UTF-8"},
		{"Latin-1 text", strValue("caf\xe9"), "UTF-8"},
		{"NUL escape in the string property", strValue(`a\u0000b`), "$str"},
		{"raw NUL inside a string", strValue("a\x00b"), "not valid JSON"},
		{"raw NUL after the object", func(r bodyRoute) string { return r.valid() + "\x00" }, ""},
		{"raw NUL before the object", func(r bodyRoute) string { return "\x00" + r.valid() }, "not valid JSON"},
		{"raw newline inside a string", strValue("a\nb"), "not valid JSON"},
		{"raw control character inside a string", strValue("a\x01b"), "not valid JSON"},
		{"byte order mark", func(r bodyRoute) string { return "\xef\xbb\xbf" + r.valid() }, "not valid JSON"},
		{"UTF-16LE with BOM", func(r bodyRoute) string { return utf16le("\ufeff" + r.valid()) }, ""},
		{"UTF-16BE without BOM", func(r bodyRoute) string { return utf16be(r.valid()) }, ""},
		{"escaped NUL as a name", func(r bodyRoute) string { return r.with(`"\u0000":1`) }, ""},

		// Nesting.
		{"10k nested arrays in a property", func(r bodyRoute) string {
			return r.with(`"`+r.str()+`":`+nest("[", "1", "]", 10000), r.str())
		}, "deeper"},
		{"10k nested objects", raw(nest(`{"a":`, "1", "}", 10000)), "deeper"},
		{"10k nested arrays unclosed", raw(`{"a":` + strings.Repeat("[", 10000)), "deeper"},
		{"10k nested objects unclosed", raw(strings.Repeat(`{"a":`, 10000)), "deeper"},
		{"10k nested mixed", raw(`{"x":` + nest(`[{"a":`, "null", "}]", 5000) + "}"), "deeper"},
		{"10k nested arrays at the top", raw(nest("[", "", "]", 10000)), "JSON object"},
		{"nesting one past the limit in an annotation", raw(`{"@odata.context":` + nest("[", "1", "]", 32) + "}"), "deeper"},

		// Duplicate names.
		{"duplicate string property, same value", func(r bodyRoute) string {
			return r.with(`"` + r.str() + `":"changed"`)
		}, "$str"},
		{"duplicate string property, different values", func(r bodyRoute) string {
			return r.with(`"` + r.str() + `":"other"`)
		}, "$str"},
		{"duplicate through an escaped name", func(r bodyRoute) string {
			esc := strings.Replace(r.str(), "a", `\u0061`, 1)
			return r.with(`"` + esc + `":"other"`)
		}, "$str"},
		{"duplicate @odata.type", func(r bodyRoute) string {
			typ := `"@odata.type":"#microsoft.graph.longRunningOperation"`
			if r.proc {
				typ = `"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess"`
			}
			return "{" + typ + "," + typ + "," + strings.Join(r.members("@odata.type"), ",") + "}"
		}, "@odata.type"},
		{"duplicate ignored annotation", func(r bodyRoute) string {
			return r.with(`"@odata.etag":"a","@odata.etag":"b"`)
		}, "@odata.etag"},
		{"duplicate inside an annotation", func(r bodyRoute) string {
			return r.with(`"@odata.context":{"a":1,"a":1}`)
		}, "@odata.context/a"},
		{"property in another case", func(r bodyRoute) string {
			return r.with(`"` + strings.ToUpper(r.str()[:1]) + r.str()[1:] + `":"x"`)
		}, ""},

		// Sizes.
		{"1 MiB string property", func(r bodyRoute) string {
			return r.with(`"`+r.str()+`":"`+strings.Repeat("a", mib)+`"`, r.str())
		}, "larger than"},
		{"1 MiB of whitespace first", func(r bodyRoute) string { return strings.Repeat(" ", mib) + r.valid() }, "larger than"},
		{"2 MiB of open brackets", raw(strings.Repeat("[", 2*mib)), "larger than"},
		{"100 KB property name", func(r bodyRoute) string {
			return r.with(`"` + strings.Repeat("n", 100<<10) + `":1`)
		}, ""},
		{"10k unknown properties", func(r bodyRoute) string {
			var b strings.Builder
			for i := range 10000 {
				fmt.Fprintf(&b, `"k%d":0,`, i)
			}
			return "{" + b.String() + strings.Join(r.members(), ",") + "}"
		}, "k0"},

		// Not one JSON object.
		{"empty", raw(""), ""},
		{"whitespace only", raw(" \r\n\t "), "empty"},
		{"null", raw("null"), "JSON object"},
		{"array", func(r bodyRoute) string { return "[" + r.valid() + "]" }, "JSON object"},
		{"string", raw(`"changed"`), "JSON object"},
		{"huge number", raw("1e309"), "JSON object"},
		{"true", raw("true"), "JSON object"},
		{"two objects", func(r bodyRoute) string { return r.valid() + r.valid() }, "after"},
		{"JSON lines", func(r bodyRoute) string { return r.valid() + "\n" + r.valid() }, "after"},
		{"trailing garbage", func(r bodyRoute) string { return r.valid() + " --" }, ""},
		{"trailing comma", func(r bodyRoute) string { return strings.TrimSuffix(r.valid(), "}") + ",}" }, "not valid JSON"},
		{"single quotes", func(r bodyRoute) string { return strings.ReplaceAll(r.valid(), `"`, `'`) }, "not valid JSON"},
		{"unquoted name", func(r bodyRoute) string { return r.with(r.str()+`:"x"`, r.str()) }, "not valid JSON"},
		{"comment", func(r bodyRoute) string { return "{/* x */" + strings.TrimPrefix(r.valid(), "{") }, "not valid JSON"},
		{"missing colon", func(r bodyRoute) string { return r.with(`"`+r.str()+`" "x"`, r.str()) }, "not valid JSON"},
		{"unterminated string", func(r bodyRoute) string { return `{"` + r.str() + `":"abc` }, ""},
		{"unterminated object", func(r bodyRoute) string { return strings.TrimSuffix(r.valid(), "}") }, ""},
		{"lone closing brace", raw("}"), "not valid JSON"},
		{"JSONP", func(r bodyRoute) string { return "callback(" + r.valid() + ")" }, "not valid JSON"},
		{"NaN", func(r bodyRoute) string { return r.with(`"`+r.str()+`":NaN`, r.str()) }, "not valid JSON"},
		{"Infinity", func(r bodyRoute) string { return r.with(`"`+r.str()+`":-Infinity`, r.str()) }, "not valid JSON"},
		{"hex number", func(r bodyRoute) string { return r.with(`"`+r.str()+`":0x10`, r.str()) }, "not valid JSON"},
		{"leading zero", func(r bodyRoute) string { return r.with(`"`+r.str()+`":01`, r.str()) }, "not valid JSON"},
		{"leading plus", func(r bodyRoute) string { return r.with(`"`+r.str()+`":+1`, r.str()) }, "not valid JSON"},
		{"bare fraction", func(r bodyRoute) string { return r.with(`"`+r.str()+`":.5`, r.str()) }, "not valid JSON"},
		{"invalid escape", strValue(`\x41`), "not valid JSON"},
		{"short unicode escape", strValue(`\u12`), "not valid JSON"},
		{"form encoding", func(r bodyRoute) string { return r.str() + "=changed" }, "not valid JSON"},
		{"XML", func(r bodyRoute) string { return "<" + r.str() + ">changed</" + r.str() + ">" }, "not valid JSON"},

		// Properties that are not there or not writable.
		{"unknown property with SQL", func(r bodyRoute) string { return r.with(`"status' OR 1=1 --":"running"`) }, "status' OR 1=1 --"},
		{"unknown property named like a column", func(r bodyRoute) string { return r.with(`"tenant":"` + tenantB + `"`) }, "tenant"},
		{"seq", func(r bodyRoute) string { return r.with(`"seq":1`) }, "seq"},
		{"navigation property", func(r bodyRoute) string { return r.with(`"runs":[{"id":"x"}]`) }, "runs"},
		{"property annotation", func(r bodyRoute) string { return r.with(`"` + r.str() + `@odata.type":"#String"`) }, ""},
		{"nextLink annotation", func(r bodyRoute) string { return r.with(`"@odata.nextLink":"https://evil.example"`) }, "@odata.nextLink"},
		{"custom annotation", func(r bodyRoute) string { return r.with(`"@microsoft.graph.conflictBehavior":"replace"`) }, ""},
		{"id with SQL", func(r bodyRoute) string { return r.with(`"id":"' OR 1=1 --"`) }, "id"},
		{"id a number", func(r bodyRoute) string { return r.with(`"id":1e309`) }, "id"},
		{"id null", func(r bodyRoute) string { return r.with(`"id":null`) }, "id"},
		{"id of tenant B's operation", func(r bodyRoute) string { return r.with(`"id":"{opB}"`) }, "id"},
		{"eTag a number", func(r bodyRoute) string { return r.with(`"eTag":9999999999999999999999`) }, "eTag"},
		{"eTag an object", func(r bodyRoute) string { return r.with(`"eTag":{"$ne":null}`) }, "eTag"},
	}
}

// badODataTypes are @odata.type values no route accepts, or that name the
// other entity's type.
func badODataTypes(r bodyRoute) []string {
	other := `"#microsoft.graph.industryData.userReportRefreshProcess"`
	self := "microsoft.graph.longRunningOperation"
	if r.proc {
		other = `"#microsoft.graph.longRunningOperation"`
		self = "microsoft.graph.industryData.userReportRefreshProcess"
	}
	return []string{
		other,
		`"#microsoft.graph.entity"`,
		`"#microsoft.graph.industryData.process"`,
		`"#microsoft.graph.industryData.systemProcess"`,
		`"#microsoft.graph.industryData.mutableEntity"`,
		`"#microsoft.graph.industryData.industryDataRun"`,
		`"#` + strings.ToUpper(self) + `"`,
		`"##` + self + `"`,
		`"#` + self + ` "`,
		`" #` + self + `"`,
		`"#` + self + `\u0000"`,
		`"#` + self + `' OR 1=1 --"`,
		`"#microsoft.graph.industryData.fileValidateOperation"`,
		`"#Edm.String"`,
		`""`,
		`"#"`,
		`"#` + strings.Repeat("a", 100<<10) + `"`,
		`1`,
		`null`,
		`["#` + self + `"]`,
		`{"name":"#` + self + `"}`,
	}
}

// typeConfusion are JSON values of the wrong kind for any writable property
// of the model: every one is a string.
var typeConfusion = []struct{ name, value string }{
	{"1e309", "1e309"},
	{"9999999999999999999999", "9999999999999999999999"},
	{"-0", "-0"},
	{"negative exponent", "-1.5e-400"},
	{"true", "true"},
	{"empty array", "[]"},
	{"array of the string", `["running"]`},
	{"empty object", "{}"},
	{"object", `{"value":"running"}`},
}

// stringConfusion are strings that are wrong for enum and timestamp
// properties.
var stringConfusion = []struct{ name, value string }{
	{"SQL", `running' OR '1'='1`},
	{"statement", `\"; DROP TABLE operations;--`},
	{"NUL", `ready\u0000`},
	{"padded", ` ready `},
	{"upper case", `READY`},
	{"number as a string", `1e309`},
	{"empty", ``},
	{"year 10000", `10000-01-01T00:00:00Z`},
	{"leap second", `2016-12-31T23:59:60Z`},
	{"February 30", `2024-02-30T00:00:00Z`},
	{"offset past 23:59", `2024-05-01T08:30:00+24:00`},
	{"ten fraction digits", `2024-05-01T08:30:00.1234567890Z`},
	{"timestamp with SQL", `2024-05-01T08:30:00Z' OR '1'='1`},
}

// writable are the properties a body may set, per route kind, and whether
// null is allowed.
func writable(r bodyRoute) []struct {
	name     string
	nullable bool
	str      bool // a free string, which takes any string
} {
	type p = struct {
		name     string
		nullable bool
		str      bool
	}
	if r.proc {
		return []p{{"displayName", false, true}, {"readinessStatus", false, false}}
	}
	return []p{{"createdDateTime", false, false}, {"lastActionDateTime", true, false}, {"status", false, false},
		{"statusDetail", true, true}, {"resourceLocation", true, true}}
}

func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

func utf16be(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r >> 8))
		b.WriteByte(byte(r))
	}
	return b.String()
}

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
	{"$count", "$count"},
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

// queryRoute is a route for the query payloads.
type queryRoute struct {
	name, method, target string // target without a query
	body                 string
	headers              []string
	list                 bool // a collection: takes $filter and friends
}

var queryRoutes = []queryRoute{
	{"list operations", "GET", "/beta/industryData/operations", "", nil, true},
	{"list processes", "GET", "/beta/external/industryData/processes", "", nil, true},
	{"list processes cast", "GET", "/beta/industryData/processes" + urrpCast, "", nil, true},
	{"GET operation", "GET", "/beta/industryData/operations/{op}", "", nil, false},
	{"GET process", "GET", "/beta/industryData/processes/{proc}", "", nil, false},
	{"PATCH operation", "PATCH", "/beta/industryData/operations/{op}", `{"statusDetail":"changed"}`, nil, false},
	{"PATCH process", "PATCH", "/beta/industryData/processes/{proc}", `{"displayName":"changed","readinessStatus":"notReady"}`, []string{"If-Match", "*"}, false},
	{"DELETE process", "DELETE", "/beta/industryData/processes/{proc}", "", []string{"If-Match", "*"}, false},
}

// hostileQueries are query strings (as sent). listOK: a collection may answer
// 200 (the text is odd but valid OData); a write always answers 400.
var hostileQueries = []struct {
	name, query string
	listOK      bool
	names       string // what the error must name; "" when it names the property at fault instead
	bigEcho     bool   // known issue: the error repeats the whole option name (see hostileCase)
}{
	{"$filter tautology", "$filter=' OR 1=1 --", false, "$filter", false},
	{"$filter SQL or", "$filter=statusDetail eq 'x' OR 1=1 --", false, "$filter", false},
	{"$filter SQL in a literal", "$filter=statusDetail eq '''; DROP TABLE operations;--'", true, "", false},
	{"$filter SQL in a literal, encoded", "%24filter=statusDetail%20eq%20%27%27%27%3B%20DROP%20TABLE%20operations%3B--%27", true, "", false},
	{"$filter literal comparison", "$filter='1' eq '1'", true, "", false},
	{"$filter union", "$filter=id eq 'x' UNION SELECT * FROM operations", false, "$filter", false},
	{"$filter semicolon", "$filter=id eq 'x'; DELETE FROM operations", false, "query", false},
	{"$filter encoded semicolon", "$filter=id eq 'x'%3B DELETE FROM operations", false, "$filter", false},
	{"$filter NUL", "$filter=%00", false, "$filter", false},
	{"$filter NUL in a literal", "$filter=id eq 'a%00b'", true, "", false},
	{"$filter invalid UTF-8", "$filter=%FF", false, "$filter", false},
	{"$filter invalid UTF-8 in a literal", "$filter=id eq '%FF%FE'", true, "", false},
	{"$filter 64 KB", "$filter=" + strings.Repeat("a", 64<<10), false, "$filter", false},
	{"$filter 10k parentheses", "$filter=" + strings.Repeat("(", 10000), false, "$filter", false},
	{"$filter 40 levels", "$filter=" + nest("(", "id eq 'x'", ")", 40), false, "$filter", false},
	{"$filter 1000 nots", "$filter=" + strings.Repeat("not ", 1000) + "true", true, "", false},
	{"$filter huge number", "$filter=id eq 9999999999999999999999", false, "", false},
	{"$filter 1e309", "$filter=id eq 1e309", false, "", false},
	{"$filter -0", "$filter=id eq -0", false, "", false},
	{"$filter year 10000", "$filter=id eq 10000-01-01T00:00:00Z", false, "", false},
	{"$filter unknown function", "$filter=sleep(10)", false, "$filter", false},
	{"$filter property path traversal", "$filter=../../etc/passwd eq 'x'", false, "", false},
	{"$filter lambda over a string", "$filter=id/any(x: x eq 'a')", false, "", false},
	{"$filter empty", "$filter=", false, "$filter", false},
	{"$filter 150 ors", "$filter=" + strings.Repeat("id eq 'x' or ", 150) + "id eq 'x'", true, "", false},
	{"$filter in 300 items", "$filter=id in (" + strings.Repeat("'x',", 300) + "'x')", true, "", false},
	{"$orderby SQL", "$orderby=id; DROP TABLE operations", false, "query", false},
	{"$orderby SQL, encoded", "$orderby=id%3B%20DROP%20TABLE%20operations", false, "", false},
	{"$orderby subquery", "$orderby=(SELECT 1)", false, "", false},
	{"$orderby number", "$orderby=1", false, "", false},
	{"$orderby two directions", "$orderby=id desc desc", false, "$orderby", false},
	{"$orderby comment", "$orderby=id --", false, "$orderby", false},
	{"$orderby nine keys", "$orderby=" + strings.Repeat("id,", 8) + "id", false, "$orderby", false},
	{"$orderby empty", "$orderby=", false, "$orderby", false},
	{"$select SQL", "$select=id; DROP TABLE operations", false, "query", false},
	{"$select SQL, encoded", "$select=id%3B%20DROP%20TABLE%20operations", false, "", false},
	{"$select traversal", "$select=../../etc/passwd", false, "", false},
	{"$select unknown", "$select=password", false, "", false},
	{"$expand unknown", "$expand=tenant", false, "$expand", false},
	{"$expand SQL", "$expand=runs%3BDROP%20TABLE%20runs", false, "", false},
	{"$expand nested options", "$expand=runs($filter=1 eq 1)", false, "$expand", false},
	{"$skiptoken tautology", "$skiptoken=' OR 1=1 --", false, "$skiptoken", false},
	{"$skiptoken NUL", "$skiptoken=%00", false, "$skiptoken", false},
	{"$skiptoken base64 junk", "$skiptoken=AAAAAAAAAAAAAAAA", false, "$skiptoken", false},
	{"$skipToken JWT with alg none", "$skipToken=eyJhbGciOiJub25lIn0.e30.", false, "$skiptoken", false},
	{"$skiptoken 64 KB", "$skiptoken=" + strings.Repeat("A", 64<<10), false, "$skiptoken", false},
	{"$top 1e309", "$top=1e309", false, "$top", false},
	{"$top huge", "$top=9999999999999999999999", false, "$top", false},
	{"$top negative", "$top=-1", false, "$top", false},
	{"$top hex", "$top=0x10", false, "$top", false},
	{"$top past 999", "$top=1000", false, "$top", false},
	{"$top 0", "$top=0", true, "$top", false},
	{"$top fraction", "$top=1.0", false, "$top", false},
	{"$top padded", "$top=%201", true, "$top", false},
	{"$top SQL", "$top=1%3BDROP%20TABLE%20operations", false, "$top", false},
	{"$skip huge", "$skip=9999999999999999999999", false, "$skip", false},
	{"$skip negative", "$skip=-1", false, "$skip", false},
	{"$skip 1e3", "$skip=1e3", false, "$skip", false},
	{"$count maybe", "$count=maybe", false, "$count", false},
	{"$count 1", "$count=1", false, "$count", false},
	{"$search", "$search=%22x%22", false, "$search", false},
	{"$format", "$format=xml", false, "$format", false},
	{"$apply", "$apply=groupby((status))", false, "$apply", false},
	{"$filter twice", "$filter=id eq 'a'&$filter=id eq 'b'", false, "$filter", false},
	{"$filter and filter", "$filter=id eq 'a'&filter=id eq 'b'", false, "filter", false},
	{"$top twice, same value", "$top=1&$top=1", false, "$top", false},
	{"malformed escape", "%zz=1", false, "query", false},
	{"semicolon separator", "a=1;b=2", false, "query", false},
	{"unknown option", "debug=true", false, "debug", false},
	{"unknown option 64 KB", "x=" + strings.Repeat("y", 64<<10), false, "x", false},
	{"option name 64 KB", strings.Repeat("n", 64<<10) + "=1", false, "", true},
	{"empty option name", "=1", false, "", false},
	{"option name with SQL", "'%20OR%201=1--=1", false, "", false},
	{"option name with NUL", "%00=1", false, "", false},
	{"CRLF in an option", "$filter=%0D%0ALocation:%20https://evil.example", false, "", false},
}

// headerPayload is a set of request headers. refuses: every write route
// refuses it (the payload is the error); otherwise the write routes get a
// stale If-Match as well, so that the write is refused with 412 and the
// payload's effect on an error answer is what is tested.
type headerPayload struct {
	name    string
	headers []string
	refuses bool
	want    []int // for the read routes; nil: 200
	notIn   string
	writes  bool // only on the routes with a body
}

var hostileHeaders = []headerPayload{
	{name: "client-request-id with CRLF", headers: []string{"client-request-id", "abc\r\nX-Injected: 1"}, notIn: "X-Injected"},
	{name: "client-request-id with LF", headers: []string{"client-request-id", "abc\nSet-Cookie: a=b"}, notIn: "Set-Cookie"},
	{name: "client-request-id with NUL", headers: []string{"client-request-id", "a\x00b"}},
	{name: "client-request-id 64 KB", headers: []string{"client-request-id", strings.Repeat("c", 64<<10)}, notIn: strings.Repeat("c", 300)},
	{name: "client-request-id non-ASCII", headers: []string{"client-request-id", "caf\xc3\xa9"}},
	{name: "client-request-id invalid UTF-8", headers: []string{"client-request-id", "\xff\xfe"}},
	{name: "client-request-id script", headers: []string{"client-request-id", "<script>alert(1)</script>"}},
	{name: "client-request-id SQL", headers: []string{"client-request-id", "' OR 1=1 --"}},
	{name: "forged request-id", headers: []string{"request-id", "forged-by-client"}, notIn: "forged-by-client"},
	{name: "1 MiB header", headers: []string{"X-Junk", strings.Repeat("j", 1<<20)}},
	{name: "many headers", headers: manyHeaders(2000)},
	{name: "Accept XML", headers: []string{"Accept", "application/xml"}},
	{name: "Accept CSV", headers: []string{"Accept", "text/csv"}},
	{name: "Accept nothing", headers: []string{"Accept", "*/*;q=0"}},
	{name: "Accept 64 KB", headers: []string{"Accept", strings.Repeat("a/b,", 16<<10)}},
	{name: "Accept with NUL", headers: []string{"Accept", "application/json\x00"}},
	{name: "Accept-Charset latin1", headers: []string{"Accept-Charset", "iso-8859-1"}},
	{name: "Prefer return=minimal", headers: []string{"Prefer", "return=minimal"}},
	{name: "Prefer junk", headers: []string{"Prefer", "return=minimal\r\nX-Injected: 1;;;,,,"}, notIn: "X-Injected"},
	{name: "Prefer page size negative", headers: []string{"Prefer", "odata.maxpagesize=-1"}},
	{name: "Prefer page size huge", headers: []string{"Prefer", "odata.maxpagesize=9999999999999999999999"}},
	{name: "Prefer respond-async", headers: []string{"Prefer", "respond-async, wait=1e309"}},
	{name: "Prefer 64 KB", headers: []string{"Prefer", strings.Repeat("x=y,", 16<<10)}},
	{name: "If-None-Match SQL", headers: []string{"If-None-Match", `"' OR 1=1 --"`}},
	{name: "If-None-Match weak nothing", headers: []string{"If-None-Match", "W/"}},
	{name: "If-None-Match commas", headers: []string{"If-None-Match", ",,,"}},
	{name: "If-None-Match 64 KB", headers: []string{"If-None-Match", `"` + strings.Repeat("e", 64<<10) + `"`}},
	{name: "If-Modified-Since junk", headers: []string{"If-Modified-Since", "' OR 1=1 --"}},
	{name: "method override to DELETE", headers: []string{"X-HTTP-Method-Override", "DELETE", "X-HTTP-Method", "DELETE", "X-Method-Override", "DELETE"}},
	{name: "forwarded host", headers: []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "gopher", "Forwarded", "host=evil.example;proto=https"}, notIn: "evil.example"},
	{name: "Host with CRLF", headers: []string{"Host", "evil.example\r\nX-Injected: 1"}, notIn: "evil.example"},
	{name: "Host with a path", headers: []string{"Host", "evil.example/../x"}, notIn: "evil.example"},
	{name: "Host 64 KB", headers: []string{"Host", strings.Repeat("h", 64<<10)}, notIn: strings.Repeat("h", 300)},
	{name: "Content-Encoding gzip", headers: []string{"Content-Encoding", "gzip"}},
	{name: "Range", headers: []string{"Range", "bytes=0-0,-1,1-"}},

	// Refused by every write.
	{name: "If-Match stale", headers: []string{"If-Match", `"stale"`}, refuses: true},
	{name: "If-Match empty tag", headers: []string{"If-Match", `""`}, refuses: true},
	{name: "If-Match weak empty tag", headers: []string{"If-Match", `W/""`}, refuses: true},
	{name: "If-Match weak nothing", headers: []string{"If-Match", "W/"}, refuses: true},
	{name: "If-Match only commas", headers: []string{"If-Match", ", ,"}, refuses: true},
	{name: "If-Match blank", headers: []string{"If-Match", " "}, refuses: true},
	{name: "If-Match SQL", headers: []string{"If-Match", `"' OR 1=1 --"`}, refuses: true},
	{name: "If-Match unquoted SQL", headers: []string{"If-Match", `' OR '1'='1`}, refuses: true},
	{name: "If-Match NUL", headers: []string{"If-Match", "\x00"}, refuses: true},
	{name: "If-Match 64 KB", headers: []string{"If-Match", `"` + strings.Repeat("e", 64<<10) + `"`}, refuses: true},
	{name: "If-Match unterminated quote", headers: []string{"If-Match", `"abc`}, refuses: true},
	{name: "If-Match two stale", headers: []string{"If-Match", `"a"`, "If-Match", `"b"`}, refuses: true},
	{name: "Authorization missing", headers: []string{"Authorization", "-"}, refuses: true, want: []int{401}},
	{name: "Authorization empty bearer", headers: []string{"Authorization", "Bearer "}, refuses: true, want: []int{401}},
	{name: "Authorization Basic", headers: []string{"Authorization", "Basic dXNlcjpwYXNz"}, refuses: true, want: []int{401}},
	{name: "Authorization SQL", headers: []string{"Authorization", "Bearer ' OR 1=1 --"}, refuses: true, want: []int{401}},
	{name: "Authorization alg none", headers: []string{"Authorization", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0aWQiOiIxMTExMTExMS0xMTExLTExMTEtMTExMS0xMTExMTExMTExMTEiLCJyb2xlcyI6WyJJbmR1c3RyeURhdGEtT3BlcmF0aW9uLlJlYWRXcml0ZS5BbGwiXX0."}, refuses: true, want: []int{401}},
	{name: "Authorization with CRLF", headers: []string{"Authorization", "Bearer x\r\nX-Injected: 1"}, refuses: true, want: []int{401}, notIn: "X-Injected"},
	{name: "Authorization 64 KB", headers: []string{"Authorization", "Bearer " + strings.Repeat("t", 64<<10)}, refuses: true, want: []int{401}},
	{name: "Authorization junk before a valid one", headers: []string{"Authorization", "Bearer junk", "Authorization", "Bearer {tokA}"}, refuses: true, want: []int{401}},
	{name: "Authorization tenant B", headers: []string{"Authorization", "Bearer {tokB}"}, refuses: true, want: []int{404}},
	{name: "Authorization read-only", headers: []string{"Authorization", "Bearer {tokReader}"}, refuses: true, want: []int{200}},
	{name: "Content-Type text/plain", headers: []string{"Content-Type", "text/plain"}, refuses: true, writes: true},
	{name: "Content-Type missing", headers: []string{"Content-Type", "-"}, refuses: true, writes: true},
	{name: "Content-Type empty", headers: []string{"Content-Type", ""}, refuses: true, writes: true},
	{name: "Content-Type XML", headers: []string{"Content-Type", "application/xml"}, refuses: true, writes: true},
	{name: "Content-Type form", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, refuses: true, writes: true},
	{name: "Content-Type multipart", headers: []string{"Content-Type", "multipart/form-data; boundary=x"}, refuses: true, writes: true},
	{name: "Content-Type wildcard", headers: []string{"Content-Type", "*/*"}, refuses: true, writes: true},
	{name: "Content-Type JSON patch", headers: []string{"Content-Type", "application/json-patch+json"}, refuses: true, writes: true},
	{name: "Content-Type UTF-16", headers: []string{"Content-Type", "application/json; charset=utf-16"}, refuses: true, writes: true},
	{name: "Content-Type two charsets", headers: []string{"Content-Type", "application/json; charset=utf-8; charset=latin1"}, refuses: true, writes: true},
	{name: "Content-Type with CRLF", headers: []string{"Content-Type", "text/plain\r\nContent-Type: application/json"}, refuses: true, writes: true},
	{name: "Content-Type broken parameters", headers: []string{"Content-Type", "application/json;;;=="}, refuses: true, writes: true},
	{name: "Content-Type 64 KB", headers: []string{"Content-Type", "application/" + strings.Repeat("j", 64<<10)}, refuses: true, writes: true},
	{name: "Content-Type two values", headers: []string{"Content-Type", "text/plain", "Content-Type", "application/json"}, refuses: true, writes: true},
}

func manyHeaders(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("X-H%d", i), "v")
	}
	return out
}

// headerRoutes get the header payloads; body routes carry a valid body.
var headerRoutes = []queryRoute{
	{"GET operation", "GET", "/beta/industryData/operations/{op}", "", nil, false},
	{"list operations", "GET", "/beta/industryData/operations", "", nil, true},
	{"GET process", "GET", "/beta/industryData/processes/{proc}", "", nil, false},
	{"PATCH operation", "PATCH", "/beta/industryData/operations/{op}", `{"statusDetail":"changed"}`, nil, false},
	{"POST operation", "POST", "/beta/industryData/operations", `{"statusDetail":"created"}`, nil, false},
	{"DELETE operation", "DELETE", "/beta/industryData/operations/{op2}", "", nil, false},
	{"PATCH process", "PATCH", "/beta/industryData/processes/{proc}", `{"eTag":"{procETag}","displayName":"changed","readinessStatus":"notReady"}`, nil, false},
	{"DELETE process", "DELETE", "/beta/industryData/processes/{proc}", "", nil, false},
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

// hostileCases builds the whole table: payload × route.
func hostileCases() []hostileCase {
	var cases []hostileCase
	add := func(c hostileCase) { cases = append(cases, c) }

	// Bodies.
	for _, r := range bodyRoutes {
		for _, p := range genericBodies() {
			names := p.names
			if names == "$str" {
				names = r.str()
			}
			add(hostileCase{name: r.name + ": " + p.name, method: r.method, target: r.target, body: p.body(r),
				headers: r.headers, want: []int{400}, names: names})
		}
		for _, typ := range badODataTypes(r) {
			add(hostileCase{name: r.name + ": @odata.type " + clipName(typ), method: r.method, target: r.target,
				body: r.with(`"@odata.type":`+typ, "@odata.type"), headers: r.headers, want: []int{400}, names: "@odata.type"})
		}
		for _, prop := range writable(r) {
			for _, v := range typeConfusion {
				add(hostileCase{name: r.name + ": " + prop.name + " " + v.name, method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":`+v.value, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
			if !prop.nullable {
				add(hostileCase{name: r.name + ": " + prop.name + " null", method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":null`, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
			if prop.str {
				continue
			}
			for _, v := range stringConfusion {
				add(hostileCase{name: r.name + ": " + prop.name + " " + v.name, method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":"`+v.value+`"`, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
		}
		if !r.proc {
			add(hostileCase{name: r.name + ": eTag on an operation", method: r.method, target: r.target,
				body: r.with(`"eTag":"x"`), want: []int{400}, names: "eTag"})
		} else if r.method == "PATCH" {
			add(hostileCase{name: r.name + ": eTag with SQL", method: r.method, target: r.target,
				body: r.with(`"eTag":"' OR 1=1 --"`), want: []int{412}})
			add(hostileCase{name: r.name + ": no eTag anywhere", method: r.method, target: r.target,
				body: r.valid(), want: []int{400}, names: "eTag"})
		}
	}

	// Ids.
	for _, r := range idRoutes {
		for _, id := range hostileIDs {
			v := id.id
			if v == "{other}" {
				v = r.other
			}
			add(hostileCase{name: r.name + ": id " + id.name, method: r.method, target: fmt.Sprintf(r.pattern, v),
				body: r.body, headers: r.headers, want: []int{400, 404}})
		}
	}
	for _, p := range hostilePaths {
		body := ""
		if p.method == "PATCH" {
			body = `{"statusDetail":"changed","displayName":"changed","readinessStatus":"notReady"}`
		}
		add(hostileCase{name: "path " + p.name, method: p.method, target: p.target, body: body,
			headers: []string{"If-Match", "*"}, want: []int{400, 404, 405}})
	}

	// Query strings.
	for _, r := range queryRoutes {
		for _, q := range hostileQueries {
			c := hostileCase{name: r.name + ": " + q.name, method: r.method, target: r.target + "?" + q.query,
				body: r.body, headers: r.headers, want: []int{400}, names: q.names, bigEcho: q.bigEcho}
			if r.list && q.listOK {
				c.want, c.names = []int{200, 400}, ""
			}
			if !r.list && q.names != "" && q.names != "query" && !strings.HasPrefix(q.names, "$") {
				c.names = "" // an unknown option on a single entity: named, but not checked here
			}
			add(c)
		}
	}

	// Headers. (The process PATCH carries the current eTag in its body, so
	// that a header is what it fails on.)
	for _, r := range headerRoutes {
		write := r.method != "GET"
		for _, p := range hostileHeaders {
			if p.writes && r.body == "" {
				continue
			}
			if r.method == "POST" && (strings.HasPrefix(p.name, "If-Match") || p.name == "Authorization tenant B") {
				continue // a create has no precondition, and tenant B may create
			}
			headers := append(slices.Clone(r.headers), p.headers...)
			c := hostileCase{name: r.name + ": " + p.name, method: r.method, target: r.target, body: r.body,
				headers: headers, want: p.want, notIn: p.notIn}
			switch {
			case write && !p.refuses:
				c.headers = append(c.headers, "If-Match", `"stale"`)
				if r.method == "POST" {
					continue // a create has no precondition to fail
				}
				c.want = []int{412}
			case write && p.want != nil && p.want[0] == 200:
				c.want = []int{403}
			case write:
				// p.want, or any 4xx
			case p.refuses && p.want == nil:
				c.want = []int{200}
			case p.want == nil:
				c.want = []int{200}
			}
			if !write && p.name == "Authorization tenant B" && r.list {
				c.want = []int{200}
			}
			if !write && p.name == "Authorization tenant B" {
				c.notIn = "keep"
			}
			add(c)
		}
	}

	// Methods.
	for _, p := range methodPaths {
		for _, m := range wrongMethods {
			add(hostileCase{name: p.name + ": method " + clipName(m), method: m, target: p.target,
				body:    `{"statusDetail":"changed","displayName":"changed","readinessStatus":"notReady"}`,
				headers: []string{"If-Match", "*"}, want: []int{400, 404, 405}})
		}
	}
	for _, p := range []struct{ method, target string }{
		{"POST", "/beta/industryData/operations/{op}"},
		{"PATCH", "/beta/industryData/operations"},
		{"DELETE", "/beta/industryData/operations"},
		{"DELETE", "/beta/industryData/processes"},
		{"POST", "/beta/industryData/processes/{proc}"},
		{"DELETE", "/beta/industryData/processes/{proc}" + urrpCast},
		{"DELETE", "/beta/industryData"},
		{"PATCH", "/beta/industryData"},
		{"DELETE", "/beta/$metadata"},
	} {
		add(hostileCase{name: p.method + " " + p.target, method: p.method, target: p.target,
			body: `{"statusDetail":"changed"}`, headers: []string{"If-Match", "*"}, want: []int{405}})
	}
	return cases
}

// clipName keeps a case name readable.
func clipName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
