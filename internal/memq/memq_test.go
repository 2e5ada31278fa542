package memq

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

func entries(n int) []industrydata.UserReportEntry {
	roles := []string{"student", "teacher", "aide", ""}
	out := make([]industrydata.UserReportEntry, n)
	for i := range out {
		out[i] = industrydata.UserReportEntry{Seq: int64(i + 1), SourcedID: fmt.Sprintf("u-%03d", (i*37)%n),
			Username: fmt.Sprintf("name-%d", i%11), Role: roles[i%len(roles)], IsActive: i%3 != 0}
	}
	return out
}

func seq(e *industrydata.UserReportEntry) int64 { return e.Seq }

// oracle is the page q selects of all: sort everything, then cut.
func oracle(t *testing.T, all []industrydata.UserReportEntry, q industrydata.ListQuery) []industrydata.UserReportEntry {
	t.Helper()
	var keys []odata.OrderKey
	for _, k := range q.OrderBy {
		keys = append(keys, odata.OrderKey{Prop: schema.UserReportEntry.Property(k.Property), Desc: k.Desc})
	}
	var out []industrydata.UserReportEntry
	for i := range all {
		e := &all[i]
		if (q.Filter == nil || odata.Match(q.Filter.(odata.Expr), e)) &&
			(q.After == nil || odata.CompareCursor(keys, e, e.Seq, *q.After) > 0) {
			out = append(out, *e)
		}
	}
	slices.SortStableFunc(out, func(a, b industrydata.UserReportEntry) int {
		if n := odata.Less(keys, &a, &b); n != 0 {
			return n
		}
		n := cmp.Compare(a.Seq, b.Seq)
		if len(keys) > 0 && keys[0].Desc {
			n = -n
		}
		return n
	})
	out = out[min(q.Offset, len(out)):]
	if q.Limit > 0 {
		out = out[:min(q.Limit, len(out))]
	}
	return out
}

func run(t *testing.T, all []industrydata.UserReportEntry, q industrydata.ListQuery) []industrydata.UserReportEntry {
	t.Helper()
	p, err := Compile(schema.UserReportEntry, q, seq)
	if err != nil {
		t.Fatal(err)
	}
	retained := 0
	p.Retain = func(*industrydata.UserReportEntry) { retained++ }
	pg := p.NewPage()
	for i := range all {
		e := all[i] // a scratch copy, as a store's decoder hands out
		if pg.Add(&e) {
			break
		}
	}
	if !p.Sorted() && retained > 0 {
		t.Errorf("an unsorted page retained %d entries", retained)
	}
	return pg.Items()
}

func seqs(es []industrydata.UserReportEntry) []int64 {
	out := make([]int64, len(es))
	for i := range es {
		out[i] = es[i].Seq
	}
	return out
}

// Every page, sorted or not, is the oracle's: the bounded heap keeps the
// right entries whatever their arrival order.
func TestPagesMatchOracle(t *testing.T) {
	all := entries(100)
	active, err := odata.ParseFilter("isActive and role ne 'aide'", schema.UserReportEntry)
	if err != nil {
		t.Fatal(err)
	}
	orders := [][]industrydata.OrderKey{
		nil,
		{{Property: "username"}},
		{{Property: "role", Desc: true}, {Property: "sourcedId"}},
		{{Property: "isActive", Desc: true}},
	}
	for _, order := range orders {
		for _, filter := range []industrydata.Filter{nil, active} {
			for _, limit := range []int{0, 1, 7, 1000} {
				for _, offset := range []int{0, 3, 99} {
					q := industrydata.ListQuery{OrderBy: order, Filter: filter, Limit: limit, Offset: offset}
					name := fmt.Sprintf("order %v filter %v limit %d offset %d", order, filter != nil, limit, offset)
					if got, want := seqs(run(t, all, q)), seqs(oracle(t, all, q)); !slices.Equal(got, want) {
						t.Errorf("%s:\n got %v\nwant %v", name, got, want)
					}
				}
			}
			// Walk the whole list a page at a time by cursor.
			var walked []int64
			q := industrydata.ListQuery{OrderBy: order, Filter: filter, Limit: 9}
			for {
				page := run(t, all, q)
				walked = append(walked, seqs(page)...)
				if len(page) < q.Limit {
					break
				}
				last := &page[len(page)-1]
				var keys []odata.OrderKey
				for _, k := range order {
					keys = append(keys, odata.OrderKey{Prop: schema.UserReportEntry.Property(k.Property), Desc: k.Desc})
				}
				c := odata.CursorFor(keys, last, last.Seq)
				q.After = &c
			}
			want := seqs(oracle(t, all, industrydata.ListQuery{OrderBy: order, Filter: filter}))
			if !slices.Equal(walked, want) {
				t.Errorf("order %v filter %v: walk by cursor\n got %v\nwant %v", order, filter != nil, walked, want)
			}
		}
	}
}

func TestCount(t *testing.T) {
	all := entries(50)
	f, _ := odata.ParseFilter("not isActive", schema.UserReportEntry)
	p, err := Compile(schema.UserReportEntry, industrydata.ListQuery{Filter: f}, seq)
	if err != nil {
		t.Fatal(err)
	}
	c := p.NewCount()
	for i := range all {
		c.Add(&all[i])
	}
	if want := int64(len(oracle(t, all, industrydata.ListQuery{Filter: f}))); c.N() != want {
		t.Errorf("count %d, want %d", c.N(), want)
	}
}

// What no plan can run is a badRequest naming the property or option.
func TestCompileRefuses(t *testing.T) {
	opFilter, err := odata.ParseFilter("status eq 'running'", schema.LongRunningOperation)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		q      industrydata.ListQuery
		target string
	}{
		{"unknown sort key", industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "eTag"}}}, "eTag"},
		{"collection sort key", industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "issues"}}}, "issues"},
		{"filter of another type", industrydata.ListQuery{Filter: opFilter}, "status"},
		{"cursor of another query", industrydata.ListQuery{After: &industrydata.Cursor{Values: []any{"x"}, Seq: 3}}, "$skiptoken"},
		{"cursor of the wrong type", industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "isActive"}},
			After: &industrydata.Cursor{Values: []any{"yes"}, Seq: 3}}, "isActive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(schema.UserReportEntry, c.q, seq)
			var e *industrydata.Error
			if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Target != c.target || !strings.Contains(e.Message, c.target) {
				t.Errorf("Compile = %v, want a badRequest naming %s", err, c.target)
			}
		})
	}
	for _, q := range []industrydata.ListQuery{{Limit: -1}, {Offset: -1}, {Type: "x"}, {ProcessID: "p"}} {
		if _, err := Compile(schema.UserReportEntry, q, seq); err == nil {
			t.Errorf("Compile(%+v) accepted", q)
		}
	}
}
