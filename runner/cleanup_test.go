package runner_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/runner"
	"industrydata/store/sqlite"
)

var cleanupNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// storeWithOperations is a store holding n succeeded operations acted on
// at last, and returns their ids.
func storeWithOperations(t *testing.T, n int, last time.Time) (*sqlite.Store, []string) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "cleanup.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var ids []string
	for i := range n {
		op := industrydata.Operation{ID: "op-" + string(rune('a'+i)), Type: "microsoft.graph.longRunningOperation",
			CreatedDateTime: last, LastActionDateTime: &last, Status: industrydata.OperationSucceeded}
		if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, op.ID)
	}
	return s, ids
}

func cleaner(s industrydata.CleanupStore, r industrydata.Retention) runner.Cleaner {
	return runner.Cleaner{Store: s, Retention: r, Clock: industrydata.ClockFunc(func() time.Time { return cleanupNow }),
		Batch: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestCleanerSweepsInBatchesUntilNoneLeft(t *testing.T) {
	s, ids := storeWithOperations(t, 5, cleanupNow.Add(-31*24*time.Hour))
	c := cleaner(s, industrydata.Retention{Operations: 30 * 24 * time.Hour})
	// Audit and runs are kept forever; validated sets and upload sessions
	// always go once nothing needs them.
	want := []runner.Sweep{{Kind: industrydata.CleanupOperations, Swept: industrydata.Swept{Rows: 5}},
		{Kind: industrydata.CleanupValidatedSets}, {Kind: industrydata.CleanupUploadSessions}}
	got, err := c.DryRun(t.Context())
	if err != nil || !cmp.Equal(got, want) {
		t.Fatalf("DryRun = %+v, %v; want %+v", got, err, want)
	}
	// Five rows in batches of two: three transactions.
	got, err = c.Sweep(t.Context())
	if err != nil || !cmp.Equal(got, want) {
		t.Fatalf("Sweep = %+v, %v; want %+v", got, err, want)
	}
	for _, id := range ids {
		if _, err := s.GetOperation(t.Context(), tenant, id); err == nil {
			t.Errorf("operation %s is still there", id)
		}
	}
}

func TestCleanerKeepsWhatRetentionKeeps(t *testing.T) {
	s, ids := storeWithOperations(t, 2, cleanupNow.Add(-29*24*time.Hour))
	// Operations within their 30 days; audit records of now, kept forever.
	got, err := cleaner(s, industrydata.Retention{Operations: 30 * 24 * time.Hour}).Sweep(t.Context())
	want := []runner.Sweep{{Kind: industrydata.CleanupOperations}, {Kind: industrydata.CleanupValidatedSets},
		{Kind: industrydata.CleanupUploadSessions}}
	if err != nil || !cmp.Equal(got, want) {
		t.Fatalf("Sweep = %+v, %v; want %+v", got, err, want)
	}
	for _, id := range ids {
		if _, err := s.GetOperation(t.Context(), tenant, id); err != nil {
			t.Errorf("GetOperation(%s): %v", id, err)
		}
	}
}
