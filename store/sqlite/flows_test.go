package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// The lookups of activities and flow files are index searches: a run's
// activities by the run, an activity's files by the activity, the pins a
// run left by the run, and "does a flow file hold this content?" by the
// content.
func TestFlowQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
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
			p := plan(t, s, tc.st)
			if !strings.Contains(p, tc.want) || !tc.sortsRows && strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q (sorting: %v)", tc.st.SQL, p, tc.want, tc.sortsRows)
			}
		})
	}
}

// A process's deletion takes its runs' activities with the runs (a
// cascade), those of other runs staying.
func TestDeleteProcessDeletesActivities(t *testing.T) {
	ctx := t.Context()
	s := openMemory(t)
	for i, tenant := range []industrydata.TenantID{tenant, "other"} {
		p := industrydata.Process{ID: "p", Type: "microsoft.graph.industryData.process", ReadinessStatus: industrydata.ReadinessReady, CreatedAt: leaseT0}
		if err := s.CreateProcess(ctx, tenant, industrydata.Actor{}, &p); err != nil {
			t.Fatal(err)
		}
		r, op := industrydata.Run{ID: "r", ProcessID: p.ID, StartDateTime: leaseT0}, newOperation(fmt.Sprint("o", i))
		acts := []industrydata.RunActivity{{ID: "a1", Status: industrydata.ActivityInProgress}, {ID: "a2", Status: industrydata.ActivitySkipped}}
		if err := s.StartRun(ctx, tenant, industrydata.Actor{}, &r, &op, acts, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteProcess(ctx, tenant, industrydata.Actor{}, "p", nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM run_activities`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d activities left (%v), want the other tenant's 2", n, err)
	}
}
