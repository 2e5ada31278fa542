package sqlite

import (
	"context"
	"errors"
	"fmt"
	"industrydata/store/internal/sqlcore"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// blockWriter occupies the writer goroutine until the returned func is
// called, so that the jobs queued meanwhile form the next batch.
func blockWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, unblock := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.write(context.WithoutCancel(t.Context()), func(sqlcore.Tx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	var once sync.Once
	release = func() { once.Do(func() { close(unblock) }) }
	t.Cleanup(release)
	return release
}

// waitQueued polls until n jobs wait in the queue.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.jobs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs queued after 10s, want %d", len(s.jobs), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// With every update in one batch (checked by the commit counter), the odd
// updates' failures must roll back only their own savepoints.
func TestOneBatchUndoesOnlyFailedJobs(t *testing.T) {
	s := openFile(t)
	const n = 16
	before := make([]industrydata.Operation, n)
	for i := range before {
		before[i] = mustCreate(t, s, fmt.Sprintf("op-%d", i))
	}
	release := blockWriter(t, s)
	commits := s.batches.Load()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, before[i].ID, func(o *industrydata.Operation) error {
				o.Status = industrydata.OperationSucceeded
				if i%2 == 1 {
					return fmt.Errorf("odd %d", i)
				}
				return nil
			})
		})
	}
	waitQueued(t, s, n)
	release()
	wg.Wait()
	// Jobs queued while a batch runs join it: all of them land in the
	// blocker's transaction, and no other commit is made.
	if got := s.batches.Load() - commits; got != 0 {
		t.Errorf("%d updates queued during a batch took %d more commits, want 0", n, got)
	}
	for i := range n {
		got, err := s.GetOperation(t.Context(), tenant, before[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if errs[i] == nil || errs[i].Error() != fmt.Sprintf("odd %d", i) {
				t.Errorf("odd update %d: error %v, want apply's", i, errs[i])
			}
			if diff := cmp.Diff(before[i], got); diff != "" {
				t.Errorf("odd operation %d changed (-want +got):\n%s", i, diff)
			}
		} else if errs[i] != nil || got.Status != industrydata.OperationSucceeded || got.ETag == before[i].ETag {
			t.Errorf("even update %d: error %v, stored %+v", i, errs[i], got)
		}
	}
}

// A job that breaks the transaction (here by ending it) makes the batch
// untrustworthy: every job of the batch fails and none is stored (nor its
// audit records), and the writer recovers for the next batch.
func TestBrokenTransactionFailsWholeBatch(t *testing.T) {
	s := openMemory(t)
	op := mustCreate(t, s, "op-1")
	release := blockWriter(t, s)
	var wg sync.WaitGroup
	var updateErr, rogueErr error
	wg.Go(func() {
		_, updateErr = s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, op.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationFailed
			return nil
		})
	})
	waitQueued(t, s, 1)
	wg.Go(func() {
		rogueErr = s.write(t.Context(), func(tx sqlcore.Tx) error {
			_, err := tx.Exec("ROLLBACK")
			return err
		})
	})
	waitQueued(t, s, 2)
	release()
	wg.Wait()
	if updateErr == nil || rogueErr == nil {
		t.Errorf("update error %v, rogue job error %v; want both to fail", updateErr, rogueErr)
	}
	got, err := s.GetOperation(t.Context(), tenant, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op, got); diff != "" {
		t.Errorf("operation changed by an aborted batch (-want +got):\n%s", diff)
	}
	// The update's audit record was in the batch's transaction: gone too.
	recs, err := s.ListAudit(t.Context(), industrydata.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != industrydata.AuditCreate {
		t.Errorf("audit records %+v, want the create alone", recs)
	}
	if _, err := s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, op.ID, func(*industrydata.Operation) error { return nil }); err != nil {
		t.Errorf("update after the aborted batch: %v", err)
	}
}

func TestPanickingApplyFailsOnlyItsCaller(t *testing.T) {
	s := openMemory(t)
	a, b := mustCreate(t, s, "op-a"), mustCreate(t, s, "op-b")
	release := blockWriter(t, s)
	var wg sync.WaitGroup
	var panicErr, okErr error
	wg.Go(func() {
		_, panicErr = s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, a.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationFailed
			var m map[string]int
			m["boom"]++ // nil map write
			return nil
		})
	})
	wg.Go(func() {
		_, okErr = s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, b.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationSucceeded
			return nil
		})
	})
	waitQueued(t, s, 2)
	release()
	wg.Wait()
	if panicErr == nil || !strings.Contains(panicErr.Error(), "panicked") {
		t.Errorf("panicking update: error %v, want a panic error", panicErr)
	}
	if okErr != nil {
		t.Errorf("neighbouring update: %v", okErr)
	}
	if got, _ := s.GetOperation(t.Context(), tenant, a.ID); got.Status != a.Status {
		t.Errorf("panicking update stored status %q", got.Status)
	}
	if got, _ := s.GetOperation(t.Context(), tenant, b.ID); got.Status != industrydata.OperationSucceeded {
		t.Errorf("neighbouring update stored status %q, want succeeded", got.Status)
	}
}

// Once a write is queued its caller learns the outcome even if its context
// ends: the write may commit, and must not be reported as failed.
func TestQueuedWriteOutlivesItsContext(t *testing.T) {
	s := openMemory(t)
	op := mustCreate(t, s, "op-1")
	release := blockWriter(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := s.UpdateOperation(ctx, tenant, industrydata.Actor{}, op.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationSucceeded
			return nil
		})
		done <- err
	}()
	waitQueued(t, s, 1)
	cancel()
	release()
	if err := <-done; err != nil {
		t.Fatalf("UpdateOperation whose context ended after queueing: %v", err)
	}
	if got, _ := s.GetOperation(t.Context(), tenant, op.ID); got.Status != industrydata.OperationSucceeded {
		t.Errorf("status %q, want succeeded", got.Status)
	}
}

// Close answers every queued write before closing the database, and refuses
// later ones.
func TestCloseDrainsQueuedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "industrydata.db")
	s := open(t, Config{Path: path})
	const n = 8
	release := blockWriter(t, s)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			op := newOperation(fmt.Sprintf("op-%d", i))
			errs[i] = s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op)
		})
	}
	waitQueued(t, s, n)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Close must wait for the writer; let it reach that point, then unblock.
	deadline := time.Now().Add(10 * time.Second)
	for !s.isClosed() {
		if time.Now().After(deadline) {
			t.Fatal("Close did not start")
		}
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued create %d: %v", i, err)
		}
	}
	op := newOperation("late")
	if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); !errors.Is(err, ErrClosed) {
		t.Errorf("create after Close: %v, want ErrClosed", err)
	}

	s = open(t, Config{Path: path})
	list, err := s.ListOperations(t.Context(), tenant, industrydata.ListQuery{})
	if err != nil || len(list) != n {
		t.Errorf("after reopen: %d operations, %v; want %d", len(list), err, n)
	}
}

// isClosed reports whether Close has begun.
func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}
