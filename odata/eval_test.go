package odata_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

func strp(s string) *string           { return &s }
func boolp(b bool) *bool              { return &b }
func int64p(n int64) *int64           { return &n }
func timep(s string) *time.Time       { t := utc(s); return &t }
func widgets(ws ...*widget) []*widget { return ws }

// full is a widget with every property set.
func full() *widget {
	return &widget{ID: "w1", Name: "Alpha", Nick: strp("al"), Status: "active",
		Created: utc("2024-05-01T08:30:00.1234567Z"), Ended: timep("2024-06-01T00:00:00Z"),
		Flag: true, OptFlag: boolp(false), Count: 5, OptCount: int64p(-3),
		Tags: []string{"red", "blue"}, Issues: []string{"missingEmail"}, Checks: []bool{false},
		Sizes: []int64{1, 10}, Stamps: []time.Time{utc("2024-01-01T00:00:00Z")}}
}

// empty is a widget with every nullable property null and no collections.
func empty() *widget { return &widget{Name: "", Status: "retired"} }

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		filter string
		w      *widget
		want   bool
	}{
		{"eq string", "name eq 'Alpha'", full(), true},
		{"eq is case-sensitive", "name eq 'alpha'", full(), false},
		{"ne string", "name ne 'alpha'", full(), true},
		{"gt is byte-wise: upper before lower", "name gt 'Zeta'", full(), false},
		{"lt is byte-wise", "name lt 'a'", full(), true},
		{"ge equal", "name ge 'Alpha'", full(), true},
		{"le prefix sorts first", "name le 'Alph'", full(), false},
		{"enum eq", "status eq 'active'", full(), true},
		{"enum ne", "status ne 'active'", full(), false},
		{"time eq at 100 ns", "created eq 2024-05-01T08:30:00.1234567Z", full(), true},
		{"time one tick later", "created lt 2024-05-01T08:30:00.1234568Z", full(), true},
		{"time with offset", "created gt 2024-05-01T10:30:00+02:00", full(), true},
		{"int gt", "count gt 4", full(), true},
		{"int le", "count le 4", full(), false},
		{"negative int", "optCount eq -3", full(), true},
		{"bool bare", "flag", full(), true},
		{"bool eq false", "optFlag eq false", full(), true},
		{"not bool", "not flag", full(), false},
		// nulls
		{"eq null on null", "nick eq null", empty(), true},
		{"eq null on a value", "nick eq null", full(), false},
		{"ne null on null", "nick ne null", empty(), false},
		{"ne null on a value", "nick ne null", full(), true},
		{"eq value on null", "nick eq 'al'", empty(), false},
		{"ne value on null", "nick ne 'al'", empty(), true},
		{"gt on null", "ended gt 2000-01-01T00:00:00Z", empty(), false},
		{"le on null", "optCount le 0", empty(), false},
		{"not gt on null", "not (optCount gt 0)", empty(), true},
		{"bare nullable Boolean null", "optFlag", empty(), false},
		{"not bare nullable Boolean null", "not optFlag", empty(), true},
		{"optFlag eq false on null", "optFlag eq false", empty(), false},
		// logic
		{"and both", "flag and count eq 5", full(), true},
		{"and one", "flag and count eq 6", full(), false},
		{"or one", "count eq 6 or flag", full(), true},
		{"or none", "count eq 6 or not flag", full(), false},
		{"precedence", "count eq 6 and flag or name eq 'Alpha'", full(), true},
		{"parentheses", "count eq 6 and (flag or name eq 'Alpha')", full(), false},
		// in
		{"in hit", "name in ('x','Alpha')", full(), true},
		{"in miss", "name in ('x','y')", full(), false},
		{"in null matches null", "nick in ('x',null)", empty(), true},
		{"in without null misses null", "nick in ('x')", empty(), false},
		{"in enum", "status in ('retired')", empty(), true},
		{"in times", "created in (2024-05-01T08:30:00.1234567Z)", full(), true},
		// functions
		{"startswith", "startswith(name,'Al')", full(), true},
		{"startswith case-sensitive", "startswith(name,'al')", full(), false},
		{"endswith", "endswith(name,'ha')", full(), true},
		{"contains", "contains(name,'lph')", full(), true},
		{"contains empty", "contains(name,'')", empty(), true},
		{"contains on null", "contains(nick,'')", empty(), false},
		{"not contains on null", "not contains(nick,'a')", empty(), true},
		// any
		{"any non-empty", "tags/any()", full(), true},
		{"any empty", "tags/any()", empty(), false},
		{"any hit", "tags/any(t:t eq 'blue')", full(), true},
		{"any miss", "tags/any(t:t eq 'green')", full(), false},
		{"any over null", "tags/any(t:t ne 'x')", empty(), false},
		{"any enum", "issues/any(i:i eq 'missingEmail')", full(), true},
		{"any Boolean bare", "checks/any(c:c)", full(), false},
		{"any Boolean not", "checks/any(c:not c)", full(), true},
		{"any int", "sizes/any(s:s gt 5)", full(), true},
		{"any time", "stamps/any(s:s lt 2024-02-01T00:00:00Z)", full(), true},
		{"any with outer property", "tags/any(t:t eq 'red' and count eq 5)", full(), true},
		{"any with outer property false", "tags/any(t:t eq 'red' and count eq 6)", full(), false},
		{"nested any", "tags/any(t:sizes/any(s:s eq 10) and t eq 'red')", full(), true},
		{"nested any shadows", "tags/any(name:name eq 'red')", full(), true},
		{"not any", "not tags/any(t:t eq 'green')", full(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustFilter(t, tt.filter, widgetType)
			if got := odata.Match(e, tt.w); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
	t.Run("nil filter matches", func(t *testing.T) {
		if !odata.Match(nil, empty()) {
			t.Error("Match(nil) = false")
		}
	})
	t.Run("model operation", func(t *testing.T) {
		op := &industrydata.Operation{ID: "o", Status: industrydata.OperationRunning, StatusDetail: strp("x")}
		e := mustFilter(t, "status eq 'running' and statusDetail ne null and resourceLocation eq null", schema.LongRunningOperation)
		if !odata.Match(e, op) {
			t.Error("Match = false")
		}
	})
}

func TestLess(t *testing.T) {
	a := &widget{ID: "a", Name: "b", Nick: strp("x"), Created: utc("2024-01-01T00:00:00Z"), Count: 1}
	b := &widget{ID: "b", Name: "b", Created: utc("2024-01-01T00:00:00.0000001Z"), Count: 2, Flag: true}
	c := &widget{ID: "c", Name: "B", Nick: strp("y"), Created: utc("2023-01-01T00:00:00Z"), Count: 2, OptCount: int64p(0)}
	tests := []struct {
		name    string
		orderby string
		want    []string // ids in order; the sort is stable, so ties keep a, b, c
	}{
		{"no keys", "", []string{"a", "b", "c"}},
		{"string byte-wise", "name", []string{"c", "a", "b"}},
		{"string desc", "name desc", []string{"a", "b", "c"}},
		{"nulls first ascending", "nick", []string{"b", "a", "c"}},
		{"nulls last descending", "nick desc", []string{"c", "a", "b"}},
		{"time at 100 ns", "created", []string{"c", "a", "b"}},
		{"time desc", "created desc", []string{"b", "a", "c"}},
		{"false before true", "flag", []string{"a", "c", "b"}},
		{"int with tie then second key", "count desc,name", []string{"c", "b", "a"}},
		{"nullable int", "optCount desc", []string{"c", "a", "b"}},
		{"second key desc", "name,created desc", []string{"c", "b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []odata.OrderKey
			if tt.orderby != "" {
				keys = mustQuery(t, map[string]string{"orderby": tt.orderby}, widgetType).OrderBy
			}
			ws := widgets(a, b, c)
			slices.SortStableFunc(ws, func(x, y *widget) int { return odata.Less(keys, x, y) })
			var got []string
			for _, w := range ws {
				got = append(got, w.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			for _, x := range ws {
				if odata.Less(keys, x, x) != 0 {
					t.Errorf("Less(%s, %s) != 0", x.ID, x.ID)
				}
			}
		})
	}
}
