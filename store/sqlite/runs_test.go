package sqlite

import (
	"strings"
	"testing"

	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqlq"
)

// RecentRuns is a backward index range scan per process; the final sort
// is of at most perProcess rows per process.
func TestRecentRunsPlanUsesIndex(t *testing.T) {
	s := openMemory(t)
	p := plantest.SQLite(t, s.reader, sqlq.Statement{SQL: dialect.RecentRuns, Args: []any{"t", `["p"]`, 100}})
	if want := "USING COVERING INDEX runs_tenant_process_start (tenant=? AND process_id=?)"; !strings.Contains(p, want) {
		t.Errorf("plan of %s\n%s\nwant %q", dialect.RecentRuns, p, want)
	}
}
