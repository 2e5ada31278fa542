package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata/schema"
)

type obj = []schema.Member

// nestObjects returns a body whose objects nest depth levels deep, the
// top-level object counting as the first.
func nestObjects(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + `{}` + strings.Repeat(`}`, depth-1)
}

// nestArrays returns a body of one object holding arrays nested so that
// depth containers, the object included, are open at the innermost point.
func nestArrays(depth int) string {
	return `{"a":` + strings.Repeat(`[`, depth-1) + strings.Repeat(`]`, depth-1) + `}`
}

// nestMixed alternates arrays and objects, depth containers in all.
func nestMixed(depth int) string {
	open, closing := `{"a":`, `}`
	for i := 1; i < depth; i++ {
		if i%2 == 1 {
			open += `[`
			closing = `]` + closing
		} else {
			open += `{"b":`
			closing = `}` + closing
		}
	}
	return open + `1` + closing
}

func TestParseBodyValid(t *testing.T) {
	long := strings.Repeat("é😀x", 1<<18) // ~1.75 MB of multibyte text
	tests := []struct {
		name string
		in   string
		want []schema.Member
	}{
		{"empty object", `{}`, nil},
		{"surrounding whitespace accepted", " \t\r\n{}\n\t ", nil},
		{
			"seed operation body kept in document order",
			`{"@odata.type":"#microsoft.graph.longRunningOperation","lastActionDateTime":"2024-05-01T08:30:00Z","status":"running","statusDetail":"x","resourceLocation":"https://x"}`,
			obj{
				{"@odata.type", "#microsoft.graph.longRunningOperation"},
				{"lastActionDateTime", "2024-05-01T08:30:00Z"},
				{"status", "running"},
				{"statusDetail", "x"},
				{"resourceLocation", "https://x"},
			},
		},
		{
			"every scalar kind",
			`{"s":"v","t":true,"f":false,"n":null,"i":42}`,
			obj{{"s", "v"}, {"t", true}, {"f", false}, {"n", nil}, {"i", json.Number("42")}},
		},
		{
			"numbers kept as json.Number text",
			`{"a":-0,"b":1.50,"c":-1.5e+10,"d":123456789012345678901234567890,"e":1E-400}`,
			obj{
				{"a", json.Number("-0")},
				{"b", json.Number("1.50")},
				{"c", json.Number("-1.5e+10")},
				{"d", json.Number("123456789012345678901234567890")},
				{"e", json.Number("1E-400")},
			},
		},
		{
			"nested objects and arrays",
			`{"o":{"p":{"q":[1,"two",{"r":null}]},"e":{}},"a":[[],[true,[false]]]}`,
			obj{
				{"o", obj{
					{"p", obj{{"q", []any{json.Number("1"), "two", obj{{"r", nil}}}}}},
					{"e", obj{}},
				}},
				{"a", []any{[]any{}, []any{true, []any{false}}}},
			},
		},
		{
			"unicode escapes decoded",
			`{"\u0061\u00e9":"\u00e9\u4e2d\ud83d\ude00\n\t\"\\\/\u0000"}`,
			obj{{"aé", "é中😀\n\t\"\\/\x00"}},
		},
		{"raw multibyte UTF-8 kept", `{"ключ":"значение 😀"}`, obj{{"ключ", "значение 😀"}}},
		{
			"same name in different objects accepted",
			`{"a":{"x":1},"b":{"x":2},"x":[{"x":3},{"x":4}]}`,
			obj{
				{"a", obj{{"x", json.Number("1")}}},
				{"b", obj{{"x", json.Number("2")}}},
				{"x", []any{obj{{"x", json.Number("3")}}, obj{{"x", json.Number("4")}}}},
			},
		},
		{"names differing in case are distinct", `{"a":1,"A":2}`, obj{{"a", json.Number("1")}, {"A", json.Number("2")}}},
		{"empty name accepted", `{"":1}`, obj{{"", json.Number("1")}}},
		{"very long string accepted", `{"s":"` + long + `"}`, obj{{"s", long}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := schema.ParseBody([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			// Whether an empty object or array is a nil slice is not part of the
			// contract; its type is (null stays a nil interface).
			if diff := cmp.Diff(tt.want, b.Members, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseBodyDepth(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"objects exactly MaxDepth deep accepted", nestObjects(schema.MaxDepth), true},
		{"objects one deeper than MaxDepth rejected", nestObjects(schema.MaxDepth + 1), false},
		{"arrays exactly MaxDepth deep accepted", nestArrays(schema.MaxDepth), true},
		{"arrays one deeper than MaxDepth rejected", nestArrays(schema.MaxDepth + 1), false},
		{"mixed exactly MaxDepth deep accepted", nestMixed(schema.MaxDepth), true},
		{"mixed one deeper than MaxDepth rejected", nestMixed(schema.MaxDepth + 1), false},
		{"deep nesting far beyond MaxDepth rejected", nestArrays(100000), false},
		{"deep truncated nesting rejected", strings.Repeat(`{"a":`, 5000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schema.ParseBody([]byte(tt.in))
			if tt.ok {
				if err != nil {
					t.Fatalf("ParseBody: %v", err)
				}
				return
			}
			e := badRequest(t, err)
			if strings.HasSuffix(tt.in, "}") {
				checkMessage(t, e.Message, "deeper")
			}
		})
	}
}

func TestParseBodyErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantTarget string
		wantMsg    []string
	}{
		{name: "empty body rejected", in: ``, wantMsg: []string{"empty"}},
		{name: "whitespace-only body rejected", in: " \r\n\t ", wantMsg: []string{"empty"}},
		{name: "top-level array rejected", in: `[{"a":1}]`, wantMsg: []string{"JSON object", "array"}},
		{name: "top-level string rejected", in: `"{}"`, wantMsg: []string{"JSON object", "string"}},
		{name: "top-level number rejected", in: `12`, wantMsg: []string{"JSON object", "number"}},
		{name: "top-level null rejected", in: `null`, wantMsg: []string{"JSON object", "null"}},
		{name: "top-level true rejected", in: `true`, wantMsg: []string{"JSON object", "boolean"}},
		{name: "top-level false rejected", in: `false`, wantMsg: []string{"JSON object", "boolean"}},
		{name: "lone closing brace rejected", in: `}`, wantMsg: []string{"not valid JSON"}},
		{name: "bare word rejected", in: `hello`, wantMsg: []string{"not valid JSON"}},
		{name: "byte order mark rejected", in: "\ufeff{}", wantMsg: []string{"not valid JSON"}},
		{name: "truncated after brace rejected", in: `{`, wantMsg: []string{"not valid JSON"}},
		{name: "truncated after name rejected", in: `{"a"`, wantMsg: []string{"not valid JSON"}},
		{name: "truncated after colon rejected", in: `{"a":`, wantMsg: []string{"not valid JSON"}},
		{name: "truncated inside string rejected", in: `{"a":"bc`, wantMsg: []string{"not valid JSON"}},
		{name: "truncated after value rejected", in: `{"a":1`, wantMsg: []string{"not valid JSON"}},
		{name: "truncated nested rejected", in: `{"a":{"b":[1,2`, wantMsg: []string{"not valid JSON"}},
		{name: "trailing comma rejected", in: `{"a":1,}`, wantMsg: []string{"not valid JSON"}},
		{name: "missing comma rejected", in: `{"a":1 "b":2}`, wantMsg: []string{"not valid JSON"}},
		{name: "missing colon rejected", in: `{"a" 1}`, wantMsg: []string{"not valid JSON"}},
		{name: "unquoted name rejected", in: `{a:1}`, wantMsg: []string{"not valid JSON"}},
		{name: "number as name rejected", in: `{1:1}`, wantMsg: []string{"not valid JSON"}},
		{name: "single-quoted string rejected", in: `{'a':1}`, wantMsg: []string{"not valid JSON"}},
		{name: "bad escape rejected", in: `{"a":"\x"}`, wantMsg: []string{"not valid JSON"}},
		{name: "short unicode escape rejected", in: `{"a":"\u12"}`, wantMsg: []string{"not valid JSON"}},
		{name: "raw control character in string rejected", in: "{\"a\":\"x\ny\"}", wantMsg: []string{"not valid JSON"}},
		{name: "leading zero rejected", in: `{"a":01}`, wantMsg: []string{"not valid JSON"}},
		{name: "NaN rejected", in: `{"a":NaN}`, wantMsg: []string{"not valid JSON"}},
		{name: "mismatched brackets rejected", in: `{"a":[1}`, wantMsg: []string{"not valid JSON"}},
		{name: "trailing garbage rejected", in: `{"a":1}x`, wantMsg: []string{"after"}},
		{name: "trailing closing brace rejected", in: `{"a":1}}`, wantMsg: []string{"after"}},
		{name: "trailing null rejected", in: `{} null`, wantMsg: []string{"after"}},
		{name: "two objects rejected", in: `{"a":1}{"b":2}`, wantMsg: []string{"after"}},
		{name: "two objects with whitespace rejected", in: "{}\n{}\n", wantMsg: []string{"after"}},
		{name: "duplicate top-level name rejected", in: `{"a":1,"b":2,"a":3}`, wantTarget: "a", wantMsg: []string{"'a'", "more than once"}},
		{name: "duplicate with different values rejected", in: `{"status":"running","status":null}`, wantTarget: "status", wantMsg: []string{"'status'"}},
		{name: "duplicate spelled with an escape rejected", in: `{"ab":1,"\u0061b":2}`, wantTarget: "ab", wantMsg: []string{"'ab'"}},
		{name: "duplicate nested name names its path", in: `{"a":{"b":1,"b":2}}`, wantTarget: "a/b", wantMsg: []string{"'a/b'"}},
		{name: "duplicate deeply nested name names its path", in: `{"x":{"y":{"z":1,"z":1}}}`, wantTarget: "x/y/z", wantMsg: []string{"'x/y/z'"}},
		{name: "duplicate inside array element names its path", in: `{"a":[{"b":1},{"c":1,"c":2}]}`, wantTarget: "a/c", wantMsg: []string{"'a/c'"}},
		{name: "invalid UTF-8 in value rejected", in: "{\"a\":\"\xff\"}", wantMsg: []string{"UTF-8"}},
		{name: "invalid UTF-8 in name rejected", in: "{\"\xc3\":1}", wantMsg: []string{"UTF-8"}},
		{name: "overlong UTF-8 rejected", in: "{\"a\":\"\xc0\xaf\"}", wantMsg: []string{"UTF-8"}},
		{name: "UTF-8 encoded surrogate rejected", in: "{\"a\":\"\xed\xa0\x80\"}", wantMsg: []string{"UTF-8"}},
		{name: "invalid UTF-8 after the object rejected", in: "{}\xff", wantMsg: []string{"UTF-8"}},
		{name: "invalid UTF-8 alone rejected", in: "\x80", wantMsg: []string{"UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := schema.ParseBody([]byte(tt.in))
			e := badRequest(t, err)
			if b != nil {
				t.Errorf("got body %+v along with the error", b)
			}
			if e.Target != tt.wantTarget {
				t.Errorf("Target = %q, want %q (message %q)", e.Target, tt.wantTarget, e.Message)
			}
			checkMessage(t, e.Message, tt.wantMsg...)
		})
	}
}

func TestBodyODataType(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string
		wantFound bool
		wantErr   bool
	}{
		{name: "absent reported as not found", in: `{"status":"running"}`},
		{name: "present with hash", in: `{"x":1,"@odata.type":"#microsoft.graph.longRunningOperation"}`, want: "#microsoft.graph.longRunningOperation", wantFound: true},
		{name: "present without hash returned verbatim", in: `{"@odata.type":"microsoft.graph.longRunningOperation"}`, want: "microsoft.graph.longRunningOperation", wantFound: true},
		{name: "non-string rejected", in: `{"@odata.type":5}`, wantFound: true, wantErr: true},
		{name: "null rejected", in: `{"@odata.type":null}`, wantFound: true, wantErr: true},
		{name: "object rejected", in: `{"@odata.type":{}}`, wantFound: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := mustParse(t, tt.in).ODataType()
			if found != tt.wantFound {
				t.Errorf("found = %v, want %v", found, tt.wantFound)
			}
			if tt.wantErr {
				if e := badRequest(t, err); e.Target != "@odata.type" {
					t.Errorf("Target = %q, want @odata.type", e.Target)
				}
				return
			}
			if err != nil {
				t.Fatalf("ODataType: %v", err)
			}
			if got != tt.want {
				t.Errorf("ODataType = %q, want %q", got, tt.want)
			}
		})
	}
}
