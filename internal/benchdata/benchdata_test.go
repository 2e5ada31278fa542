package benchdata_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
	"industrydata/internal/benchdata"
	"industrydata/store/sqlite"
)

func openSQLite(ctx context.Context, path string) (benchdata.Store, error) {
	return sqlite.Open(ctx, sqlite.Config{Path: path, MaxBatch: benchdata.Writers})
}

// built returns the operations Build makes for n, in id order, from a
// fresh in-memory store.
func built(t *testing.T, n int) []industrydata.Operation {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Memory: true, MaxBatch: benchdata.Writers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := benchdata.Build(t.Context(), s, n); err != nil {
		t.Fatalf("Build: %v", err)
	}
	ops, err := s.ListOperations(t.Context(), benchdata.Tenant, industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "id"}}})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func TestBuild(t *testing.T) {
	const n = 600
	ops := built(t, n)
	if len(ops) != n {
		t.Fatalf("%d operations, want %d", len(ops), n)
	}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Hour)
	to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Hour)
	statuses := map[industrydata.LongRunningOperationStatus]int{}
	for i, op := range ops {
		if want := fmt.Sprintf("00000000-0000-4000-8000-%012d", i); op.ID != want {
			t.Fatalf("operation %d has id %s, want %s", i, op.ID, want)
		}
		statuses[op.Status]++
		if op.CreatedDateTime.Before(from) || !op.CreatedDateTime.Before(to) {
			t.Errorf("%s created %v, outside 2024 and its hour of jitter", op.ID, op.CreatedDateTime)
		}
		if (op.StatusDetail != nil) != (i%2 == 0) {
			t.Errorf("%s: statusDetail %v, want one on every second operation", op.ID, op.StatusDetail)
		}
		if (op.LastActionDateTime != nil) != (i%3 != 0) {
			t.Errorf("%s: lastActionDateTime %v, want one on two in three operations", op.ID, op.LastActionDateTime)
		}
	}
	want := map[industrydata.LongRunningOperationStatus]int{
		industrydata.OperationSucceeded: n / 4, industrydata.OperationRunning: n / 4,
		industrydata.OperationFailed: n / 4, industrydata.OperationNotStarted: n / 4,
	}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// The same operations every time, whatever order the store got them in.
	again := built(t, n)
	if diff := cmp.Diff(ops, again, cmpopts.IgnoreFields(industrydata.Operation{}, "ETag", "Seq")); diff != "" {
		t.Errorf("a second build differs (-first +second):\n%s", diff)
	}
}

func TestBuildRefusesNoOperations(t *testing.T) {
	if err := benchdata.Build(t.Context(), nil, 0); err == nil {
		t.Error("Build of 0 operations succeeded")
	}
}

// failingStore fails every create after the first few.
type failingStore struct {
	benchdata.Store
	left chan struct{}
}

var errFull = errors.New("store full")

func (f failingStore) CreateOperation(context.Context, industrydata.TenantID, industrydata.Actor, *industrydata.Operation) error {
	select {
	case <-f.left:
		return nil
	default:
		return errFull
	}
}

func TestBuildStopsAtTheFirstError(t *testing.T) {
	s := failingStore{left: make(chan struct{}, 10)}
	for range 10 {
		s.left <- struct{}{}
	}
	err := benchdata.Build(t.Context(), s, 100_000)
	if !errors.Is(err, errFull) {
		t.Errorf("Build = %v, want the store's error", err)
	}
}

func TestCached(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	path, isNew, err := benchdata.Cached(t.Context(), 50, openSQLite)
	if err != nil || !isNew || filepath.Dir(path) != dir {
		t.Fatalf("Cached = %s, %v, %v; want a new file in %s", path, isNew, err, dir)
	}
	again, isNew, err := benchdata.Cached(t.Context(), 50, openSQLite)
	if err != nil || isNew || again != path {
		t.Fatalf("second Cached = %s, %v, %v; want %s from the cache", again, isNew, err, path)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("%s holds %d files, want only the published database", dir, len(entries))
	}
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.CountOperations(t.Context(), benchdata.Tenant, industrydata.ListQuery{}); err != nil || n != 50 {
		t.Errorf("the cached database holds %d operations (%v), want 50", n, err)
	}
}
