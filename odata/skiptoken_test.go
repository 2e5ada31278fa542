package odata_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

const skipTokenMessage = "The $skiptoken is not valid for this request; follow @odata.nextLink as given."

// allKinds orders by one key of every sortable kind, nullable ones included.
var allKinds = map[string]string{"filter": "count gt 1", "orderby": "nick desc,status,created,ended desc,flag,optFlag,count,optCount"}

func TestSkipTokenRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		c    industrydata.Cursor
	}{
		{"no keys", map[string]string{}, industrydata.Cursor{Seq: 42}},
		{"seq zero", map[string]string{}, industrydata.Cursor{}},
		{"negative and huge seq", map[string]string{"orderby": "count"}, industrydata.Cursor{Values: []any{int64(-1 << 63)}, Seq: 1<<63 - 1}},
		{"string", map[string]string{"orderby": "name"}, industrydata.Cursor{Values: []any{"a b{c}/+=é\x00'"}, Seq: 1}},
		{"empty string", map[string]string{"orderby": "name"}, industrydata.Cursor{Values: []any{""}, Seq: 1}},
		{"long string", map[string]string{"orderby": "name"}, industrydata.Cursor{Values: []any{strings.Repeat("x", 5000)}, Seq: 1}},
		{"enum", map[string]string{"orderby": "status desc"}, industrydata.Cursor{Values: []any{"retired"}, Seq: 2}},
		{"time at 100 ns", map[string]string{"orderby": "created"}, industrydata.Cursor{Values: []any{utc("2024-05-01T08:30:00.1234567Z")}, Seq: 3}},
		{"earliest time", map[string]string{"orderby": "created"}, industrydata.Cursor{Values: []any{utc("0001-01-01T00:00:00Z")}, Seq: 3}},
		{"latest time", map[string]string{"orderby": "created"}, industrydata.Cursor{Values: []any{utc("9999-12-31T23:59:59.9999999Z")}, Seq: 3}},
		{"time before 1970", map[string]string{"orderby": "created"}, industrydata.Cursor{Values: []any{utc("1969-12-31T23:59:59.9999999Z")}, Seq: 3}},
		{"true", map[string]string{"orderby": "flag"}, industrydata.Cursor{Values: []any{true}, Seq: 4}},
		{"false", map[string]string{"orderby": "flag"}, industrydata.Cursor{Values: []any{false}, Seq: 4}},
		{"int64", map[string]string{"orderby": "count desc"}, industrydata.Cursor{Values: []any{int64(-7)}, Seq: 5}},
		{"nulls", map[string]string{"orderby": "nick,ended,optFlag,optCount"}, industrydata.Cursor{Values: []any{nil, nil, nil, nil}, Seq: 6}},
		{"every kind", allKinds, industrydata.Cursor{Values: []any{nil, "active", utc("2024-05-01T08:30:00.0000001Z"),
			utc("2025-01-01T00:00:00Z"), true, nil, int64(99), int64(-99)}, Seq: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustQuery(t, tt.raw, widgetType)
			token := odata.EncodeSkipToken(testKey, "tenant-a", q, tt.c)
			if strings.ContainsAny(token, "{} +/=%") {
				t.Errorf("token %q has a character that needs escaping", token)
			}
			got, err := odata.DecodeSkipToken(testKey, "tenant-a", q, token)
			if err != nil {
				t.Fatalf("DecodeSkipToken: %v", err)
			}
			if diff := cmp.Diff(tt.c, got); diff != "" {
				t.Errorf("cursor (-want +got):\n%s", diff)
			}
			for _, v := range got.Values {
				if tm, ok := v.(time.Time); ok && tm.Location() != time.UTC {
					t.Errorf("time %v not in UTC", tm)
				}
			}
		})
	}
}

func TestSkipTokenTimeNormalized(t *testing.T) {
	q := mustQuery(t, map[string]string{"orderby": "created"}, widgetType)
	in := time.Date(2024, 5, 1, 10, 30, 0, 123456789, time.FixedZone("x", 2*3600))
	token := odata.EncodeSkipToken(testKey, "t", q, industrydata.Cursor{Values: []any{in}})
	got, err := odata.DecodeSkipToken(testKey, "t", q, token)
	if err != nil {
		t.Fatal(err)
	}
	if want := utc("2024-05-01T08:30:00.1234567Z"); !got.Values[0].(time.Time).Equal(want) {
		t.Errorf("time = %v, want %v", got.Values[0], want)
	}
}

func TestSkipTokenRefused(t *testing.T) {
	base := map[string]string{"filter": "count gt 1", "orderby": "name desc,created"}
	q := mustQuery(t, base, widgetType)
	c := industrydata.Cursor{Values: []any{"x", utc("2024-05-01T08:30:00Z")}, Seq: 9}
	token := odata.EncodeSkipToken(testKey, "tenant-a", q, c)
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name   string
		key    []byte
		tenant string
		raw    map[string]string
		token  string
	}{
		{"other tenant", testKey, "tenant-b", base, token},
		{"tenant as prefix", testKey, "tenant-", base, token},
		{"other key", []byte("another key of 32 bytes, exactly"), "tenant-a", base, token},
		{"other filter", testKey, "tenant-a", with("filter", "count gt 2"), token},
		{"no filter", testKey, "tenant-a", map[string]string{"orderby": base["orderby"]}, token},
		{"other orderby direction", testKey, "tenant-a", with("orderby", "name asc,created"), token},
		{"other orderby keys", testKey, "tenant-a", with("orderby", "nick desc,created"), token},
		{"fewer orderby keys", testKey, "tenant-a", with("orderby", "name desc"), token},
		{"truncated by one", testKey, "tenant-a", base, token[:len(token)-1]},
		{"truncated by half", testKey, "tenant-a", base, token[:len(token)/2]},
		{"extended", testKey, "tenant-a", base, token + "A"},
		{"first byte flipped", testKey, "tenant-a", base, flipBit(raw, 0)},
		{"payload bit flipped", testKey, "tenant-a", base, flipBit(raw, 3)},
		{"mac bit flipped", testKey, "tenant-a", base, flipBit(raw, len(raw)-1)},
		{"padded", testKey, "tenant-a", base, base64.URLEncoding.EncodeToString(raw)},
		{"standard alphabet", testKey, "tenant-a", base, strings.NewReplacer("-", "+", "_", "/").Replace(token) + "+/"},
		{"newline inside", testKey, "tenant-a", base, token[:4] + "\n" + token[4:]},
		{"garbage", testKey, "tenant-a", base, "not a token"},
		{"base64 garbage", testKey, "tenant-a", base, base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdefghijklmnop"))},
		{"json", testKey, "tenant-a", base, `{"seq":9}`},
		{"empty", testKey, "tenant-a", base, ""},
		{"huge", testKey, "tenant-a", base, strings.Repeat("A", 20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := odata.DecodeSkipToken(tt.key, tt.tenant, mustQuery(t, tt.raw, widgetType), tt.token)
			e := badRequest(t, err)
			if e.Message != skipTokenMessage || e.Target != "$skiptoken" {
				t.Errorf("error = %q (Target %q), want %q", e.Message, e.Target, skipTokenMessage)
			}
		})
	}
	t.Run("same query in other words accepted", func(t *testing.T) {
		q2 := mustQuery(t, map[string]string{"filter": "1 lt count", "orderby": " name desc , created asc", "top": "5", "select": "name"}, widgetType)
		if _, err := odata.DecodeSkipToken(testKey, "tenant-a", q2, token); err != nil {
			t.Errorf("DecodeSkipToken: %v", err)
		}
	})
}

// flipBit flips the lowest bit of raw[i] in a copy and encodes it.
func flipBit(raw []byte, i int) string {
	b := append([]byte(nil), raw...)
	b[i] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestFingerprint(t *testing.T) {
	q := mustQuery(t, map[string]string{"filter": "'a' eq name", "orderby": "created desc"}, widgetType)
	if diff := cmp.Diff("test.ns.widget\nname eq 'a'\ncreated desc", q.Fingerprint()); diff != "" {
		t.Errorf("Fingerprint (-want +got):\n%s", diff)
	}
	if got := mustQuery(t, nil, widgetType).Fingerprint(); got != "test.ns.widget\n\n" {
		t.Errorf("empty Fingerprint = %q", got)
	}
}

func TestEncodeSkipTokenPanicsOnBug(t *testing.T) {
	q := mustQuery(t, map[string]string{"orderby": "name"}, widgetType)
	for name, c := range map[string]industrydata.Cursor{
		"value of the wrong kind": {Values: []any{int64(1)}},
		"value of no kind":        {Values: []any{3.5}},
		"too few values":          {},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			odata.EncodeSkipToken(testKey, "t", q, c)
		})
	}
}
