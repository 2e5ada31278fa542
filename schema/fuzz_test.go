package schema_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

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
