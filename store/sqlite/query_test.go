package sqlite

import (
	"errors"
	"sync"
	"testing"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// statusIs is the tree of `status eq 'v'`.
func statusIs(v string) odata.Expr {
	return &odata.Binary{Op: odata.OpEq,
		Left:  &odata.Property{Prop: schema.LongRunningOperation.Property("status")},
		Right: &odata.Literal{Kind: schema.Enum, Value: v}}
}

var newestFirst = []industrydata.OrderKey{{Property: "createdDateTime", Desc: true}}

// Unknown properties are refused with a badRequest naming them, before any
// SQL runs.
func TestQueryRefusesUnknownProperties(t *testing.T) {
	s := openMemory(t)
	eTag := &odata.Binary{Op: odata.OpEq, Left: &odata.Property{Prop: schema.Process.Property("eTag")},
		Right: &odata.Literal{Kind: schema.String, Value: "x"}}
	_, err := s.ListProcesses(t.Context(), tenant, industrydata.ListQuery{Filter: eTag})
	var e *industrydata.Error
	if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Target != "eTag" {
		t.Errorf("ListProcesses filtered on eTag: %v, want a badRequest naming eTag", err)
	}
	_, err = s.CountProcesses(t.Context(), tenant, industrydata.ListQuery{Filter: eTag})
	if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest {
		t.Errorf("CountProcesses filtered on eTag: %v, want a badRequest", err)
	}
	_, err = s.ListOperations(t.Context(), tenant, industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "eTag"}}})
	if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Target != "eTag" {
		t.Errorf("ListOperations ordered by eTag: %v, want a badRequest naming eTag", err)
	}
}

// The statement cache stays within its bound, and statements evicted while
// other goroutines use them keep working for those goroutines.
func TestStmtCacheEvictsUnderLoad(t *testing.T) {
	s := openMemory(t)
	mustCreate(t, s, "op-1")
	s.dyn = newStmtCache(s.reader, 2)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				// Four statement texts: with and without a filter, and
				// with and without an offset.
				q := industrydata.ListQuery{Type: "microsoft.graph.longRunningOperation", Limit: 1 + (g+i)%3, Offset: (g * i) % 2}
				if (g+i)%5 == 0 {
					q.Filter = statusIs("notStarted")
				}
				ops, err := s.ListOperations(t.Context(), tenant, q)
				if err != nil {
					t.Errorf("ListOperations: %v", err)
					return
				}
				if want := 1 - q.Offset; len(ops) != want {
					t.Errorf("ListOperations(%+v) = %d operations, want %d", q, len(ops), want)
				}
			}
		})
	}
	wg.Wait()
	if n := s.dyn.len(); n > 2 {
		t.Errorf("cache holds %d statements, want at most 2", n)
	}
}
