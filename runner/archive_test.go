package runner_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/runner"
	"industrydata/store/sqlite"
)

// auditStore is a store holding n audit records, written now, and returns
// them in log order.
func auditStore(t *testing.T, n int) (*sqlite.Store, []industrydata.AuditRecord) {
	t.Helper()
	s, _ := storeWithOperations(t, n, cleanupNow)
	recs, err := s.ListAudit(t.Context(), industrydata.AuditQuery{Limit: n + 1})
	if err != nil || len(recs) != n {
		t.Fatalf("ListAudit = %d records, %v; want %d", len(recs), err, n)
	}
	return s, recs
}

// auditCleaner lets every audit record go but the newest, archiving them
// to dir.
func auditCleaner(s industrydata.CleanupStore, dir string) runner.Cleaner {
	c := cleaner(s, industrydata.Retention{Audit: time.Nanosecond})
	c.Clock = industrydata.ClockFunc(func() time.Time { return time.Now().Add(time.Hour) })
	c.Archive = &runner.AuditArchive{Dir: dir}
	return c
}

// readArchive reads every line of every file of the archive in dir.
func readArchive(t *testing.T, dir string) []industrydata.AuditLine {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "audit-*.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []industrydata.AuditLine
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f) // reads every member, one after another
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			var l industrydata.AuditLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s: %q: %v", name, sc.Text(), err)
			}
			lines = append(lines, l)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
	}
	return lines
}

func TestCleanerArchivesAuditBeforeDeletingIt(t *testing.T) {
	s, recs := auditStore(t, 5)
	dir := t.TempDir()
	// Batches of two: the day's file gets a gzip member per batch.
	got, err := auditCleaner(s, dir).Sweep(t.Context())
	if err != nil || got[0].Kind != industrydata.CleanupAudit || got[0].Rows != 4 {
		t.Fatalf("Sweep = %+v, %v; want 4 audit records", got, err)
	}
	var want []industrydata.AuditLine
	for i := range recs[:4] {
		want = append(want, recs[i].Line())
	}
	if diff := cmp.Diff(want, readArchive(t, dir)); diff != "" {
		t.Errorf("archive (-deleted +archived):\n%s", diff)
	}
	name := (runner.AuditArchive{Dir: dir}).File(recs[0].Time)
	if _, err := os.Stat(name); err != nil {
		t.Errorf("the day's file: %v", err)
	}
	left, err := s.ListAudit(t.Context(), industrydata.AuditQuery{})
	if err != nil || len(left) != 1 || left[0].Seq != recs[4].Seq {
		t.Fatalf("audit after the sweep = %+v, %v; want the newest record only", left, err)
	}
	// A second cleanup appends to the day's file: another member.
	op := industrydata.Operation{ID: "op-more", Type: "microsoft.graph.longRunningOperation", CreatedDateTime: cleanupNow,
		Status: industrydata.OperationSucceeded}
	if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); err != nil {
		t.Fatal(err)
	}
	if _, err := auditCleaner(s, dir).Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(want, recs[4].Line()), readArchive(t, dir)); diff != "" {
		t.Errorf("archive after a second cleanup (-deleted +archived):\n%s", diff)
	}
}

func TestCleanerDeletesNoAuditItCouldNotArchive(t *testing.T) {
	s, recs := auditStore(t, 3)
	// A directory that cannot be made: its parent is a file.
	parent := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(parent, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := auditCleaner(s, filepath.Join(parent, "archive")).Sweep(t.Context())
	if err == nil {
		t.Fatalf("Sweep with an archive that cannot be written = %+v, no error", got)
	}
	left, err := s.ListAudit(t.Context(), industrydata.AuditQuery{})
	if err != nil || !slices.EqualFunc(left, recs, func(a, b industrydata.AuditRecord) bool { return a.Seq == b.Seq }) {
		t.Fatalf("audit after the failed sweep = %d records, %v; want all %d", len(left), err, len(recs))
	}
}
