package sqlcore

import (
	"strings"
	"testing"

	"industrydata/store/internal/plantest"
)

// On PostgreSQL too a cleanup batch finds the oldest rows by index: 20,000
// operations and audit records, a thousand upload sessions, a cutoff that
// lets a hundredth of them go.
func TestPostgresCleanupPlansUseIndexes(t *testing.T) {
	s := pgDB(t)
	fill := []string{
		`INSERT INTO operations (tenant, id, type, etag, created_ticks, last_action_ticks, status)
		 SELECT 'other-' || (i % 50), 'op-' || i, 'microsoft.graph.longRunningOperation', 'e', i, i,
		 (ARRAY['notStarted','running','succeeded','failed'])[1 + i % 4] FROM generate_series(1, 20000) AS i`,
		`INSERT INTO audit (txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
		 SELECT i, 'other-' || (i % 50), i, 'p', 'a', 'r', false, 'create', 't', 'e-' || i, '', '[]' FROM generate_series(1, 20000) AS i`,
		`INSERT INTO upload_containers (id, tenant, connector_id, created_ticks, expires_ticks)
		 SELECT 'c-' || i, 'other-' || (i % 50), 'conn-' || i, i * 20, i * 20 FROM generate_series(1, 1000) AS i`,
		`ANALYZE`,
	}
	for _, q := range fill {
		if _, err := s.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tests := []struct {
		name, query, want, table string
	}{
		{"finished operations", qSweepOperations, "operations_finished", "operations"},
		{"audit", qSweepAudit, "audit_time", "audit"},
		{"expired audit for the archive", qExpiredAudit, "audit_time", "audit"},
		{"expired upload sessions", qSweepUploadSessions, "upload_containers_expires", "upload_containers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.Postgres(t, s, tc.query, int64(200), 10)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "Seq Scan on "+tc.table) {
				t.Errorf("plan of %s\n%s\nwant %s and no Seq Scan on %s", tc.query, p, tc.want, tc.table)
			}
		})
	}
}
