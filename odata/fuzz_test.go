package odata_test

import (
	"errors"
	"strings"
	"testing"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// fuzzBadRequest fails unless err is an *industrydata.Error with code
// badRequest: the property every fuzz target checks of every failure.
func fuzzBadRequest(t *testing.T, input string, err error) {
	t.Helper()
	var e *industrydata.Error
	if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Message == "" {
		t.Fatalf("%q: error %#v is not a badRequest with a message", input, err)
	}
}

var filterSeeds = []string{
	"name eq 'a'",
	"'it''s' eq name and count gt -5",
	"not (flag or optFlag) and nick eq null",
	"status in ('active',test.ns.widgetStatus'retired')",
	"created ge 2024-05-01T08:30:00.1234567+02:00 and ended ne null",
	"startswith(name,'a') or endswith(nick,'z') or contains(id,'')",
	"tags/any(t:t eq 'x' and issues/any(i:i eq 'missingEmail'))",
	"checks/any(c:not c) and tags/any()",
	"(startswith(name,'a')) eq false",
	"5 lt count and count le 9223372036854775807",
	"sizes/any(s:s in (1,2,3))",
	"((((flag))))",
	"name EQ 'a'",
	"foo eq 1",
	"count eq 1.5",
	"created eq 2024-05-01T08:30:00 02:00",
	"tags/all(t:t eq 'x')",
	"name eq 'unterminated",
	"not not not flag",
	"stamps/any(s:s gt 0001-01-01T00:00:00Z)",
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Add("status eq microsoft.graph.longRunningOperationStatus'running' and lastActionDateTime eq null")
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range []*schema.EntityType{widgetType, schema.LongRunningOperation} {
			e, err := odata.ParseFilter(s, typ)
			if err != nil {
				fuzzBadRequest(t, s, err)
				continue
			}
			canon := odata.FilterString(e)
			// Canonical text can be a little longer than the input (it
			// spells out `x eq true` as nothing, but adds spaces), so it
			// is reparsed only within the length limit.
			if len(canon) <= odata.MaxFilterLength {
				e2, err := odata.ParseFilter(canon, typ)
				if err != nil {
					t.Fatalf("%q: canonical %q does not parse: %v", s, canon, err)
				}
				if again := odata.FilterString(e2); again != canon {
					t.Fatalf("%q: canonical %q parses to %q", s, canon, again)
				}
			}
			if typ == widgetType {
				for _, w := range []*widget{full(), empty()} {
					odata.Match(e, w)
				}
			}
		}
	})
}

func FuzzParseOrderBySelect(f *testing.F) {
	seeds := [][3]string{
		{"name", "name,status", "parts"},
		{"created desc,name asc", "*", ""},
		{" nick desc , count ", " id , blob , tags ", " parts , parts "},
		{"name,name", "", ""},
		{"blob", "parts", "runs"},
		{"tags desc", "foo", "parts($top=1)"},
		{"name DESC", "Name", "*"},
		{"name desc x", "a/b", "parts/x"},
		{",", ",", ","},
		{"id,name,nick,status,created,ended,flag,count,optCount", "", ""},
		{"optFlag\tdesc", "name,*", ""},
		{"", "status", "parts;x"},
		{"a b c d", "\x00", "\xff"},
		{"créé", "é", "ü"},
		{"count  asc", "count", "parts"},
		{"ended desc", "ended,optCount", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, orderby, sel, expand string) {
		raw := map[string]string{}
		for k, v := range map[string]string{"orderby": orderby, "select": sel, "expand": expand} {
			if v != "" {
				raw[k] = v
			}
		}
		q, err := odata.Parse(raw, widgetType, allowAll)
		if err != nil {
			fuzzBadRequest(t, orderby+"|"+sel+"|"+expand, err)
			return
		}
		if len(q.OrderBy) > odata.MaxOrderByKeys {
			t.Fatalf("%d keys", len(q.OrderBy))
		}
		if len(q.OrderBy) > 0 {
			canon := odata.OrderByString(q.OrderBy)
			q2, err := odata.Parse(map[string]string{"orderby": canon}, widgetType, allowAll)
			if err != nil || odata.OrderByString(q2.OrderBy) != canon {
				t.Fatalf("canonical $orderby %q does not round-trip: %v", canon, err)
			}
		}
		for _, name := range q.Select {
			if widgetType.Property(name) == nil {
				t.Fatalf("selected %q is not a property", name)
			}
		}
		for _, name := range q.Expand {
			if name != "parts" {
				t.Fatalf("expanded %q", name)
			}
		}
	})
}

func FuzzDecodeSkipToken(f *testing.F) {
	q, err := odata.Parse(allKinds, widgetType, allowAll)
	if err != nil {
		f.Fatal(err)
	}
	cursors := [][]any{
		{nil, "active", utc("2024-05-01T08:30:00.0000001Z"), nil, true, nil, int64(99), int64(-99)},
		{"x", "retired", utc("0001-01-01T00:00:00Z"), utc("9999-12-31T23:59:59.9999999Z"), false, true, int64(0), nil},
		{"", "unknownFutureValue", utc("1970-01-01T00:00:00Z"), nil, false, false, int64(-1 << 63), int64(1<<63 - 1)},
	}
	for i, vals := range cursors {
		tok := odata.EncodeSkipToken(testKey, "tenant-a", q, industrydata.Cursor{Values: vals, Seq: int64(i * 1000)})
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(tok + "A")
		f.Add(strings.ToUpper(tok))
		f.Add(odata.EncodeSkipToken(testKey, "tenant-b", q, industrydata.Cursor{Values: vals, Seq: 1}))
	}
	for _, s := range []string{"", "A", "AAAA", "-_-_", "not a token", "{}", "%7B%7D", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := odata.DecodeSkipToken(testKey, "tenant-a", q, token)
		if err != nil {
			var e *industrydata.Error
			if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Message != skipTokenMessage {
				t.Fatalf("%q: error %#v is not the skiptoken badRequest", token, err)
			}
			return
		}
		// Only a token this key made verifies, and tokens have one spelling.
		if again := odata.EncodeSkipToken(testKey, "tenant-a", q, c); again != token {
			t.Fatalf("decoded %q re-encodes as %q", token, again)
		}
	})
}
