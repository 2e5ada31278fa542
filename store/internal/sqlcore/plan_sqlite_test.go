package sqlcore

import (
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqliteschema"
	"industrydata/store/internal/sqlq"
)

// The statements' plans on SQLite's schema: every query the service runs
// often is an index search or range scan, and none sorts what it need not.
// The SQLite store's dialect completes some statements; these are its
// facts that do.
var (
	sqliteStore   = &Store{d: Dialect{RowOrder: "rowid"}}
	sqliteQueries = newQueries(sqliteStore.d)
)

const tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

var newestFirst = []industrydata.OrderKey{{Property: "createdDateTime", Desc: true}}

// planDB opens a migrated SQLite database in memory.
func planDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:/plan-"+strings.ReplaceAll(t.Name(), "/", "-")+"?vfs=memdb&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	p, err := sqliteschema.NewProvider(db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// testEntries returns n entries with Seqs from first on.
func testEntries(first int64, n int) []industrydata.UserReportEntry {
	out := make([]industrydata.UserReportEntry, n)
	for i := range out {
		seq := first + int64(i)
		out[i] = industrydata.UserReportEntry{Seq: seq, SourcedID: fmt.Sprintf("user-%08d", seq),
			Username: fmt.Sprintf("user.%d@school.example", seq), Role: "student", IsActive: true}
	}
	return out
}

// The queries a client runs most are one index range scan in index order:
// no temporary B-tree sorts them, and a keyset page seeks to its cursor.
func TestQueryPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	cursor := &industrydata.Cursor{Values: []any{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}, Seq: 500}
	tests := []struct {
		name  string
		table *sqlq.Table
		q     industrydata.ListQuery
		count bool
		want  string // a step of the plan
	}{
		{"operations in insertion order", operationsTable, industrydata.ListQuery{Limit: 101},
			false, "USING INDEX operations_tenant_seq (tenant=?)"},
		{"operations in insertion order after a cursor", operationsTable, industrydata.ListQuery{After: &industrydata.Cursor{Seq: 7}, Limit: 101},
			false, "USING INDEX operations_tenant_seq (tenant=? AND seq>?)"},
		{"processes in insertion order after a cursor", processesTable, industrydata.ListQuery{After: &industrydata.Cursor{Seq: 7}, Limit: 101},
			false, "USING INDEX processes_tenant_seq (tenant=? AND seq>?)"},
		{"running newest first", operationsTable, industrydata.ListQuery{Filter: statusIs("running"), OrderBy: newestFirst, Limit: 101},
			false, "USING INDEX operations_tenant_status_created (tenant=? AND status=?)"},
		{"running newest first after a cursor", operationsTable, industrydata.ListQuery{Filter: statusIs("running"), OrderBy: newestFirst, After: cursor, Limit: 101},
			false, "USING INDEX operations_tenant_status_created (tenant=? AND status=? AND created_ticks<?)"},
		{"all newest first after a cursor", operationsTable, industrydata.ListQuery{OrderBy: newestFirst, After: cursor, Limit: 101},
			false, "USING INDEX operations_tenant_created (tenant=? AND created_ticks<?)"},
		{"count running", operationsTable, industrydata.ListQuery{Filter: statusIs("running")},
			true, "USING COVERING INDEX operations_tenant_status_created (tenant=? AND status=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := tc.table.List
			if tc.count {
				build = tc.table.Count
			}
			st, err := build(sqlq.SQLite, string(tenant), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			p := plantest.SQLite(t, s, st)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q and no TEMP B-TREE", st.SQL, p, tc.want)
			}
		})
	}
}

// statusIs is the tree of `status eq 'v'`.
func statusIs(v string) odata.Expr {
	return &odata.Binary{Op: odata.OpEq,
		Left:  &odata.Property{Prop: schema.LongRunningOperation.Property("status")},
		Right: &odata.Literal{Kind: schema.Enum, Value: v}}
}

// The lookups of activities and flow files are index searches: a run's
// activities by the run, an activity's files by the activity, the pins a
// run left by the run, and "does a flow file hold this content?" by the
// content.
func TestFlowQueryPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	list, err := activitiesTable.List(sqlq.SQLite, int64(3), industrydata.ListQuery{After: &industrydata.Cursor{Seq: 2}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		st        sqlq.Statement
		want      string
		sortsRows bool
	}{
		{"activities of a run", list, "SEARCH run_activities USING PRIMARY KEY (run=? AND seq>?)", false},
		{"activity by id", sqlq.Statement{SQL: qGetActivity, Args: []any{"t", "r", "a"}},
			"SEARCH a USING INDEX sqlite_autoindex_run_activities_2 (run=? AND id=?)", false},
		{"activity of a held run", sqlq.Statement{SQL: qRunActivity, Args: []any{1, "a"}},
			"USING INDEX sqlite_autoindex_run_activities_2 (run=? AND id=?)", false},
		{"an activity's files", sqlq.Statement{SQL: qActivityFiles, Args: []any{"t", "f", 1, 1}},
			"SEARCH f USING PRIMARY KEY (tenant=? AND flow_id=? AND run=? AND activity=?)", false},
		{"a flow's current files", sqlq.Statement{SQL: qDropCurrentFiles, Args: []any{"t", "f"}},
			"USING PRIMARY KEY (tenant=? AND flow_id=?)", false},
		{"a run's pins", sqlq.Statement{SQL: qDropRunPins, Args: []any{1}}, "USING INDEX flow_files_importing (run=?)", false},
		{"a process's pins", sqlq.Statement{SQL: qDropProcessPins, Args: []any{"t", "p"}}, "USING INDEX flow_files_importing (run=?)", false},
		{"a content no longer held", sqlq.Statement{SQL: qDeleteOrphanContent, Args: []any{1}},
			"USING COVERING INDEX flow_files_content (content=?)", false},
		{"a container's contents", sqlq.Statement{SQL: qDeleteContainerContent, Args: []any{1}},
			"USING COVERING INDEX flow_files_content (content=?)", false},
		// The flows in creation order, then a sort of each one's few files.
		{"flow data", sqlq.Statement{SQL: qFlowData, Args: []any{"t"}},
			"SEARCH r USING INDEX resources_tenant_set_seq (tenant=? AND set_name=?)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.SQLite(t, s, tc.st)
			if !strings.Contains(p, tc.want) || !tc.sortsRows && strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q (sorting: %v)", tc.st.SQL, p, tc.want, tc.sortsRows)
			}
		})
	}
}

// encodeBlocks cuts a batch into blocks of at most maxBlockEntries, and
// refuses a batch whose Seqs are not consecutive.
func TestEncodeBlocks(t *testing.T) {
	entries := testEntries(7, 2*maxBlockEntries+13)
	blocks, err := encodeBlocks(entries)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range blocks {
		got = append(got, fmt.Sprint(b.first, "+", b.entries))
	}
	want := []string{fmt.Sprint(7, "+", maxBlockEntries), fmt.Sprint(7+maxBlockEntries, "+", maxBlockEntries), fmt.Sprint(7+2*maxBlockEntries, "+", 13)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("blocks %v, want %v", got, want)
	}
	entries[7].Seq = 100
	if _, err := encodeBlocks(entries); err == nil {
		t.Error("a batch with a gap was accepted")
	}
}

// Listing a report's entries in order, after a cursor, and its lookups, are
// index range scans without sorting.
func TestReportQueryPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	tests := []struct {
		name string
		st   sqlq.Statement
		want string
	}{
		{"blocks from an entry on", sqlq.Statement{SQL: qBlocksFrom, Args: []any{3, 500}},
			"SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=? AND first_seq>?)"},
		{"block holding an entry", sqlq.Statement{SQL: qBlocksFrom, Args: []any{3, 500}},
			"SEARCH report_blocks USING COVERING INDEX sqlite_autoindex_report_blocks_1 (report=? AND first_seq<?)"},
		{"last entry", sqlq.Statement{SQL: qLastBlockEntry, Args: []any{3}}, "SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=?)"},
		{"count", sqlq.Statement{SQL: qCountEntries, Args: []any{3}}, "SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=?)"},
		{"report by run", sqlq.Statement{SQL: qReportSeq, Args: []any{"t", "r"}}, "USING COVERING INDEX sqlite_autoindex_user_reports_1 (tenant=? AND run_id=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.SQLite(t, s, tc.st)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q and no TEMP B-TREE", tc.st.SQL, p, tc.want)
			}
		})
	}
}

// Every resource statement is an index lookup or range scan, and none
// sorts: a scan's sort would hold every document of the set at once, and
// a delete finds a referrer in one lookup however many resources there are.
func TestResourceQueryPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	tests := []struct {
		name  string
		query string
		args  int
		want  []string // steps of the plan
	}{
		{"get", sqliteQueries.getResource, 3, []string{
			"SEARCH r USING INDEX sqlite_autoindex_resources_1 (tenant=? AND set_name=? AND id=?)",
			"SEARCH f USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
		{"scan", sqliteQueries.scanResources, 2, []string{
			"SEARCH r USING INDEX resources_tenant_set_seq (tenant=? AND set_name=?)",
			"SEARCH f USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
		{"count", qCountResources, 2, []string{"USING COVERING INDEX"}},
		{"exists", qResourceExists, 3, []string{"USING COVERING INDEX sqlite_autoindex_resources_1 (tenant=? AND set_name=? AND id=?)"}},
		{"referrer", qReferrer, 5, []string{"SEARCH resource_refs USING INDEX resource_refs_to (tenant=? AND to_set=? AND to_id=?)"}},
		{"delete refs", qDeleteRefs, 3, []string{"SEARCH resource_refs USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlq.Statement{SQL: tc.query, Args: make([]any, tc.args)}
			p := plantest.SQLite(t, s, st)
			for _, w := range tc.want {
				if !strings.Contains(p, w) {
					t.Errorf("plan of %s\n%s\nwant %q", tc.query, p, w)
				}
			}
			if strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant no sort", tc.query, p)
			}
		})
	}
}

// Runs newest first, of the tenant or of one process, are one index range
// scan in index order, and so are the lease and $expand queries.
func TestRunQueryPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	newest := []industrydata.OrderKey{{Property: "startDateTime", Desc: true}}
	cursor := &industrydata.Cursor{Values: []any{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}, Seq: 500}
	list := func(q industrydata.ListQuery) sqlq.Statement {
		st, err := runsTable.List(sqlq.SQLite, string(tenant), q)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	tests := []struct {
		name      string
		st        sqlq.Statement
		want      string // a step of the plan
		sortsRows bool   // a TEMP B-TREE is expected
	}{
		{"runs newest first", list(industrydata.ListQuery{OrderBy: newest, Limit: 101}),
			"USING INDEX runs_tenant_start (tenant=?)", false},
		{"runs newest first after a cursor", list(industrydata.ListQuery{OrderBy: newest, After: cursor, Limit: 101}),
			"USING INDEX runs_tenant_start (tenant=? AND start_ticks<?)", false},
		{"a process's runs newest first after a cursor", list(industrydata.ListQuery{OrderBy: newest, ProcessID: "p", After: cursor, Limit: 101}),
			"USING INDEX runs_tenant_process_start (tenant=? AND process_id=? AND start_ticks<?)", false},
		{"claim", sqlq.Statement{SQL: sqliteStore.claimJob(0), Args: []any{"o", 2, 1}},
			"USING COVERING INDEX jobs_claim", false},
		{"claim of one kind", sqlq.Statement{SQL: sqliteStore.claimJob(1), Args: []any{"o", 2, 1, "run"}},
			"USING COVERING INDEX jobs_kind_claim (kind=?)", false},
		{"a held run's seq", sqlq.Statement{SQL: sqliteQueries.heldRunSeq, Args: make([]any, 5)},
			"SEARCH r USING COVERING INDEX sqlite_autoindex_runs_1 (tenant=? AND id=?)", false},
		{"run in progress in the tenant", sqlq.Statement{SQL: qTenantRunning, Args: []any{"t"}},
			"USING COVERING INDEX runs_one_in_progress (tenant=?)", false},
		{"run in progress of a process", sqlq.Statement{SQL: qProcessRunning, Args: []any{"t", "p"}},
			"USING INDEX runs_one_in_progress (tenant=?)", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.SQLite(t, s, tc.st)
			if !strings.Contains(p, tc.want) || !tc.sortsRows && strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q (sorting: %v)", tc.st.SQL, p, tc.want, tc.sortsRows)
			}
		})
	}
}

// A run's blockingError round-trips through its JSON column, quotes and all.
func TestRunBlockingErrorJSON(t *testing.T) {
	in := &industrydata.PublicError{Code: "c\"", Message: "line 3, \"email\"\n", Target: ""}
	ns, err := encodePublicError(in)
	if err != nil || !ns.Valid {
		t.Fatalf("encode: %v %v", ns, err)
	}
	if strings.Contains(ns.String, "target") {
		t.Errorf("empty target stored: %s", ns.String)
	}
	if none, _ := encodePublicError(nil); none.Valid {
		t.Errorf("nil blockingError stored as %q", none.String)
	}
}
