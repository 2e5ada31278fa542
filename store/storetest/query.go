package storetest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// queryTests check $filter, $orderby, keyset paging, $skip and $count
// (SPEC §5) against the reference evaluator, odata.Match and odata.Less, on
// a fixed data set.
var queryTests = []test{
	{"operation queries match the reference evaluator", testOperationQueries},
	{"process queries match the reference evaluator", testProcessQueries},
	{"unknown properties are a badRequest naming them", testQueryUnknownProperty},
	{"newest-first paging sees every entity once during concurrent inserts", testPagingNewestFirstConcurrentInserts},
}

// collection adapts one entity type to the generic checks.
type collection[T any] struct {
	typ *schema.EntityType
	// key is the property that ids lists; "" is id.
	key      string
	seq      func(*T) int64
	typeName func(*T) string
	list     func(context.Context, industrydata.Store, industrydata.TenantID, industrydata.ListQuery) ([]T, error)
	count    func(context.Context, industrydata.Store, industrydata.TenantID, industrydata.ListQuery) (int64, error)
}

var operationCollection = collection[industrydata.Operation]{
	typ:      schema.LongRunningOperation,
	seq:      func(o *industrydata.Operation) int64 { return o.Seq },
	typeName: func(o *industrydata.Operation) string { return o.Type },
	list: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Operation, error) {
		return s.ListOperations(ctx, tenant, q)
	},
	count: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
		return s.CountOperations(ctx, tenant, q)
	},
}

var processCollection = collection[industrydata.Process]{
	typ:      schema.Process,
	seq:      func(p *industrydata.Process) int64 { return p.Seq },
	typeName: func(p *industrydata.Process) string { return p.Type },
	list: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Process, error) {
		return s.ListProcesses(ctx, tenant, q)
	},
	count: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
		return s.CountProcesses(ctx, tenant, q)
	},
}

// value reads property prop of entity e (a *T).
func (c collection[T]) value(e any, prop string) any {
	return c.typ.Property(prop).Get(e)
}

// order orders entities a and b as keys and then seq do (see
// industrydata.ListQuery).
func (c collection[T]) order(keys []industrydata.OrderKey, a, b *T) int {
	okeys := make([]odata.OrderKey, len(keys))
	for i, k := range keys {
		okeys[i] = odata.OrderKey{Prop: c.typ.Property(k.Property), Desc: k.Desc}
	}
	if n := odata.Less(okeys, a, b); n != 0 {
		return n
	}
	n := cmp.Compare(c.seq(a), c.seq(b))
	if len(keys) > 0 && keys[0].Desc {
		n = -n
	}
	return n
}

// ids lists the entities' ids (keys), which say more in a diff than whole
// structs.
func (c collection[T]) ids(es []T) []string {
	key := c.key
	if key == "" {
		key = "id"
	}
	out := make([]string, len(es))
	for i := range es {
		out[i] = c.value(&es[i], key).(string)
	}
	return out
}

// cursor is the keyset position of e in the order of keys.
func (c collection[T]) cursor(keys []industrydata.OrderKey, e *T) *industrydata.Cursor {
	cur := &industrydata.Cursor{Seq: c.seq(e)}
	for _, k := range keys {
		cur.Values = append(cur.Values, c.value(e, k.Property))
	}
	return cur
}

// queryCase is one $filter/$orderby, run on both tenants of the data set.
type queryCase struct {
	name    string
	filter  odata.Expr
	orderBy []industrydata.OrderKey
	typ     string // ListQuery.Type
}

// expected is what q must list of all: the reference evaluator's answer.
func (c collection[T]) expected(all []T, qc queryCase) []T {
	var out []T
	for i := range all {
		if (qc.typ == "" || c.typeName(&all[i]) == qc.typ) && odata.Match(qc.filter, &all[i]) {
			out = append(out, all[i])
		}
	}
	slices.SortFunc(out, func(a, b T) int { return c.order(qc.orderBy, &a, &b) })
	return out
}

// check runs qc on s for tenant, whose entities are all, every way a client
// can: in one list, page by page (7 a page) following the keyset cursor of
// each page's last entity, with an offset, with an offset after a cursor,
// and counted.
func (c collection[T]) check(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, all []T, qc queryCase) {
	t.Helper()
	ctx := t.Context()
	want := c.expected(all, qc)
	base := industrydata.ListQuery{Filter: qc.filter, OrderBy: qc.orderBy, Type: qc.typ}

	got, err := c.list(ctx, s, tenant, base)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("one list of every match (-want +got):\n%s", diff)
	}

	const pageSize = 7
	var walked []T
	q := base
	q.Limit = pageSize
	for range len(want)/pageSize + 2 { // bounded, in case a store never ends
		page, err := c.list(ctx, s, tenant, q)
		if err != nil {
			t.Fatalf("page after %+v: %v", q.After, err)
		}
		walked = append(walked, page...)
		if len(page) < pageSize {
			break
		}
		q.After = c.cursor(qc.orderBy, &page[len(page)-1])
	}
	if diff := gocmp.Diff(c.ids(want), c.ids(walked)); diff != "" {
		t.Errorf("keyset pages of %d put together (-want +got):\n%s", pageSize, diff)
	}

	n, err := c.count(ctx, s, tenant, industrydata.ListQuery{Filter: base.Filter, Type: qc.typ, OrderBy: qc.orderBy, Limit: 1, Offset: 2})
	if err != nil || n != int64(len(want)) {
		t.Errorf("count = %d, %v; want %d (paging options ignored)", n, err, len(want))
	}

	q = base
	q.Offset, q.Limit = 3, pageSize
	got, err = c.list(ctx, s, tenant, q)
	if err != nil {
		t.Fatalf("list with offset: %v", err)
	}
	if diff := gocmp.Diff(c.ids(window(want, 3, pageSize)), c.ids(got)); diff != "" {
		t.Errorf("offset 3, limit %d (-want +got):\n%s", pageSize, diff)
	}
	if len(want) > pageSize {
		q.After, q.Offset, q.Limit = c.cursor(qc.orderBy, &want[pageSize-1]), 2, 4
		got, err = c.list(ctx, s, tenant, q)
		if err != nil {
			t.Fatalf("list with cursor and offset: %v", err)
		}
		if diff := gocmp.Diff(c.ids(window(want, pageSize+2, 4)), c.ids(got)); diff != "" {
			t.Errorf("offset 2, limit 4 after the first page (-want +got):\n%s", diff)
		}
	}
}

// window is s[from:from+n], cut to s's bounds.
func window[T any](s []T, from, n int) []T {
	from = min(from, len(s))
	return s[from:min(from+n, len(s))]
}

// runCases runs every case on both tenants' entities.
func runCases[T any](t *testing.T, s industrydata.Store, c collection[T], data map[industrydata.TenantID][]T, cases []queryCase) {
	if len(cases) < 10 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, qc := range cases {
		t.Run(qc.name, func(t *testing.T) {
			for _, tenant := range []industrydata.TenantID{tenantA, tenantB} {
				c.check(t, s, tenant, data[tenant], qc)
			}
		})
	}
}

func testOperationQueries(t *testing.T, s industrydata.Store) {
	data := seedOperations(t, s)
	runCases(t, s, operationCollection, data, operationCases(data[tenantA]))
}

func testProcessQueries(t *testing.T, s industrydata.Store) {
	data := seedProcesses(t, s)
	runCases(t, s, processCollection, data, processCases())
}

func testQueryUnknownProperty(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	eTag := bin(odata.OpEq, &odata.Property{Prop: schema.Process.Property("eTag")}, str("x"))
	byETag := []industrydata.OrderKey{{Property: "eTag"}}
	calls := map[string]func() error{
		"filter processes on eTag": func() error {
			_, err := s.ListProcesses(ctx, tenantA, industrydata.ListQuery{Filter: eTag})
			return err
		},
		"count processes filtered on eTag": func() error {
			_, err := s.CountProcesses(ctx, tenantA, industrydata.ListQuery{Filter: eTag})
			return err
		},
		"order processes by eTag": func() error {
			_, err := s.ListProcesses(ctx, tenantA, industrydata.ListQuery{OrderBy: byETag})
			return err
		},
		"order operations by a property they lack": func() error {
			_, err := s.ListOperations(ctx, tenantA, industrydata.ListQuery{OrderBy: byETag})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if industrydata.ErrorCode(err) != industrydata.CodeBadRequest || !strings.Contains(err.Error(), "eTag") {
			t.Errorf("%s: %v, want a badRequest naming eTag", name, err)
		}
	}
}

// A keyset walk newest first must list every operation that existed
// throughout exactly once, and none twice, however inserts (some with the
// very timestamps of listed ones) interleave with it.
func testPagingNewestFirstConcurrentInserts(t *testing.T, s industrydata.Store) {
	const initial, inserted, pageSize = 40, 40, 3
	base := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	newOp := func(i int) industrydata.Operation {
		op := newOperation(t)
		op.CreatedDateTime = base.Add(time.Duration(i%13) * time.Minute)
		return op
	}
	existing := make(map[string]bool)
	for i := range initial {
		existing[createOperation(t, s, tenantA, newOp(i)).ID] = true
	}
	insertErr := make(chan error, 1)
	go func() {
		for i := range inserted {
			op := newOp(i * 7)
			if err := s.CreateOperation(t.Context(), tenantA, who(t.Context()), &op); err != nil {
				insertErr <- err
				return
			}
		}
		insertErr <- nil
	}()

	keys := []industrydata.OrderKey{{Property: "createdDateTime", Desc: true}}
	seen := make(map[string]int)
	q := industrydata.ListQuery{OrderBy: keys, Limit: pageSize}
	var last *industrydata.Operation
	walk := func() {
		for {
			page := listOperations(t, s, tenantA, q)
			for i := range page {
				if last != nil && operationCollection.order(keys, last, &page[i]) >= 0 {
					t.Fatalf("%s (seq %d) listed after %s (seq %d)", page[i].CreatedDateTime, page[i].Seq, last.CreatedDateTime, last.Seq)
				}
				last = &page[i]
				seen[page[i].ID]++
			}
			if last != nil {
				q.After = operationCollection.cursor(keys, last)
			}
			if len(page) < pageSize {
				return
			}
		}
	}
	walk()
	if err := <-insertErr; err != nil {
		t.Fatalf("concurrent CreateOperation: %v", err)
	}
	walk() // the same walk goes on: nothing twice
	for id := range existing {
		if seen[id] != 1 {
			t.Errorf("operation %s that existed throughout was listed %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("operation %s listed %d times", id, n)
		}
	}
}
