package sqlcore

import (
	"strings"
	"testing"

	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqlq"
)

// A cleanup batch seeks to the oldest rows by index, in index order,
// rather than reading and sorting the whole table, which would hold the writer for as long as the table
// is large.
func TestCleanupPlansUseIndexes(t *testing.T) {
	s := planDB(t)
	tests := []struct {
		name, q, want string
	}{
		{"audit batch", qSweepAudit, "USING COVERING INDEX audit_time (time_ticks<?)"},
		// The count reads the rows, for their bytes.
		{"audit count", qCountAudit, "USING INDEX audit_time (time_ticks<?)"},
		{"expired audit for the archive", qExpiredAudit, "USING INDEX audit_time (time_ticks<?)"},
		{"expired upload sessions", qSweepUploadSessions, "USING INDEX upload_containers_expires (expires_ticks<?)"},
		{"stale blocks", qSweepUploadBlocks, "USING INDEX upload_blocks_staged (staged_ticks<?)"},
		{"finished operations", qSweepOperations, "USING INDEX operations_finished (<expr><?)"},
		{"finished operations count", qCountOperations, "USING INDEX operations_finished (<expr><?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.SQLite(t, s, sqlq.Statement{SQL: tc.q, Args: []any{int64(1), 10}})
			if !strings.Contains(p, tc.want) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q, in index order", tc.q, p, tc.want)
			}
		})
	}
}
