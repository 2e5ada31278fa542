package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

var pagingTests = []test{
	{"pages follow insertion order without gaps or repeats", testPaging},
	{"type filter keeps one type", testTypeFilter},
	{"paging sees every entity once during concurrent inserts", testPagingConcurrentInserts},
}

var concurrencyTests = []test{
	{"one of concurrent operation updates with one eTag wins", testOperationETagRace},
	{"one of concurrent process updates with one eTag wins", testProcessETagRace},
	{"failed applies among concurrent updates undo only their own changes", testConcurrentFailedApplies},
}

func testPaging(t *testing.T, s industrydata.Store) {
	var all []industrydata.Operation
	for range 10 {
		all = append(all, createOperation(t, s, tenantA, newOperation(t)))
		createOperation(t, s, tenantB, newOperation(t)) // interleaved, never listed
	}
	if diff := cmp.Diff(all, listOperations(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListOperations with no limit (-want +got):\n%s", diff)
	}
	var got []industrydata.Operation
	var sizes []int
	q := industrydata.ListQuery{Limit: 3}
	for range len(all) + 1 { // bounded, in case a store never ends
		page := listOperations(t, s, tenantA, q)
		sizes = append(sizes, len(page))
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		q.After = afterSeq(page[len(page)-1].Seq)
	}
	if diff := cmp.Diff([]int{3, 3, 3, 1, 0}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("pages put together (-want +got):\n%s", diff)
	}
	from := listOperations(t, s, tenantA, industrydata.ListQuery{After: afterSeq(all[6].Seq)})
	if diff := cmp.Diff(all[7:], from); diff != "" {
		t.Errorf("ListOperations after the 7th (-want +got):\n%s", diff)
	}
}

func testTypeFilter(t *testing.T, s industrydata.Store) {
	var ordinary, other []industrydata.Operation
	for i := range 6 {
		op := newOperation(t)
		if i%3 == 0 {
			op.Type = typeOtherOperation
			other = append(other, createOperation(t, s, tenantA, op))
		} else {
			ordinary = append(ordinary, createOperation(t, s, tenantA, op))
		}
	}
	if diff := cmp.Diff(other, listOperations(t, s, tenantA, industrydata.ListQuery{Type: typeOtherOperation})); diff != "" {
		t.Errorf("ListOperations of %s (-want +got):\n%s", typeOtherOperation, diff)
	}
	page := listOperations(t, s, tenantA, industrydata.ListQuery{Type: typeOperation, Limit: 2, After: afterSeq(ordinary[0].Seq)})
	if diff := cmp.Diff(ordinary[1:3], page); diff != "" {
		t.Errorf("page of %s (-want +got):\n%s", typeOperation, diff)
	}

	sys := createProcess(t, s, tenantA, newSystemProcess(t))
	plain := createProcess(t, s, tenantA, newProcess(t))
	if diff := cmp.Diff([]industrydata.Process{sys}, listProcesses(t, s, tenantA, industrydata.ListQuery{Type: sys.Type})); diff != "" {
		t.Errorf("ListProcesses of %s (-want +got):\n%s", sys.Type, diff)
	}
	if diff := cmp.Diff([]industrydata.Process{plain}, listProcesses(t, s, tenantA, industrydata.ListQuery{Type: plain.Type})); diff != "" {
		t.Errorf("ListProcesses of %s (-want +got):\n%s", plain.Type, diff)
	}
	if got := listProcesses(t, s, tenantA, industrydata.ListQuery{Type: "microsoft.graph.nothing"}); len(got) != 0 {
		t.Errorf("ListProcesses of an unknown type returned %d processes", len(got))
	}
}

// A keyset walk must list every entity that existed throughout exactly once,
// and no entity twice, however inserts interleave with it.
func testPagingConcurrentInserts(t *testing.T, s industrydata.Store) {
	const initial, inserted, pageSize = 40, 40, 3
	existing := make(map[string]bool)
	for range initial {
		existing[createOperation(t, s, tenantA, newOperation(t)).ID] = true
	}

	insertErr := make(chan error, 1)
	go func() {
		for range inserted {
			op := newOperation(t)
			if err := s.CreateOperation(t.Context(), tenantA, who(t.Context()), &op); err != nil {
				insertErr <- err
				return
			}
		}
		insertErr <- nil
	}()

	seen := make(map[string]int)
	var lastSeq int64
	walk := func() {
		for {
			page := listOperations(t, s, tenantA, industrydata.ListQuery{Limit: pageSize, After: afterSeq(lastSeq)})
			if len(page) == 0 {
				return
			}
			for _, op := range page {
				if op.Seq <= lastSeq {
					t.Fatalf("seq %d listed after seq %d", op.Seq, lastSeq)
				}
				lastSeq = op.Seq
				seen[op.ID]++
			}
		}
	}
	walk()
	if err := <-insertErr; err != nil {
		t.Fatalf("concurrent CreateOperation: %v", err)
	}
	walk() // continue the same walk: it must pick up the rest, nothing twice

	for id := range existing {
		if seen[id] != 1 {
			t.Errorf("operation %s that existed throughout was listed %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("operation %s listed %d times", id, n)
		}
	}
	if len(seen) != initial+inserted {
		t.Errorf("walk listed %d operations, want %d", len(seen), initial+inserted)
	}
}

// errStale is the failing apply's error when the eTag it sees is not the one
// its caller read.
var errStale = errors.New("stale eTag")

// etagRace runs n concurrent conditional updates that all read the same
// eTag first, as n clients PATCHing with one If-Match would, and checks that
// exactly one wins. update applies with a check of the current eTag.
func etagRace(t *testing.T, n int, etag0 string, update func(check func(current string) error) (string, error)) {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
		tags  = make([]string, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			tags[i], errs[i] = update(func(current string) error {
				if current != etag0 {
					return errStale
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			checkNewETag(t, tags[i], etag0)
		case !errors.Is(err, errStale):
			t.Errorf("update %d: %v, want nil or the stale error", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d updates with one eTag won, want exactly 1", winners, n)
	}
}

func testOperationETagRace(t *testing.T, s industrydata.Store) {
	op := createOperation(t, s, tenantA, newOperation(t))
	etag0 := getOperation(t, s, tenantA, op.ID).ETag
	var mu sync.Mutex
	var winner string
	etagRace(t, 32, etag0, func(check func(string) error) (string, error) {
		got, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), op.ID, func(o *industrydata.Operation) error {
			if err := check(o.ETag); err != nil {
				return err
			}
			o.StatusDetail = ptr("won")
			return nil
		})
		if err == nil {
			mu.Lock()
			winner = got.ETag
			mu.Unlock()
		}
		return got.ETag, err
	})
	if got := getOperation(t, s, tenantA, op.ID).ETag; got != winner {
		t.Errorf("stored eTag %q, want the winner's %q", got, winner)
	}
}

func testProcessETagRace(t *testing.T, s industrydata.Store) {
	p := createProcess(t, s, tenantA, newProcess(t))
	etag0 := getProcess(t, s, tenantA, p.ID).ETag
	etagRace(t, 32, etag0, func(check func(string) error) (string, error) {
		got, err := s.UpdateProcess(t.Context(), tenantA, who(t.Context()), p.ID, func(q *industrydata.Process) error {
			if err := check(q.ETag); err != nil {
				return err
			}
			q.ReadinessStatus = industrydata.ReadinessReady
			return nil
		})
		return got.ETag, err
	})
}

// Concurrent updates of distinct operations where every odd one's apply
// changes its operation and then fails: the evens must all be stored and the
// odds all unchanged. A store that commits concurrent writes together must
// undo a failed one without undoing its neighbours.
func testConcurrentFailedApplies(t *testing.T, s industrydata.Store) {
	const n = 64
	before := make([]industrydata.Operation, n)
	for i := range before {
		before[i] = createOperation(t, s, tenantA, newOperation(t))
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	after := make([]industrydata.Operation, n)
	for i := range n {
		wg.Go(func() {
			<-start
			after[i], errs[i] = s.UpdateOperation(t.Context(), tenantA, who(t.Context()), before[i].ID, func(o *industrydata.Operation) error {
				o.Status = industrydata.OperationSucceeded
				o.StatusDetail = ptr(fmt.Sprintf("update %d", i))
				if i%2 == 1 {
					return errRejected
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		got := getOperation(t, s, tenantA, before[i].ID)
		if i%2 == 1 {
			wantRejected(t, fmt.Sprintf("odd update %d", i), errs[i])
			if diff := cmp.Diff(before[i], got); diff != "" {
				t.Errorf("operation %d changed by its failed apply (-want +got):\n%s", i, diff)
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("even update %d: %v", i, errs[i])
			continue
		}
		want := before[i]
		want.Status, want.StatusDetail, want.ETag = industrydata.OperationSucceeded, ptr(fmt.Sprintf("update %d", i)), after[i].ETag
		checkNewETag(t, got.ETag, before[i].ETag)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("operation %d after its update (-want +got):\n%s", i, diff)
		}
	}
}

func testProvisionConcurrent(t *testing.T, s industrydata.Store) {
	const n = 16
	var wg sync.WaitGroup
	start := make(chan struct{})
	oks := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			// Each caller brings its own template, as separate requests would.
			oks[i], errs[i] = s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), []industrydata.Process{newSystemProcess(t)})
		})
	}
	close(start)
	wg.Wait()
	provisioned := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("ProvisionTenant %d: %v", i, errs[i])
		}
		if oks[i] {
			provisioned++
		}
	}
	if provisioned != 1 {
		t.Errorf("%d of %d concurrent ProvisionTenant calls provisioned, want 1", provisioned, n)
	}
	if list := listProcesses(t, s, tenantA, industrydata.ListQuery{}); len(list) != 1 {
		t.Errorf("tenant has %d processes, want 1", len(list))
	}
}
