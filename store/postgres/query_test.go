package postgres

import (
	"strings"
	"testing"

	"industrydata"
	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqlcore"
)

const tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

// The hot queries use the index meant for them, and no query scans a whole
// table. The tables hold 20,000 rows of a hundred tenants, with
// statistics, so the planner chooses as it would in production; for a
// tenant's few hundred rows it may read them through the index and sort
// them (a Bitmap Heap Scan), which is cheaper there than an ordered scan.
func TestQueryPlansUseIndexes(t *testing.T) {
	s := open(t, Config{})
	fill := []string{
		`INSERT INTO audit (txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
		 SELECT i, 'other-' || (i % 100), i, '', '', '', false, 'create', 't', 'id-' || i, '', '[]' FROM generate_series(1, 20000) AS i`,
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status)
		 SELECT 'other-' || (i % 50), 'run-' || i, 'p' || (i % 500), 'o', 'e', 'n', i, 'completed' FROM generate_series(1, 20000) AS i`,
		`ANALYZE`,
	}
	for _, q := range fill {
		if _, err := s.pool.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	others := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"audit page", `SELECT ` + sqlcore.AuditColumns + ` FROM audit WHERE (txn, seq) > ($1, $2) AND txn < ` + auditWatermark +
			` ORDER BY txn, seq LIMIT $3`, []any{int64(100), int64(100), int64(100)}, "audit_txn_seq"},
		{"a tenant's audit page", `SELECT ` + sqlcore.AuditColumns + ` FROM audit WHERE (txn, seq) > ($1, $2) AND txn < ` + auditWatermark +
			` AND tenant = $3 ORDER BY txn, seq LIMIT $4`, []any{int64(100), int64(100), "other-1", int64(100)}, "audit_tenant_txn_seq"},
		{"recent runs", dialect.RecentRuns, []any{"other-7", []string{"p7", "p57"}, int64(100)}, "runs_tenant_process_start"},
	}
	for _, tc := range others {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.Postgres(t, s.db, tc.query, tc.args...)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "Seq Scan") {
				t.Errorf("plan of %s\n%s\nwant %s and no Seq Scan", tc.query, p, tc.want)
			}
		})
	}
}
