package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/store/internal/sqlcore"
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
	if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); err != nil {
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
	if ok, err := s.ProvisionTenant(t.Context(), tenant, industrydata.Actor{}, []industrydata.Process{sys}); err != nil || !ok {
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
	if ok, err := s.ProvisionTenant(t.Context(), tenant, industrydata.Actor{}, []industrydata.Process{sys}); err != nil || ok {
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
		{"negative reader cache", Config{Memory: true, ReadCacheMiB: -1}},
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
	// synchronous=NORMAL: the syncer, not the COMMIT, syncs the WAL.
	if s.dur.wal == nil {
		t.Error("the file store has no WAL to sync")
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "temp_store": "2"} {
		var got string
		err := s.write(t.Context(), func(tx sqlcore.Tx) error {
			return tx.QueryRow("PRAGMA " + pragma).Scan(&got)
		})
		if err != nil || got != want {
			t.Errorf("writer PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	for pragma, want := range map[string]string{"query_only": "1", "cache_size": "-32768"} {
		var got string
		if err := s.reader.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("reader PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

// Inputs the service should never send are errors, never panics, and store
// nothing.
func TestBadInputIsAnError(t *testing.T) {
	s := openMemory(t)
	ctx := t.Context()
	op := mustCreate(t, s, "op-1")
	year10000 := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		call func() error
	}{
		{"nil operation", func() error { return s.CreateOperation(ctx, tenant, industrydata.Actor{}, nil) }},
		{"nil process", func() error { return s.CreateProcess(ctx, tenant, industrydata.Actor{}, nil) }},
		{"nil operation apply", func() error {
			_, err := s.UpdateOperation(ctx, tenant, industrydata.Actor{}, op.ID, nil)
			return err
		}},
		{"nil process apply", func() error {
			_, err := s.UpdateProcess(ctx, tenant, industrydata.Actor{}, "p", nil)
			return err
		}},
		{"created after year 9999", func() error {
			o := newOperation("op-2")
			o.CreatedDateTime = year10000
			return s.CreateOperation(ctx, tenant, industrydata.Actor{}, &o)
		}},
		{"last action before year 1", func() error {
			o := newOperation("op-3")
			o.LastActionDateTime = new(time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC))
			return s.CreateOperation(ctx, tenant, industrydata.Actor{}, &o)
		}},
		{"update to a timestamp after year 9999", func() error {
			_, err := s.UpdateOperation(ctx, tenant, industrydata.Actor{}, op.ID, func(o *industrydata.Operation) error {
				o.CreatedDateTime = year10000
				return nil
			})
			return err
		}},
		{"process created after year 9999", func() error {
			return s.CreateProcess(ctx, tenant, industrydata.Actor{}, &industrydata.Process{ID: "p-1", Type: "microsoft.graph.industryData.process", CreatedAt: year10000})
		}},
		{"provisioned process created after year 9999", func() error {
			_, err := s.ProvisionTenant(ctx, tenant, industrydata.Actor{}, []industrydata.Process{{ID: "p-2", Type: "microsoft.graph.industryData.process", CreatedAt: year10000}})
			return err
		}},
		{"negative operation limit", func() error {
			_, err := s.ListOperations(ctx, tenant, industrydata.ListQuery{Limit: -1})
			return err
		}},
		{"negative process limit", func() error {
			_, err := s.ListProcesses(ctx, tenant, industrydata.ListQuery{Limit: -1})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil {
				t.Fatal("succeeded")
			}
		})
	}
	got, err := s.GetOperation(ctx, tenant, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op, got); diff != "" {
		t.Errorf("operation after bad updates (-want +got):\n%s", diff)
	}
	list, err := s.ListOperations(ctx, tenant, industrydata.ListQuery{})
	if err != nil || len(list) != 1 {
		t.Errorf("ListOperations: %d operations, %v; want only the first", len(list), err)
	}
	if ok, err := s.ProvisionTenant(ctx, tenant, industrydata.Actor{}, nil); err != nil || !ok {
		t.Errorf("ProvisionTenant after a refused one = %v, %v; want true, nil", ok, err)
	}
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
					_, err := s.UpdateOperation(context.Background(), tenant, industrydata.Actor{}, id, func(o *industrydata.Operation) error {
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

// BenchmarkGetOperationParallel measures GET by id on the reader pool from
// concurrent clients, each reading its own operation.
func BenchmarkGetOperationParallel(b *testing.B) {
	const clients = 64
	s := openFile(b)
	ids := make([]string, clients)
	for i := range ids {
		ids[i] = mustCreate(b, s, fmt.Sprintf("op-%d", i)).ID
	}
	var next atomic.Int64
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := ids[int(next.Add(1)-1)%clients]
		for pb.Next() {
			// A request's context, which can be cancelled, as the server passes.
			if _, err := s.GetOperation(b.Context(), tenant, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
