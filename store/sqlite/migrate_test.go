package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"industrydata"
	"industrydata/store/internal/entryblock"
	"industrydata/store/internal/sqliteschema"
	"industrydata/store/internal/zblob"
)

// A database whose reports were stored a row per entry (migration 4) keeps
// every entry through migration 5, which makes them blocks, and through
// its way down again.
func TestMigrateEntriesToBlocks(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, p := migrator(t, path)
	defer db.Close()
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}

	// Two reports: one over several blocks' worth, one small.
	want := map[int64][]industrydata.UserReportEntry{7: benchEntries(1, 2*blockEntries+5), 9: benchEntries(1, 3)}
	want[9][1].Issues = []industrydata.UserReportIssue{industrydata.IssueMissingEmail, industrydata.IssueNoOrg}
	want[9][2].OrgSourcedIDs = nil
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for report, entries := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_reports (report, tenant, run_id, process_id, etag, created_ticks, summary)
		VALUES (?, 't', ?, 'p', 'e', 0, '{}')`, report, fmt.Sprint("run-", report)); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				report, e.Seq, e.SourcedID, e.Username, e.Role, jsonArray(e.OrgSourcedIDs), e.IsActive, jsonArray(e.Issues)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := errors.Join(tx.Commit(), db.Close()); err != nil {
		t.Fatal(err)
	}

	s := open(t, Config{Path: path})
	for report, entries := range want {
		got, err := s.ListReportEntries(ctx, "t", fmt.Sprint("run-", report), industrydata.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(entries, got); diff != "" {
			t.Errorf("report %d after migration 5 (-want +got):\n%s", report, diff)
		}
	}
	var blocks int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM report_blocks WHERE report = 7`).Scan(&blocks); err != nil || blocks != 3 {
		t.Errorf("report 7 is %d blocks (%v), want 3", blocks, err)
	}

	// And down again: the rows are back as they were.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, p = migrator(t, path)
	defer db.Close()
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	for report, entries := range want {
		rows, err := db.QueryContext(ctx, `SELECT n, sourced_id, org_ids, issues FROM report_entries WHERE report = ? ORDER BY n`, report)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for ; rows.Next(); i++ {
			var (
				n            int64
				id, orgs, is string
			)
			if err := rows.Scan(&n, &id, &orgs, &is); err != nil {
				t.Fatal(err)
			}
			e := entries[i]
			if n != e.Seq || id != e.SourcedID || orgs != jsonArray(e.OrgSourcedIDs) || is != jsonArray(e.Issues) {
				t.Errorf("report %d row %d = %d %s %s %s, want %+v", report, i, n, id, orgs, is, e)
			}
		}
		rows.Close()
		if i != len(entries) {
			t.Errorf("report %d has %d rows after migrating down, want %d", report, i, len(entries))
		}
	}
}

// Roster chunks stored compressed are written back plain by migration 7's
// way down, and keep their bytes when it is up again.
func TestMigrateRosterCompression(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rosters.db")
	users := []byte(strings.Repeat("u-1,active,2024-05-01T00:00:00Z,true,org-1,student,ada\r\n", 20_000))
	db, p := migrator(t, path)
	defer db.Close()
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	// As the roster store wrote them: chunks of 512 KiB, compressed.
	if _, err := db.ExecContext(ctx, `INSERT INTO rosters (tenant, id, created_ticks, users_bytes, state)
	VALUES ('t', 'r', 0, ?, 'current')`, len(users)); err != nil {
		t.Fatal(err)
	}
	for n, off := 0, 0; off < len(users); n, off = n+1, off+512<<10 {
		chunk := users[off:min(off+512<<10, len(users))]
		if _, err := db.ExecContext(ctx, `INSERT INTO roster_chunks (roster, file, n, data, compressed)
		VALUES (1, 'users.csv', ?, ?, 1)`, n, zblob.Compress(nil, chunk)); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []byte {
		t.Helper()
		var plain []byte
		rows, err := db.QueryContext(ctx, `SELECT data FROM roster_chunks WHERE file = 'users.csv' ORDER BY n`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c []byte
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			plain = append(plain, c...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return plain
	}

	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	if plain := read(); !bytes.Equal(plain, users) {
		t.Fatalf("after migrating down, users.csv's chunks hold %d bytes, not the %d put", len(plain), len(users))
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	var compressed int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM roster_chunks WHERE compressed = 1`).Scan(&compressed); err != nil || compressed != 0 {
		t.Errorf("after migrating up again, %d chunks are marked compressed (%v)", compressed, err)
	}
	if plain := read(); !bytes.Equal(plain, users) {
		t.Errorf("after migrating up again, users.csv's chunks hold %d bytes, not the %d put", len(plain), len(users))
	}
}

// A run in progress when the job queue arrives (migration 10) keeps its
// lease and attempts as a job, a finished run becomes none, and the way
// down puts the lease back on the run.
func TestMigrateRunLeasesToJobs(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "jobs.db")
	db, p := migrator(t, path)
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	expired := industrydata.Ticks(leaseT0.Add(-time.Minute))
	for _, q := range []string{
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status, lease_owner, lease_expires_ticks, attempts)
		VALUES ('t', 'r1', 'p', 'o1', 'e', 'n', 0, 'running', 'dead', ` + fmt.Sprint(expired) + `, 2)`,
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, end_ticks, status, attempts)
		VALUES ('t', 'r2', 'p2', 'o2', 'e', 'n', 0, 1, 'completed', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, Config{Path: path})
	c, ok, err := s.ClaimJob(ctx, "heir", leaseT0, time.Minute)
	want := industrydata.JobClaim{Kind: industrydata.JobRun, Tenant: "t", ID: "r1", ProcessID: "p", OperationID: "o1",
		Owner: "heir", Attempt: 3, Expires: leaseT0.Add(time.Minute)}
	if err != nil || !ok || !cmp.Equal(c, want) {
		t.Fatalf("claim after migration 10 = %+v, %v, %v; want %+v", c, ok, err, want)
	}
	if _, ok, _ := s.ClaimJob(ctx, "other", leaseT0, time.Minute); ok {
		t.Error("the finished run became a job")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, p = migrator(t, path)
	defer db.Close()
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	var owner string
	var attempts int
	if err := db.QueryRowContext(ctx, `SELECT lease_owner, attempts FROM runs WHERE id = 'r1'`).Scan(&owner, &attempts); err != nil ||
		owner != "heir" || attempts != 3 {
		t.Errorf("after migrating down, r1's lease is %q, attempt %d (%v); want heir, 3", owner, attempts, err)
	}
}

// leaseT0 is a fixed time for the migration tests' leases.
var leaseT0 = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// migrator opens the database at path without migrating it, and a goose
// provider over it, for tests that move it between versions.
func migrator(t *testing.T, path string) (*sql.DB, *goose.Provider) {
	t.Helper()
	writer, _, err := dsns(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", writer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sqliteschema.NewProvider(db, slog.New(slog.DiscardHandler))
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, p
}

// Migration 12 ends the runs in progress beyond the first of a tenant, so
// that the guard of one run in progress per tenant holds; the rosters go.
// Its way down brings back the roster tables, empty, and the guard of one
// run in progress per process, and deletes the contents only flows held.
func TestMigrateFlows(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "flows.db")
	db, p := migrator(t, path)
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	// Runs in progress: r1 and r2 of tenant t (r2 with report entries),
	// r3 of u; r4 of t has finished. r1 read a roster.
	for _, q := range []string{
		`INSERT INTO rosters (tenant, id, created_ticks, state) VALUES ('t', 'roster', 0, 'current')`,
		`INSERT INTO roster_chunks (roster, file, n, data) VALUES (1, 'users.csv', 0, x'00')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range []struct{ tenant, status, roster string }{{"t", "running", "roster"}, {"t", "running", ""}, {"u", "running", ""}, {"t", "completed", ""}} {
		n := i + 1
		if _, err := db.ExecContext(ctx, `INSERT INTO operations (tenant, id, type, etag, created_ticks, status)
		VALUES (?, ?, 'microsoft.graph.longRunningOperation', 'e', 0, 'running')`, r.tenant, fmt.Sprint("o", n)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status, roster_id)
		VALUES (?, ?, ?, ?, 'e', 'n', 0, ?, nullif(?, ''))`, r.tenant, fmt.Sprint("r", n), fmt.Sprint("p", n), fmt.Sprint("o", n), r.status, r.roster); err != nil {
			t.Fatal(err)
		}
		if r.status == "running" {
			if _, err := db.ExecContext(ctx, `INSERT INTO jobs (tenant, kind, id, subject, operation_id) VALUES (?, 'run', ?, ?, ?)`,
				r.tenant, fmt.Sprint("r", n), fmt.Sprint("p", n), fmt.Sprint("o", n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO report_blocks (report, first_seq, entries, data) VALUES (2, 1, 1, x'01')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, Config{Path: path})
	for id, want := range map[string]industrydata.IndustryDataRunStatus{"r1": industrydata.RunRunning, "r2": industrydata.RunFailed, "r4": industrydata.RunCompleted} {
		if r, err := s.GetRun(ctx, "t", id); err != nil || r.Status != want {
			t.Errorf("run %s after migration 12: %+v, %v; want status %s", id, r, err, want)
		}
	}
	if r, _ := s.GetRun(ctx, "t", "r2"); r.EndDateTime == nil || r.BlockingError == nil || r.BlockingError.Code != industrydata.RunErrorInterrupted {
		t.Errorf("the run ended by migration 12 is %+v; want an end and a blockingError %s", r, industrydata.RunErrorInterrupted)
	}
	if op, err := s.GetOperation(ctx, "t", "o2"); err != nil || op.Status != industrydata.OperationFailed || op.StatusDetail == nil {
		t.Errorf("its operation is %+v, %v; want failed, with a statusDetail", op, err)
	}
	claimed := map[string]bool{}
	for range 3 {
		c, ok, err := s.ClaimJob(ctx, "heir", leaseT0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			claimed[c.ID] = true
		}
	}
	if !cmp.Equal(claimed, map[string]bool{"r1": true, "r3": true}) {
		t.Errorf("claimed %v after migration 12, want r1 and r3", claimed)
	}
	var blocks, rosters int
	if err := s.reader.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM report_blocks),
	(SELECT count(*) FROM sqlite_master WHERE name LIKE 'roster%')`).Scan(&blocks, &rosters); err != nil || blocks != 0 || rosters != 0 {
		t.Errorf("%d report blocks and %d roster tables left (%v), want none", blocks, rosters, err)
	}
	r, op := industrydata.Run{ID: "r5", StartDateTime: leaseT0}, newOperation("o5")
	err := s.StartRun(ctx, "t", industrydata.Actor{}, &r, &op, nil, nil, nil)
	if !errors.Is(err, industrydata.ErrDuplicate) {
		t.Errorf("a second run in progress in tenant t: %v, want ErrDuplicate", err)
	}

	// Tenant v's flow holds a content whose container is gone.
	flow := industrydata.Resource{Set: "inboundFlows", ID: "f", Type: "microsoft.graph.industryData.inboundFileFlow"}
	if err := s.CreateResource(ctx, "v", industrydata.Actor{}, &flow, 0); err != nil {
		t.Fatal(err)
	}
	content := importOne(t, s, "v", "f", "users")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, p = migrator(t, path)
	defer db.Close()
	if _, err := p.DownTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO rosters (tenant, id, created_ticks, state) VALUES ('t', 'again', 0, 'current')`,
		`INSERT INTO roster_chunks (roster, file, n, data, compressed) VALUES (last_insert_rowid(), 'users.csv', 0, x'00', 0)`,
		`UPDATE runs SET roster_id = 'again' WHERE id = 'r1'`,
		// One run in progress per process again.
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status)
		VALUES ('u', 'r6', 'p6', 'o6', 'e', 'n', 0, 'running')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("after migrating down, %s: %v", q, err)
		}
	}
	var left, pieces int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM upload_contents WHERE id = ?),
	(SELECT count(*) FROM upload_pieces)`, content).Scan(&left, &pieces); err != nil || left != 0 || pieces != 0 {
		t.Errorf("after migrating down, %d contents and %d pieces only a flow held are left (%v)", left, pieces, err)
	}
}

// importOne makes content data the current users.csv of the tenant's flow
// flowID, through a run of its own, and discards its container; it
// returns the content's id.
func importOne(t *testing.T, s *Store, tenant industrydata.TenantID, flowID, data string) string {
	t.Helper()
	ctx := t.Context()
	c, _, err := s.CurrentUploadContainer(ctx, tenant, "connector", leaseT0, time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.PutBlob(ctx, c.ID, "users.csv", strings.NewReader(data), industrydata.UploadLimits{}, industrydata.BlobProps{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetValidatedFiles(ctx, tenant, "connector", []industrydata.ValidatedFile{{Name: "users.csv", ContentID: b.ContentID}}); err != nil {
		t.Fatal(err)
	}
	r, op := industrydata.Run{ID: "import-" + flowID, StartDateTime: leaseT0}, newOperation("import-op-"+flowID)
	acts := []industrydata.RunActivity{{ID: "a", FlowID: flowID, Status: industrydata.ActivityInProgress}}
	if err := s.StartRun(ctx, tenant, industrydata.Actor{}, &r, &op, acts, nil, nil); err != nil {
		t.Fatal(err)
	}
	claim, ok, err := s.ClaimJob(ctx, "importer", leaseT0, time.Minute)
	if err != nil || !ok || claim.ID != r.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v; want run %s", claim, ok, err, r.ID)
	}
	if _, err := s.BeginImport(ctx, claim, "a", flowID, "connector"); err != nil {
		t.Fatal(err)
	}
	out := industrydata.ActivityOutcome{Status: industrydata.ActivityCompleted, Imported: true}
	if err := s.FinishActivity(ctx, claim, "a", out); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValidatedFiles(ctx, tenant, "connector", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CurrentUploadContainer(ctx, tenant, "connector", leaseT0, time.Hour, true); err != nil {
		t.Fatal(err)
	}
	return b.ContentID
}

// Migration 13's way down writes the report entries' blocks back in the
// format version 1, which the stores before it read: the entries stay,
// their flows go.
func TestMigrateEntryFlowsDown(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "entries.db")
	s := open(t, Config{Path: path})
	r, op := industrydata.Run{ID: "r", StartDateTime: leaseT0}, newOperation("o")
	if err := s.StartRun(ctx, tenant, industrydata.Actor{}, &r, &op, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	c, ok, err := s.ClaimJob(ctx, "a", leaseT0, time.Minute)
	if err != nil || !ok {
		t.Fatalf("ClaimJob: %v, %v", ok, err)
	}
	entries := benchEntries(1, blockEntries+10)
	for i := range entries {
		entries[i].FlowID = fmt.Sprint("flow-", i*2/len(entries))
	}
	if err := s.AppendReportEntries(ctx, c, entries); err != nil {
		t.Fatal(err)
	}
	out := industrydata.RunOutcome{Status: industrydata.RunCompleted, EndDateTime: leaseT0, OperationStatus: industrydata.OperationSucceeded,
		LastActionDateTime: leaseT0, Report: &industrydata.UserReport{}}
	if err := s.FinishRun(ctx, c, out); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ListReportEntries(ctx, tenant, r.ID, industrydata.ListQuery{}); err != nil || !cmp.Equal(entries, got) {
		t.Fatalf("entries with flows do not read back (%v)", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, p := migrator(t, path)
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT data FROM report_blocks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		if !entryblock.IsV1(data) {
			t.Errorf("a block of version 2 is left after migrating down")
		}
	}
	if err := errors.Join(rows.Err(), rows.Close(), db.Close()); err != nil {
		t.Fatal(err)
	}

	s = open(t, Config{Path: path})
	for i := range entries {
		entries[i].FlowID = ""
	}
	if got, err := s.ListReportEntries(ctx, tenant, r.ID, industrydata.ListQuery{}); err != nil || !cmp.Equal(entries, got) {
		t.Errorf("entries after migrating down and up differ, or %v", err)
	}
}

// jsonArray is v as a JSON array, as migration 5 read its rows' columns.
func jsonArray[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // strings always marshal
	return string(b)
}

// blockEntries is the most entries a block holds.
const blockEntries = 4096
