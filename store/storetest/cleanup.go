package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// cleanupTests are the cases of the cleanup: this file's, the runs'
// (cleanup_runs.go), the report pins' (report_pins.go), the validated
// sets' and the cleanup's job (cleanup_job.go).
var cleanupTests = slices.Concat(sweepTests, sweepRunTests, reportPinTests, sweepSetTests, cleanupJobTests)

var sweepTests = []test{
	{"finished operations past the cutoff go in batches and then are not found", testSweepOperations},
	{"the operation of a job in progress stays", testSweepKeepsJobOperation},
	{"audit records before the cutoff go in batches, but for the newest", testSweepAudit},
	{"expired audit records read for an archive are those a sweep deletes", testExpiredAudit},
	{"an expired upload session goes with its blobs and bytes", testSweepUploadSession},
	{"an expired session's validated set stays", testSweepKeepsValidatedSet},
	{"an expired session of a connector being validated stays", testSweepKeepsValidatingSession},
	{"a block never committed goes after its retention, a committed blob stays", testSweepUploadBlocks},
	{"the blocks of a connector being validated stay", testSweepKeepsValidatingBlocks},
	{"an unknown kind or a batch of no rows is an error", testSweepRejects},
}

// sweepT0 is the cutoff of the cleanup cases on fixed timestamps.
var sweepT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// finishedOperation stores an operation of tenantA with status, last acted
// on at last.
func finishedOperation(t *testing.T, s industrydata.Store, status industrydata.LongRunningOperationStatus, last time.Time) industrydata.Operation {
	t.Helper()
	op := newOperation(t)
	op.CreatedDateTime = last.Add(-time.Minute)
	op.LastActionDateTime = &last
	op.Status = status
	return createOperation(t, s, tenantA, op)
}

// sweep runs one Sweep and checks the rows it removed.
func sweep(t *testing.T, s industrydata.Store, kind industrydata.CleanupKind, cutoff time.Time, limit int, wantRows int64) industrydata.Swept {
	t.Helper()
	got, err := s.Sweep(t.Context(), kind, industrydata.Cutoff{Before: cutoff}, limit)
	if err != nil || got.Rows != wantRows {
		t.Fatalf("Sweep(%s, limit %d) = %+v, %v; want %d rows", kind, limit, got, err, wantRows)
	}
	return got
}

// sweepable returns what Sweepable counts.
func sweepable(t *testing.T, s industrydata.Store, kind industrydata.CleanupKind, cutoff time.Time) industrydata.Swept {
	t.Helper()
	got, err := s.Sweepable(t.Context(), kind, industrydata.Cutoff{Before: cutoff})
	if err != nil {
		t.Fatalf("Sweepable(%s): %v", kind, err)
	}
	return got
}

func testSweepOperations(t *testing.T, s industrydata.Store) {
	old := sweepT0.Add(-time.Hour)
	var gone []industrydata.Operation
	for _, status := range []industrydata.LongRunningOperationStatus{industrydata.OperationSucceeded, industrydata.OperationFailed, industrydata.OperationSucceeded} {
		gone = append(gone, finishedOperation(t, s, status, old))
	}
	kept := []industrydata.Operation{
		finishedOperation(t, s, industrydata.OperationSucceeded, sweepT0), // not before the cutoff
		finishedOperation(t, s, industrydata.OperationRunning, old),
		finishedOperation(t, s, industrydata.OperationNotStarted, old),
	}
	// Never acted on: its creation counts.
	op := newOperation(t)
	op.CreatedDateTime, op.Status = old, industrydata.OperationFailed
	gone = append(gone, createOperation(t, s, tenantB, op))

	if got := sweepable(t, s, industrydata.CleanupOperations, sweepT0); got != (industrydata.Swept{Rows: 4}) {
		t.Fatalf("Sweepable = %+v, want 4 rows", got)
	}
	sweep(t, s, industrydata.CleanupOperations, sweepT0, 3, 3)
	sweep(t, s, industrydata.CleanupOperations, sweepT0, 3, 1)
	sweep(t, s, industrydata.CleanupOperations, sweepT0, 3, 0)
	for i, op := range gone {
		tenant := tenantA
		if i == len(gone)-1 {
			tenant = tenantB
		}
		_, err := s.GetOperation(t.Context(), tenant, op.ID)
		wantErrIs(t, "GetOperation of a swept operation", err, industrydata.ErrNotFound)
	}
	for _, op := range kept {
		if _, err := s.GetOperation(t.Context(), tenantA, op.ID); err != nil {
			t.Errorf("GetOperation(%s, %s): %v", op.ID, op.Status, err)
		}
	}
}

func testSweepKeepsJobOperation(t *testing.T, s industrydata.Store) {
	op := startValidation(t, s, tenantA, connector(t, s, tenantA))
	// Finished as far as the row says, but its job is still queued.
	old := sweepT0.Add(-time.Hour)
	if _, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), op.ID, func(o *industrydata.Operation) error {
		o.Status, o.CreatedDateTime, o.LastActionDateTime = industrydata.OperationSucceeded, old, &old
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := sweepable(t, s, industrydata.CleanupOperations, sweepT0); got.Rows != 0 {
		t.Fatalf("Sweepable = %+v, want none", got)
	}
	sweep(t, s, industrydata.CleanupOperations, sweepT0, 10, 0)
	if _, err := s.GetOperation(t.Context(), tenantA, op.ID); err != nil {
		t.Fatalf("GetOperation of a job's operation: %v", err)
	}
}

func testSweepAudit(t *testing.T, s industrydata.Store) {
	// Records are stamped by the store's clock: now.
	var ops []industrydata.Operation
	for range 4 {
		ops = append(ops, createOperation(t, s, tenantA, newOperation(t)))
	}
	before, after := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if got := sweepable(t, s, industrydata.CleanupAudit, before); got.Rows != 0 {
		t.Fatalf("Sweepable before the records = %+v, want none", got)
	}
	sweep(t, s, industrydata.CleanupAudit, before, 10, 0)
	// The newest record stays, whatever its age: the next one's seq
	// follows it.
	if got := sweepable(t, s, industrydata.CleanupAudit, after); got.Rows != 3 || got.Bytes <= 0 {
		t.Fatalf("Sweepable after the records = %+v, want 3 rows and their bytes", got)
	}
	sweep(t, s, industrydata.CleanupAudit, after, 2, 2)
	sweep(t, s, industrydata.CleanupAudit, after, 2, 1)
	sweep(t, s, industrydata.CleanupAudit, after, 2, 0)
	recs, err := s.ListAudit(t.Context(), industrydata.AuditQuery{Limit: 10})
	if err != nil || len(recs) != 1 || recs[0].EntityID != ops[3].ID {
		t.Fatalf("ListAudit after the sweep = %+v, %v; want the newest record only", recs, err)
	}
	last := recs[0].Seq
	createOperation(t, s, tenantA, newOperation(t))
	recs, err = s.ListAudit(t.Context(), industrydata.AuditQuery{Limit: 10})
	if err != nil || len(recs) != 2 || recs[1].Seq <= last {
		t.Fatalf("ListAudit after a new write = %+v, %v; want a record after seq %d", recs, err, last)
	}
}

func testExpiredAudit(t *testing.T, s industrydata.Store) {
	for range 3 {
		createOperation(t, s, tenantA, newOperation(t))
	}
	all, err := s.ListAudit(t.Context(), industrydata.AuditQuery{Limit: 10})
	if err != nil || len(all) != 3 {
		t.Fatalf("ListAudit = %d records, %v", len(all), err)
	}
	after := time.Now().Add(time.Hour)
	got, err := s.ExpiredAudit(t.Context(), after, 10)
	if err != nil {
		t.Fatal(err)
	}
	// The newest stays; the others read as the log has them (but Txn).
	want := all[:2]
	for i := range want {
		want[i].Txn = 0
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ExpiredAudit (-want +got):\n%s", diff)
	}
	if got, err := s.ExpiredAudit(t.Context(), after, 1); err != nil || len(got) != 1 || got[0].Seq != all[0].Seq {
		t.Fatalf("ExpiredAudit limit 1 = %+v, %v; want the oldest", got, err)
	}
	swept, err := s.DeleteAudit(t.Context(), []int64{all[0].Seq, all[1].Seq})
	if err != nil || swept.Rows != 2 || swept.Bytes <= 0 {
		t.Fatalf("DeleteAudit = %+v, %v; want 2 rows and their bytes", swept, err)
	}
	if got, err := s.ExpiredAudit(t.Context(), after, 10); err != nil || len(got) != 0 {
		t.Fatalf("ExpiredAudit after the delete = %+v, %v; want none", got, err)
	}
}

// expiry is when a container made at uploadT0 expires (currentContainer's
// ttl).
var expiry = uploadT0.Add(time.Hour)

func testSweepUploadSession(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	b := putBlob(t, s, c.ID, "users.csv", []byte("users of an expired session"))
	putBlock(t, s, c.ID, "orgs.csv", "YmxvY2s=", []byte("block"))
	if got := sweepable(t, s, industrydata.CleanupUploadSessions, expiry.Add(-time.Second)); got.Rows != 0 {
		t.Fatalf("Sweepable before expiry = %+v, want none", got)
	}
	want := industrydata.Swept{Rows: 1, Bytes: b.Size + 5}
	if got := sweepable(t, s, industrydata.CleanupUploadSessions, expiry); got != want {
		t.Fatalf("Sweepable at expiry = %+v, want %+v", got, want)
	}
	if got := sweep(t, s, industrydata.CleanupUploadSessions, expiry, 10, 1); got != want {
		t.Fatalf("Sweep = %+v, want %+v", got, want)
	}
	_, err := s.GetUploadContainer(t.Context(), c.ID)
	wantErrIs(t, "GetUploadContainer of a swept session", err, industrydata.ErrNotFound)
	_, err = s.OpenContent(t.Context(), tenantA, b.ContentID)
	wantErrIs(t, "OpenContent of a swept session's blob", err, industrydata.ErrNotFound)
}

func testSweepKeepsValidatedSet(t *testing.T, s industrydata.Store) {
	c, _ := currentContainer(t, s, tenantA, connectorA, uploadT0, false)
	u := putBlob(t, s, c.ID, "users.csv", []byte("validated users"))
	other := putBlob(t, s, c.ID, "orgs.csv", []byte("orgs"))
	if err := s.SetValidatedFiles(t.Context(), tenantA, connectorA, []industrydata.ValidatedFile{{Name: "users.csv", ContentID: u.ContentID, Size: u.Size}}); err != nil {
		t.Fatal(err)
	}
	// Only the bytes no validated set holds count.
	if got := sweep(t, s, industrydata.CleanupUploadSessions, expiry, 10, 1); got.Bytes != other.Size {
		t.Fatalf("Sweep = %+v, want %d bytes", got, other.Size)
	}
	if got := string(readContent(t, s, tenantA, u.ContentID)); got != "validated users" {
		t.Fatalf("validated content after the sweep = %q", got)
	}
	files, err := s.ValidatedFiles(t.Context(), tenantA, connectorA)
	if err != nil || len(files) != 1 || files[0].ContentID != u.ContentID {
		t.Fatalf("ValidatedFiles after the sweep = %+v, %v", files, err)
	}
}

func testSweepKeepsValidatingSession(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	c, _ := currentContainer(t, s, tenantA, conn, uploadT0, false)
	b := putBlob(t, s, c.ID, "users.csv", []byte("being validated"))
	startValidation(t, s, tenantA, conn)
	if got := sweepable(t, s, industrydata.CleanupUploadSessions, expiry); got.Rows != 0 {
		t.Fatalf("Sweepable = %+v, want none", got)
	}
	sweep(t, s, industrydata.CleanupUploadSessions, expiry, 10, 0)
	if got := string(readContent(t, s, tenantA, b.ContentID)); got != "being validated" {
		t.Fatalf("content under validation after the sweep = %q", got)
	}
}

func testSweepUploadBlocks(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	kept := putBlob(t, s, c.ID, "orgs.csv", []byte("committed"))
	// Blocks are stamped by the store's clock: now.
	putBlock(t, s, c.ID, "users.csv", "MDAw", []byte("first"))
	putBlock(t, s, c.ID, "users.csv", "MDAx", []byte("second"))
	if got := sweepable(t, s, industrydata.CleanupUploadBlocks, time.Now().Add(-time.Hour)); got.Rows != 0 {
		t.Fatalf("Sweepable before the blocks = %+v, want none", got)
	}
	after := time.Now().Add(time.Hour)
	if got, want := sweepable(t, s, industrydata.CleanupUploadBlocks, after), (industrydata.Swept{Rows: 2, Bytes: 11}); got != want {
		t.Fatalf("Sweepable after the blocks = %+v, want %+v", got, want)
	}
	sweep(t, s, industrydata.CleanupUploadBlocks, after, 1, 1)
	sweep(t, s, industrydata.CleanupUploadBlocks, after, 1, 1)
	sweep(t, s, industrydata.CleanupUploadBlocks, after, 1, 0)
	_, err := s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: "MDAw"}}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "CommitBlockList of a swept block", err, industrydata.ErrInvalidBlockList)
	if got := string(readContent(t, s, tenantA, kept.ContentID)); got != "committed" {
		t.Fatalf("committed blob after the sweep = %q", got)
	}
}

func testSweepKeepsValidatingBlocks(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	c, _ := currentContainer(t, s, tenantA, conn, uploadT0, false)
	putBlock(t, s, c.ID, "users.csv", "MDAw", []byte("block"))
	startValidation(t, s, tenantA, conn)
	after := time.Now().Add(time.Hour)
	if got := sweepable(t, s, industrydata.CleanupUploadBlocks, after); got.Rows != 0 {
		t.Fatalf("Sweepable = %+v, want none", got)
	}
	sweep(t, s, industrydata.CleanupUploadBlocks, after, 10, 0)
}

func testSweepRejects(t *testing.T, s industrydata.Store) {
	if _, err := s.Sweep(t.Context(), "runs?", industrydata.Cutoff{Before: sweepT0}, 10); err == nil {
		t.Error("Sweep of an unknown kind: no error")
	}
	if _, err := s.Sweepable(t.Context(), "runs?", industrydata.Cutoff{Before: sweepT0}); err == nil {
		t.Error("Sweepable of an unknown kind: no error")
	}
	if _, err := s.Sweep(t.Context(), industrydata.CleanupAudit, industrydata.Cutoff{Before: sweepT0}, 0); err == nil {
		t.Error("Sweep with limit 0: no error")
	}
}
