package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/store/storetest"
)

const tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

// open opens a store with cfg and closes it when the test ends.
func open(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func openFile(t testing.TB) *Store {
	return open(t, Config{Path: filepath.Join(t.TempDir(), "industrydata.db")})
}

func openMemory(t testing.TB) *Store {
	return open(t, Config{Memory: true})
}

func TestConformance(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) industrydata.Store { return openFile(t) })
	})
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) industrydata.Store { return openMemory(t) })
	})
}

func newOperation(id string) industrydata.Operation {
	return industrydata.Operation{
		ID:              id,
		Type:            "microsoft.graph.longRunningOperation",
		CreatedDateTime: time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC),
		Status:          industrydata.OperationNotStarted,
	}
}

func mustCreate(t testing.TB, s *Store, id string) industrydata.Operation {
	t.Helper()
	op := newOperation(id)
	if err := s.CreateOperation(t.Context(), tenant, &op); err != nil {
		t.Fatalf("CreateOperation(%s): %v", id, err)
	}
	return op
}

func TestReopenFindsCommittedData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "industrydata.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s := open(t, Config{Path: path})
	op := mustCreate(t, s, "op-1")
	sys := industrydata.Process{ID: "p-1", Type: industrydata.TypeUserReportRefreshProcess,
		DisplayName: industrydata.DefaultUserReportRefreshProcessName, ReadinessStatus: industrydata.ReadinessNotReady,
		CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if ok, err := s.ProvisionTenant(t.Context(), tenant, []industrydata.Process{sys}); err != nil || !ok {
		t.Fatalf("ProvisionTenant = %v, %v", ok, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, Config{Path: path})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after reopen: %v", err)
	}
	got, err := s.GetOperation(t.Context(), tenant, op.ID)
	if err != nil {
		t.Fatalf("GetOperation after reopen: %v", err)
	}
	if diff := cmp.Diff(op, got); diff != "" {
		t.Errorf("operation after reopen (-want +got):\n%s", diff)
	}
	if ok, err := s.ProvisionTenant(t.Context(), tenant, []industrydata.Process{sys}); err != nil || ok {
		t.Errorf("ProvisionTenant after reopen = %v, %v; want false, nil", ok, err)
	}
	// Seqs keep growing across restarts, so skiptokens stay valid.
	if next := mustCreate(t, s, "op-2"); next.Seq <= op.Seq {
		t.Errorf("seq after reopen = %d, want > %d", next.Seq, op.Seq)
	}
}

func TestFilePathWithURISyntax(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "db?.sqlite")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s := open(t, Config{Path: path})
	mustCreate(t, s, "op-1")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the configured path: %v", err)
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no path", Config{}},
		{"negative batch", Config{Memory: true, MaxBatch: -1}},
		{"negative readers", Config{Memory: true, ReadConns: -1}},
		{"path in a missing directory", Config{Path: filepath.Join(t.TempDir(), "missing", "x.db")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := Open(t.Context(), tc.cfg); err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

func TestFileStoreIsDurable(t *testing.T) {
	s := openFile(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
		var got string
		err := s.write(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got)
		})
		if err != nil || got != want {
			t.Errorf("writer PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	var readOnly string
	if err := s.reader.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&readOnly); err != nil || readOnly != "1" {
		t.Errorf("reader PRAGMA query_only = %q, %v; want 1", readOnly, err)
	}
}

func TestListUsesTenantSeqIndex(t *testing.T) {
	s := openMemory(t)
	for query, index := range map[string]string{qListOperations: "operations_tenant_seq", qListProcesses: "processes_tenant_seq"} {
		rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, "t", 0, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), index) || strings.Contains(plan.String(), "TEMP B-TREE") {
			t.Errorf("plan does not walk %s in order:\n%s", index, plan.String())
		}
	}
}

// blockWriter occupies the writer goroutine until the returned func is
// called, so that the jobs queued meanwhile form the next batch.
func blockWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, unblock := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.write(context.WithoutCancel(t.Context()), func(context.Context, *sql.Tx) error {
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
			_, errs[i] = s.UpdateOperation(t.Context(), tenant, before[i].ID, func(o *industrydata.Operation) error {
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
	if got := s.batches.Load() - commits; got != 1 {
		t.Errorf("%d updates took %d commits, want 1", n, got)
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
// untrustworthy: every job of the batch fails and none is stored, and the
// writer recovers for the next batch.
func TestBrokenTransactionFailsWholeBatch(t *testing.T) {
	s := openMemory(t)
	op := mustCreate(t, s, "op-1")
	release := blockWriter(t, s)
	var wg sync.WaitGroup
	var updateErr, rogueErr error
	wg.Go(func() {
		_, updateErr = s.UpdateOperation(t.Context(), tenant, op.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationFailed
			return nil
		})
	})
	waitQueued(t, s, 1)
	wg.Go(func() {
		rogueErr = s.write(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "ROLLBACK")
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
	if _, err := s.UpdateOperation(t.Context(), tenant, op.ID, func(*industrydata.Operation) error { return nil }); err != nil {
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
		_, panicErr = s.UpdateOperation(t.Context(), tenant, a.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationFailed
			var m map[string]int
			m["boom"]++ // nil map write
			return nil
		})
	})
	wg.Go(func() {
		_, okErr = s.UpdateOperation(t.Context(), tenant, b.ID, func(o *industrydata.Operation) error {
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
		_, err := s.UpdateOperation(ctx, tenant, op.ID, func(o *industrydata.Operation) error {
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
			errs[i] = s.CreateOperation(t.Context(), tenant, &op)
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
	if err := s.CreateOperation(t.Context(), tenant, &op); !errors.Is(err, ErrClosed) {
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

// BenchmarkUpdateOperationParallel measures PATCH-like writes from 64
// concurrent clients, each updating its own operation. The file store
// fsyncs every commit; the memory store is the baseline. writes/commit shows
// how many writes group commit folds into one fsync.
func BenchmarkUpdateOperationParallel(b *testing.B) {
	for _, mode := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"file", openFile}, {"memory", openMemory}} {
		b.Run(mode.name, func(b *testing.B) {
			const clients = 64
			s := mode.open(b)
			ids := make([]string, clients)
			for i := range ids {
				ids[i] = mustCreate(b, s, fmt.Sprintf("op-%d", i)).ID
			}
			var next atomic.Int64
			commits, writes := s.batches.Load(), s.writes.Load()
			b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				id := ids[int(next.Add(1)-1)%clients]
				n := 0
				for pb.Next() {
					n++
					_, err := s.UpdateOperation(context.Background(), tenant, id, func(o *industrydata.Operation) error {
						o.Status = industrydata.OperationRunning
						o.StatusDetail = &id
						return nil
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if c := s.batches.Load() - commits; c > 0 {
				b.ReportMetric(float64(s.writes.Load()-writes)/float64(c), "writes/commit")
			}
		})
	}
}
