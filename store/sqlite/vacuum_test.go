package sqlite

import (
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlcore"
)

// pragma reads an integer PRAGMA on the writer.
func pragma(t *testing.T, s *Store, name string) int64 {
	t.Helper()
	var v int64
	if err := s.write(t.Context(), func(tx sqlcore.Tx) error { return tx.QueryRow("PRAGMA " + name).Scan(&v) }); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestNewDatabaseIsIncrementalAndAnOldOneIsSwitchedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "industrydata.db")
	s, err := Open(t.Context(), Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if got := pragma(t, s, "auto_vacuum"); got != autoVacuumIncremental {
		t.Errorf("new database: auto_vacuum = %d, want %d", got, autoVacuumIncremental)
	}
	op := industrydata.Operation{ID: "kept", Type: "microsoft.graph.longRunningOperation", CreatedDateTime: time.Now(),
		Status: industrydata.OperationSucceeded}
	if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A database made before incremental auto-vacuum.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA auto_vacuum = NONE", "VACUUM"} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, Config{Path: path})
	if got := pragma(t, s, "auto_vacuum"); got != autoVacuumIncremental {
		t.Errorf("reopened database: auto_vacuum = %d, want %d", got, autoVacuumIncremental)
	}
	if _, err := s.GetOperation(t.Context(), tenant, "kept"); err != nil {
		t.Errorf("operation after the switch: %v", err)
	}
}

func TestReclaimGivesDeletedSpaceBackInSteps(t *testing.T) {
	s := openFile(t)
	// Some MiB of audit records, each a few hundred bytes.
	ops := make([]industrydata.Operation, 1000)
	detail := strings.Repeat("d", 600)
	for i := range ops {
		ops[i] = industrydata.Operation{ID: "op-" + strconv.Itoa(i), Type: "microsoft.graph.longRunningOperation",
			CreatedDateTime: time.Now(), Status: industrydata.OperationSucceeded, StatusDetail: &detail}
		if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{Principal: "p"}, &ops[i]); err != nil {
			t.Fatal(err)
		}
	}
	full := pragma(t, s, "page_count")
	cutoff := industrydata.Cutoff{Before: time.Now().Add(time.Hour)}
	for _, kind := range []industrydata.CleanupKind{industrydata.CleanupOperations, industrydata.CleanupAudit} {
		for {
			got, err := s.Sweep(t.Context(), kind, cutoff, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rows < 1000 {
				break
			}
		}
	}
	free := pragma(t, s, "freelist_count")
	if free < full/2 {
		t.Fatalf("after deleting nearly every row: %d free pages of %d", free, full)
	}
	// Each step gives back at most the pages asked for.
	left, err := s.Reclaim(t.Context(), 100)
	if err != nil || left != free-100 {
		t.Fatalf("Reclaim(100) = %d, %v; want %d left", left, err, free-100)
	}
	for left > 0 {
		if left, err = s.Reclaim(t.Context(), 1000); err != nil {
			t.Fatal(err)
		}
	}
	// (The pointer-map pages of the freed ones go too.)
	if got := pragma(t, s, "page_count"); got > full-free {
		t.Errorf("page_count after reclaiming = %d, want at most %d (%d before, %d free)", got, full-free, full, free)
	}
	if got := pragma(t, s, "freelist_count"); got != 0 {
		t.Errorf("freelist_count after reclaiming = %d", got)
	}
}
