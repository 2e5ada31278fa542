package sqlite

import (
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// Runs newest first, of the tenant or of one process, are one index range
// scan in index order, and so are the lease and $expand queries.
func TestRunQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
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
		{"claim", sqlq.Statement{SQL: qClaimJob(0), Args: []any{"o", 2, 1}},
			"USING COVERING INDEX jobs_claim", false},
		{"claim of one kind", sqlq.Statement{SQL: qClaimJob(1), Args: []any{"o", 2, 1, "run"}},
			"USING COVERING INDEX jobs_kind_claim (kind=?)", false},
		{"run in progress in the tenant", sqlq.Statement{SQL: qTenantRunning, Args: []any{"t"}},
			"USING COVERING INDEX runs_one_in_progress (tenant=?)", false},
		{"run in progress of a process", sqlq.Statement{SQL: qProcessRunning, Args: []any{"t", "p"}},
			"USING INDEX runs_one_in_progress (tenant=?)", false},
		// The final sort is of at most perProcess rows per process.
		{"recent runs", sqlq.Statement{SQL: qRecentRuns, Args: []any{"t", `["p"]`, 100}},
			"USING COVERING INDEX runs_tenant_process_start (tenant=? AND process_id=?)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(t, s, tc.st)
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
