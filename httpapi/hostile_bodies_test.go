package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
)

// Request bodies for the body routes (see hostile_cases_test.go).

type bodyRoute struct {
	name, method, target string
	shape                *bodyShape
	headers              []string // what the route needs for the body to be reached
}

// bodyShape is what the bodies of one entity set look like.
type bodyShape struct {
	self string // the full type name of the set's entities
	// create and update are the members of a valid POST and PATCH body.
	create, update [][2]string
	str            string // a writable, free string property
	writable       []writableProp
	// eTag marks a mutableEntity (a process): a PATCH needs the eTag.
	eTag bool
	// singleton marks a set whose valid POST answers 409: the tenant has
	// its one entity (the system process).
	singleton bool
}

// writableProp is a property a body may set.
type writableProp struct {
	name     string
	nullable bool
	str      bool // a free string, which takes any string
}

var (
	operationShape = &bodyShape{self: "microsoft.graph.longRunningOperation",
		create: [][2]string{{"statusDetail", `"changed"`}}, update: [][2]string{{"statusDetail", `"changed"`}},
		str: "statusDetail",
		writable: []writableProp{{"createdDateTime", false, false}, {"lastActionDateTime", true, false}, {"status", false, false},
			{"statusDetail", true, true}, {"resourceLocation", true, true}}}
	processShape = &bodyShape{self: "microsoft.graph.industryData.userReportRefreshProcess",
		create: [][2]string{{"@odata.type", `"#microsoft.graph.industryData.userReportRefreshProcess"`},
			{"displayName", `"changed"`}, {"readinessStatus", `"notReady"`}},
		update: [][2]string{{"displayName", `"changed"`}, {"readinessStatus", `"notReady"`}},
		str:    "displayName", writable: []writableProp{{"displayName", false, true}, {"readinessStatus", false, false}},
		eTag: true, singleton: true}
	sourceSystemShape = &bodyShape{self: "microsoft.graph.industryData.sourceSystemDefinition",
		create: [][2]string{{"displayName", `"changed"`}}, update: [][2]string{{"displayName", `"changed"`}},
		str: "displayName", writable: []writableProp{{"displayName", false, true}, {"vendor", true, true}}}
	yearShape = &bodyShape{self: "microsoft.graph.industryData.yearTimePeriodDefinition",
		create: [][2]string{{"displayName", `"changed"`}, {"startDate", `"2024-09-01"`}, {"endDate", `"2025-06-30"`}, {"year", `{"code":"2025"}`}},
		update: [][2]string{{"displayName", `"changed"`}},
		str:    "displayName", writable: []writableProp{{"displayName", false, true}, {"startDate", false, false}, {"endDate", false, false}}}
	connectorShape = &bodyShape{self: "microsoft.graph.industryData.azureDataLakeConnector",
		create: [][2]string{{"@odata.type", `"#microsoft.graph.industryData.azureDataLakeConnector"`},
			{"displayName", `"changed"`}, {"sourceSystem@odata.bind", `"sourceSystems/{ss}"`}},
		update: [][2]string{{"displayName", `"changed"`}},
		str:    "displayName", writable: []writableProp{{"displayName", false, true}}}
	flowShape = &bodyShape{self: "microsoft.graph.industryData.inboundFileFlow",
		update: [][2]string{{"displayName", `"changed"`}},
		str:    "displayName",
		writable: []writableProp{{"displayName", false, true}, {"dataDomain", false, false}, {"effectiveDateTime", false, false},
			{"expirationDateTime", true, false}}}
)

var bodyRoutes = []bodyRoute{
	{"PATCH operation", "PATCH", "/beta/industryData/operations/{op}", operationShape, nil},
	{"PATCH operation (external)", "PATCH", "/beta/external/industryData/operations/{op2}", operationShape, nil},
	{"POST operation", "POST", "/beta/industryData/operations", operationShape, nil},
	{"PATCH process", "PATCH", "/beta/industryData/processes/{proc}", processShape, []string{"If-Match", "*"}},
	{"PATCH process cast", "PATCH", "/beta/external/industryData/processes/{proc}" + urrpCast, processShape, []string{"If-Match", "*"}},
	{"POST process", "POST", "/beta/industryData/processes", processShape, nil},
	{"POST sourceSystem", "POST", "/beta/industryData/sourceSystems", sourceSystemShape, nil},
	{"PATCH sourceSystem", "PATCH", "/beta/external/industryData/sourceSystems('{ss}')", sourceSystemShape, nil},
	{"POST year", "POST", "/beta/industryData/years", yearShape, nil},
	{"PATCH year", "PATCH", "/beta/industryData/years/{year}", yearShape, nil},
	{"POST dataConnector", "POST", "/beta/industryData/dataConnectors", connectorShape, nil},
	{"PATCH dataConnector cast", "PATCH", "/beta/industryData/dataConnectors/{conn}/microsoft.graph.industryData.azureDataLakeConnector", connectorShape, nil},
	{"PATCH inboundFlow", "PATCH", "/beta/industryData/inboundFlows/{flow}", flowShape, []string{"If-Match", "*"}},
}

// members are the JSON members a route's body needs besides the payload.
// Members named in skip are left out (the payload provides them).
func (r bodyRoute) members(skip ...string) []string {
	all := r.shape.update
	if r.method == "POST" {
		all = r.shape.create
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
func (r bodyRoute) str() string { return r.shape.str }

// valid is a body the route accepts (a process create answers 409: the
// tenant has its system process).
func (r bodyRoute) valid() string { return r.with("") }

func nest(open, leaf, close string, n int) string {
	return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
}

// bodyPayload makes a bad body for a route.
// tooLarge is what the error of a body over the size limit says; such a
// body is refused with 413, every other bad body with 400.
const tooLarge = "larger than"

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
			typ := `"@odata.type":"#` + r.shape.self + `"`
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
		}, tooLarge},
		{"1 MiB of whitespace first", func(r bodyRoute) string { return strings.Repeat(" ", mib) + r.valid() }, tooLarge},
		{"2 MiB of open brackets", raw(strings.Repeat("[", 2*mib)), tooLarge},
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
	self := r.shape.self
	other := `"#microsoft.graph.industryData.userReportRefreshProcess"`
	if self == "microsoft.graph.industryData.userReportRefreshProcess" {
		other = `"#microsoft.graph.longRunningOperation"`
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
func writable(r bodyRoute) []writableProp { return r.shape.writable }

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
