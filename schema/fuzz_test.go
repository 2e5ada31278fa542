package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

// checkBadRequest fails unless err is an *industrydata.Error with code badRequest.
func checkBadRequest(t *testing.T, what string, err error) {
	t.Helper()
	var e *industrydata.Error
	if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Message == "" {
		t.Fatalf("%s: error %v (%T) is not a badRequest with a message", what, err, err)
	}
}

// FuzzParseBodyBind checks that no body panics ParseBody or Bind, that every
// failure is a badRequest, and that whatever binds can be applied and written
// back out as valid JSON which binds again to the same entity.
func FuzzParseBodyBind(f *testing.F) {
	for _, seed := range []string{
		`{"@odata.type":"#microsoft.graph.longRunningOperation","lastActionDateTime":"2024-05-01T08:30:00Z","status":"running","statusDetail":"x","resourceLocation":"https://x"}`,
		`{"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","eTag":"abc","displayName":"n","readinessStatus":"ready"}`,
		`{"createdDateTime":"2024-05-01T08:30:00.1234567+05:30","lastActionDateTime":null,"statusDetail":null,"resourceLocation":null,"id":"x"}`,
		`{"@odata.context":"c","@odata.etag":"W/\"1\"","@odata.id":"i","@odata.editLink":"e","status":"unknownFutureValue"}`,
		`{"statusDetail":"\u0000","status":"done","foo":1}`,
		`{"a":{"b":[1,2,{"c":null}]},"a":2}`,
		`{"statusDetail":"\ud83d\ude00\u2028\ud800"}`,
		`{"lastActionDateTime":"0000-12-31T23:00:00-01:00"}`,
		`{"lastActionDateTime":"9999-12-31T23:59:59.999999999Z"}`,
		`{"runs":[],"@odata.type":5}`,
		`{"status":"running"`,
		`{}{}`,
		`[]`,
		``,
		"{\"statusDetail\":\"\xff\"}",
		nestArrays(schema.MaxDepth + 1),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := schema.ParseBody(data)
		if err != nil {
			checkBadRequest(t, "ParseBody", err)
			if body != nil {
				t.Fatalf("ParseBody returned a body and an error")
			}
			return
		}
		if _, _, err := body.ODataType(); err != nil {
			checkBadRequest(t, "ODataType", err)
		}

		// Every type: Bind never panics and fails only with badRequest.
		for _, typ := range schema.EntityTypes {
			if _, err := body.Bind(typ); err != nil {
				checkBadRequest(t, "Bind "+typ.Name, err)
			}
		}

		patch, err := body.Bind(schema.LongRunningOperation)
		if err != nil {
			checkBadRequest(t, "Bind", err)
			return
		}
		// A zero operation takes the patch and writes valid JSON.
		zero := &industrydata.Operation{}
		patch.Apply(zero)
		if out := schema.AppendEntity(nil, schema.LongRunningOperation, zero, nil); !json.Valid(out) {
			t.Fatalf("AppendEntity wrote invalid JSON: %s", out)
		}

		// An operation as the service creates it round-trips through JSON.
		op := &industrydata.Operation{ID: "op1", CreatedDateTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Status: industrydata.OperationNotStarted}
		patch.Apply(op)
		for _, a := range patch.Set {
			if diff := cmp.Diff(a.Value, a.Property.Get(op)); diff != "" {
				t.Fatalf("%s: Get after Apply (-set +got):\n%s", a.Property.Name, diff)
			}
		}
		out := schema.AppendEntity(nil, schema.LongRunningOperation, op, nil, schema.Annotation{Name: "@odata.etag", Value: "e"})
		if !json.Valid(out) {
			t.Fatalf("AppendEntity wrote invalid JSON: %s", out)
		}
		again, err := schema.ParseBody(out)
		if err != nil {
			t.Fatalf("ParseBody of our own output %s: %v", out, err)
		}
		patch2, err := again.Bind(schema.LongRunningOperation)
		if err != nil {
			t.Fatalf("Bind of our own output %s: %v", out, err)
		}
		back := &industrydata.Operation{ID: "op1"}
		patch2.Apply(back)
		if diff := cmp.Diff(op, back); diff != "" {
			t.Fatalf("round trip through %s (-want +got):\n%s", out, diff)
		}
	})
}

// FuzzAppendString checks that AppendString always writes valid JSON that
// decodes to its input with each invalid byte replaced by U+FFFD.
func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{
		"", "plain", `"\`, "\x00\x1f\x7f", "\u2028\u2029", "é中😀", "\uFFFD",
		"\xff", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "a\xffb\"\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if msg := checkAppendString(s); msg != "" {
			t.Fatalf("AppendString(%q): %s", s, msg)
		}
	})
}

// Seeds of the body fuzz targets: what the seeds and the tests send, and
// the malformed bodies the HTTP tests throw.
var operationBodySeeds = []string{
	// Seed 003's request, as published (placeholders) and filled in.
	`{
  "@odata.type": "#microsoft.graph.longRunningOperation",
  "lastActionDateTime": "String (timestamp)",
  "status": "String",
  "statusDetail": "String",
  "resourceLocation": "String"
}`,
	`{
  "@odata.type": "#microsoft.graph.longRunningOperation",
  "lastActionDateTime": "2024-05-01T08:30:00.123Z",
  "status": "running",
  "statusDetail": "checked 120 of 500 users",
  "resourceLocation": "https://example.com/beta/industryData/runs/1"
}`,
	// Seed 003's response, as an SDK sends it back after a GET.
	`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#industryData/operations/$entity","@odata.type":"#microsoft.graph.longRunningOperation","id":"65ebabed-abed-65eb-edab-eb65edabeb65","createdDateTime":"2024-01-01T00:00:00Z","lastActionDateTime":"2024-05-01T08:30:00Z","status":"succeeded","statusDetail":null,"resourceLocation":null}`,
	`{"status":"running","statusDetail":"keep","resourceLocation":"https://x"}`,
	`{"createdDateTime":"2020-01-02T03:04:05+01:00"}`,
	`{"id":"x","status":"running","statusDetail":null,"@odata.etag":"e"}`,
	`{"createdDateTime":"2024-05-01T08:30:00.1234567-13:59","lastActionDateTime":"0001-01-01T00:00:00Z"}`,
	`{"status":"unknownFutureValue","statusDetail":"\ud800\u2028<script>","resourceLocation":"' OR 1=1 --"}`,
	`{"status":"running","status":"failed"}`,
	`{"statusDetail":1e309}`,
	`{"status":9999999999999999999999}`,
	`{"statusDetail":-0}`,
	`{"lastActionDateTime":"2016-12-31T23:59:60Z"}`,
	`{"eTag":"x"}`,
	`{"@odata.type":"##microsoft.graph.longRunningOperation"}`,
	`{"` + strings.Repeat("n", 300) + `":1}`,
	`{"@odata.context":{"` + strings.Repeat("k", 300) + `":1,"` + strings.Repeat("k", 300) + `":2}}`,
	"\xef\xbb\xbf{}",
	`{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
	`{}`,
}

var processBodySeeds = []string{
	// Seed 000's response body, which names the properties of an update.
	`{
  "@odata.type": "#microsoft.graph.industryData.userReportRefreshProcess",
  "eTag": "String",
  "displayName": "String",
  "readinessStatus": "String"
}`,
	`{"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","eTag":"abc","displayName":"Nightly roster refresh","readinessStatus":"notReady"}`,
	`{"eTag":"old","displayName":"Nightly","readinessStatus":"disabled"}`,
	`{"displayName":"n","readinessStatus":"deleted","id":"p1","@odata.etag":"W/\"1\""}`,
	`{"@odata.type":"#microsoft.graph.industryData.process","displayName":"n"}`,
	`{"@odata.type":"#microsoft.graph.industryData.systemProcess"}`,
	`{"@odata.type":"microsoft.graph.industryData.userReportRefreshProcess","readinessStatus":"ready"}`,
	`{"@odata.type":"#microsoft.graph.longRunningOperation"}`,
	`{"displayName":"n","readinessStatus":"ready","runs":[]}`,
	`{"displayName":{"a":1},"readinessStatus":["ready"]}`,
	`{"displayName":"n","displayName":"n"}`,
	`{"eTag":5,"displayName":null}`,
	`{"displayName":"\"; DROP TABLE processes;--","readinessStatus":"ready"}`,
}

// checkNamedError fails unless err is a badRequest whose message names its
// target (when it has one), and both stay short whatever the input.
func checkNamedError(t *testing.T, what string, err error) {
	t.Helper()
	checkBadRequest(t, what, err)
	var e *industrydata.Error
	errors.As(err, &e)
	if e.Target != "" && !strings.Contains(e.Message, e.Target) {
		t.Fatalf("%s: the message %q does not name the target %q", what, e.Message, e.Target)
	}
	if len(e.Target) > 80 || len(e.Message) > 1024 {
		t.Fatalf("%s: error of %d+%d bytes grows with the input: %.200s", what, len(e.Target), len(e.Message), e.Message)
	}
}

// checkParse checks ParseBody(data) against encoding/json and returns the
// body, or nil when ParseBody refused it. What it accepts is what
// encoding/json decodes, and it survives being written out and parsed again;
// what it refuses is invalid JSON, not an object, invalid UTF-8, or refused
// for a duplicate name or its depth.
func checkParse(t *testing.T, data []byte) *schema.Body {
	t.Helper()
	body, err := schema.ParseBody(data)
	isObject := json.Valid(data) && utf8.Valid(data) && bytes.TrimLeft(data, " \t\r\n")[0] == '{'
	if err != nil {
		checkNamedError(t, "ParseBody", err)
		if body != nil {
			t.Fatalf("ParseBody returned a body and an error")
		}
		if msg := err.Error(); isObject && !strings.Contains(msg, "more than once") && !strings.Contains(msg, "deeper") {
			t.Fatalf("ParseBody refused a JSON object: %v", err)
		}
		return nil
	}
	if !isObject {
		t.Fatalf("ParseBody accepted what is not a valid JSON object in UTF-8: %q", data)
	}
	if d := jsonDepth(data); d > schema.MaxDepth {
		t.Fatalf("ParseBody accepted a body %d levels deep", d)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, generic(body.Members)); diff != "" {
		t.Fatalf("ParseBody disagrees with encoding/json (-json +ParseBody):\n%s", diff)
	}
	out := appendMembers(nil, body.Members)
	again, err := schema.ParseBody(out)
	if err != nil {
		t.Fatalf("ParseBody of the body written out %s: %v", out, err)
	}
	if diff := cmp.Diff(body, again); diff != "" {
		t.Fatalf("the body written out %s parses differently (-first +again):\n%s", out, diff)
	}
	return body
}

// generic is a parsed value as encoding/json decodes it into an any.
func generic(v any) any {
	switch v := v.(type) {
	case []schema.Member:
		m := make(map[string]any, len(v))
		for _, mm := range v {
			m[mm.Name] = generic(mm.Value)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = generic(x)
		}
		return out
	}
	return v
}

// appendMembers writes a parsed object back out as JSON.
func appendMembers(dst []byte, ms []schema.Member) []byte {
	dst = append(dst, '{')
	for i, m := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = schema.AppendString(dst, m.Name)
		dst = append(dst, ':')
		dst = appendJSONValue(dst, m.Value)
	}
	return append(dst, '}')
}

func appendJSONValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case json.Number:
		return append(dst, v...)
	case string:
		return schema.AppendString(dst, v)
	case []schema.Member:
		return appendMembers(dst, v)
	case []any:
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONValue(dst, x)
		}
		return append(dst, ']')
	}
	panic(fmt.Sprintf("unexpected %T in a parsed body", v))
}

// jsonDepth is how deeply valid JSON nests (an object or array is a level).
func jsonDepth(data []byte) int {
	depth, maxDepth, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			maxDepth = max(maxDepth, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return maxDepth
}

// checkPatch checks what Bind made of a body for type t: only writable
// properties are set, each with a value of its kind, and read-only ones
// are among those allowed, as strings.
func checkPatch(t *testing.T, p *schema.Patch, typ *schema.EntityType, body *schema.Body, readOnly ...string) {
	t.Helper()
	if name, ok, _ := body.ODataType(); ok && strings.TrimPrefix(name, "#") != typ.FullName() {
		t.Fatalf("Bind(%s) accepted @odata.type %q", typ.Name, name)
	}
	for name, v := range p.ReadOnly {
		if _, ok := v.(string); !ok || !slices.Contains(readOnly, name) {
			t.Fatalf("read-only %s = %#v", name, v)
		}
	}
	for _, a := range p.Set {
		prop := a.Property
		if prop.ReadOnly || typ.Property(prop.Name) != prop {
			t.Fatalf("Bind set %s, which is not a writable property of %s", prop.Name, typ.Name)
		}
		switch v := a.Value.(type) {
		case nil:
			if !prop.Nullable {
				t.Fatalf("%s set to null", prop.Name)
			}
		case string:
			if prop.Kind == schema.Enum && !prop.Enum.Has(v) || prop.Kind != schema.Enum && prop.Kind != schema.String || strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("%s set to %q", prop.Name, v)
			}
		case time.Time:
			if prop.Kind != schema.DateTimeOffset || v.Location() != time.UTC || v.Year() < 1 || v.Year() > 9999 || v.Nanosecond()%100 != 0 {
				t.Fatalf("%s set to %v", prop.Name, v)
			}
		default:
			t.Fatalf("%s set to %#v", prop.Name, v)
		}
	}
}

// FuzzDecodeOperationBody feeds bytes to what POST and PATCH
// /industryData/operations do with a body: ParseBody, then Bind to
// longRunningOperation. Failures are named badRequests; a bound patch
// creates an operation (defaults, then the patch) and updates a stored one
// (unsent properties keep their values, null clears), and what results
// round-trips through its JSON.
func FuzzDecodeOperationBody(f *testing.F) {
	for _, s := range operationBodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body := checkParse(t, data)
		if body == nil {
			return
		}
		typ := schema.LongRunningOperation
		patch, err := body.Bind(typ)
		if err != nil {
			checkNamedError(t, "Bind", err)
			return
		}
		checkPatch(t, patch, typ, body, "id")

		// Create: the service's defaults, then the patch.
		now := time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)
		created := &industrydata.Operation{ID: "op1", Type: typ.FullName(), CreatedDateTime: now, LastActionDateTime: &now, Status: industrydata.OperationNotStarted}
		patch.Apply(created)
		roundTripOperation(t, created)

		// Update: a stored operation with every property set.
		detail, loc := "detail", "https://example.com/r"
		stored := industrydata.Operation{ID: "op1", Type: typ.FullName(), CreatedDateTime: now, LastActionDateTime: &now,
			Status: industrydata.OperationRunning, StatusDetail: &detail, ResourceLocation: &loc}
		updated := stored
		patch.Apply(&updated)
		for _, prop := range typ.AllProperties() {
			got := prop.Get(&updated)
			want := prop.Get(&stored)
			if patch.Has(prop.Name) {
				for _, a := range patch.Set {
					if a.Property == prop {
						want = a.Value // the last one; ParseBody allows no duplicates anyway
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s after the update (-want +got):\n%s", prop.Name, diff)
			}
		}
		twice := updated
		patch.Apply(&twice)
		if diff := cmp.Diff(updated, twice); diff != "" {
			t.Fatalf("applying the patch twice (-once +twice):\n%s", diff)
		}
		roundTripOperation(t, &updated)
	})
}

// roundTripOperation checks that op, written as a GET answers it and sent
// back as a PATCH body, binds to itself.
func roundTripOperation(t *testing.T, op *industrydata.Operation) {
	t.Helper()
	typ := schema.LongRunningOperation
	out := schema.AppendEntity(nil, typ, op, nil, schema.Annotation{Name: "@odata.context", Value: "https://x/beta/$metadata#industryData/operations/$entity"})
	body, err := schema.ParseBody(out)
	if err != nil {
		t.Fatalf("ParseBody of our own %s: %v", out, err)
	}
	patch, err := body.Bind(typ)
	if err != nil {
		t.Fatalf("Bind of our own %s: %v", out, err)
	}
	if id := patch.ReadOnly["id"]; id != op.ID {
		t.Fatalf("id %v in %s", id, out)
	}
	back := &industrydata.Operation{ID: op.ID, Type: op.Type}
	patch.Apply(back)
	if diff := cmp.Diff(op, back); diff != "" {
		t.Fatalf("round trip through %s (-want +got):\n%s", out, diff)
	}
}

// FuzzDecodeProcessBody feeds bytes to what the process routes do with a
// body. POST reads @odata.type and binds to the concrete type it names (an
// abstract, unknown or other type is a named badRequest, as the service
// answers); PATCH binds to the stored type, userReportRefreshProcess, and
// through a cast to the same. A bound patch carries at most id and eTag
// read-only, sets displayName and readinessStatus to valid values, and the
// process it makes round-trips through its JSON, eTag included.
func FuzzDecodeProcessBody(f *testing.F) {
	for _, s := range processBodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body := checkParse(t, data)
		if body == nil {
			return
		}
		// Create.
		name, ok, err := body.ODataType()
		if err != nil {
			checkNamedError(t, "ODataType", err)
		} else if ok {
			if typ := schema.LookupEntityType(name); typ != nil && !typ.Abstract && typ.DerivesFrom(schema.Process) {
				if patch, err := body.Bind(typ); err != nil {
					checkNamedError(t, "Bind "+typ.Name, err)
				} else {
					checkPatch(t, patch, typ, body, "id", "eTag")
					p := &industrydata.Process{ID: "p1", Type: typ.FullName(), ETag: "e1", DisplayName: industrydata.DefaultUserReportRefreshProcessName, ReadinessStatus: industrydata.ReadinessReady}
					patch.Apply(p)
					roundTripProcess(t, typ, p)
				}
			}
		}
		// Update, with and without the type cast (both bind the stored type).
		for _, typ := range []*schema.EntityType{schema.UserReportRefreshProcess, schema.Process} {
			patch, err := body.Bind(typ)
			if err != nil {
				checkNamedError(t, "Bind "+typ.Name, err)
				continue
			}
			checkPatch(t, patch, typ, body, "id", "eTag")
			stored := industrydata.Process{ID: "p1", Type: schema.UserReportRefreshProcess.FullName(), ETag: "e1", DisplayName: "before", ReadinessStatus: industrydata.ReadinessNotReady}
			updated := stored
			patch.Apply(&updated)
			if !patch.Has("displayName") && updated.DisplayName != stored.DisplayName ||
				!patch.Has("readinessStatus") && updated.ReadinessStatus != stored.ReadinessStatus ||
				updated.ID != stored.ID || updated.ETag != stored.ETag || updated.Type != stored.Type {
				t.Fatalf("the patch changed what it does not set: %+v -> %+v", stored, updated)
			}
			roundTripProcess(t, schema.UserReportRefreshProcess, &updated)
		}
	})
}

// roundTripProcess checks that p, written as a GET answers it and sent back
// as a PATCH body, binds to itself with its own id and eTag.
func roundTripProcess(t *testing.T, typ *schema.EntityType, p *industrydata.Process) {
	t.Helper()
	out := schema.AppendEntity(nil, typ, p, nil, schema.Annotation{Name: "@odata.etag", Value: "W/\"" + p.ETag + "\""})
	body, err := schema.ParseBody(out)
	if err != nil {
		t.Fatalf("ParseBody of our own %s: %v", out, err)
	}
	patch, err := body.Bind(typ)
	if err != nil {
		t.Fatalf("Bind of our own %s: %v", out, err)
	}
	if patch.ReadOnly["id"] != p.ID || patch.ReadOnly["eTag"] != p.ETag {
		t.Fatalf("read-only %v in %s", patch.ReadOnly, out)
	}
	if !patch.Has("displayName") || !patch.Has("readinessStatus") {
		t.Fatalf("our own %s lacks what a PATCH requires", out)
	}
	back := &industrydata.Process{ID: p.ID, Type: p.Type, ETag: p.ETag}
	patch.Apply(back)
	if diff := cmp.Diff(p, back); diff != "" {
		t.Fatalf("round trip through %s (-want +got):\n%s", out, diff)
	}
}
