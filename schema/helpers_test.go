package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"industrydata"
	"industrydata/schema"
)

// badRequest returns err as an *industrydata.Error, failing the test unless
// it is one with Code badRequest.
func badRequest(t *testing.T, err error) *industrydata.Error {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want a badRequest")
	}
	var e *industrydata.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *industrydata.Error", err, err)
	}
	if e.Code != industrydata.CodeBadRequest {
		t.Fatalf("error code = %q, want %q (error %v)", e.Code, industrydata.CodeBadRequest, err)
	}
	if e.Message == "" {
		t.Fatalf("badRequest has an empty message: %#v", e)
	}
	return e
}

// checkMessage fails the test unless msg contains every one of wants.
func checkMessage(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

// mustParse parses a body the test knows to be valid.
func mustParse(t testing.TB, s string) *schema.Body {
	t.Helper()
	b, err := schema.ParseBody([]byte(s))
	if err != nil {
		t.Fatalf("ParseBody(%q): %v", s, err)
	}
	return b
}

// utc parses an RFC 3339 literal the test knows to be valid, in UTC.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ptr[T any](v T) *T { return &v }

// assigned is a Patch's Set in a form cmp can compare.
type assigned struct {
	Name  string
	Value any
}

func assignments(p *schema.Patch) []assigned {
	var out []assigned
	for _, a := range p.Set {
		out = append(out, assigned{Name: a.Property.Name, Value: a.Value})
	}
	return out
}

// topLevelKeys returns the member names of a JSON object in document order.
func topLevelKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not an object (%v, %v)", data, tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
	}
	return keys
}

// replaceInvalidPerByte is the replacement AppendString documents and
// encoding/json.Marshal also performs: every byte that does not start a valid
// UTF-8 sequence (utf8.DecodeRuneInString answers RuneError, 1) becomes one
// U+FFFD. strings.ToValidUTF8 instead replaces each run of such bytes once.
func replaceInvalidPerByte(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}
