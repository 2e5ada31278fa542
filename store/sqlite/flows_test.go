package sqlite

import (
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
