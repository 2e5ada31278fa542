package sqlcore

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"industrydata"
	"industrydata/internal/pgtest"
	"industrydata/store/internal/pgschema"
	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqlq"
)

// postgresStore has the PostgreSQL store's dialect facts that complete
// the statements tested here.
var postgresStore = &Store{d: Dialect{SkipLocked: " FOR UPDATE SKIP LOCKED"}}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// pgDB returns a fresh, migrated PostgreSQL database.
func pgDB(t *testing.T) *sql.DB {
	t.Helper()
	srv := pgtest.Start(t)
	srv.CreateTemplate(t, "sqlcore_template", func(url string) error {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return err
		}
		defer db.Close()
		p, err := pgschema.NewProvider(db, slog.New(slog.DiscardHandler), nil)
		if err != nil {
			return err
		}
		_, err = p.Up(context.Background())
		return err
	})
	db, err := sql.Open("pgx", srv.URL(srv.NewDatabase(t, "sqlcore_template")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// The hot queries use the index meant for them, and no query scans a whole
// table. The tables hold 20,000 rows of a hundred tenants, with
// statistics, so the planner chooses as it would in production; for a
// tenant's few hundred rows it may read them through the index and sort
// them (a Bitmap Heap Scan), which is cheaper there than an ordered scan.
func TestPostgresQueryPlansUseIndexes(t *testing.T) {
	s := pgDB(t)
	fill := []string{
		`INSERT INTO operations (tenant, id, type, etag, created_ticks, status)
		 SELECT CASE WHEN i % 100 = 0 THEN '` + string(tenant) + `' ELSE 'other-' || (i % 50) END, 'op-' || i,
		 'microsoft.graph.longRunningOperation', 'e', 638000000000000000 + i::bigint * 10000000,
		 (ARRAY['notStarted','running','succeeded','failed'])[1 + i % 4] FROM generate_series(1, 20000) AS i`,
		`INSERT INTO jobs (tenant, kind, id, subject, operation_id, lease_owner, lease_expires_ticks)
		 SELECT 'other-' || i, CASE WHEN i % 2 = 0 THEN 'run' ELSE 'validation' END, 'job-' || i, 's', 'o',
		 'w', 638000000000000000 + i::bigint FROM generate_series(1, 5000) AS i`,
		`INSERT INTO runs (tenant, id, process_id, operation_id, etag, display_name, start_ticks, status)
		 SELECT 'other-' || (i % 50), 'run-' || i, 'p' || (i % 500), 'o', 'e', 'n', i, 'completed' FROM generate_series(1, 20000) AS i`,
		`INSERT INTO processes (tenant, id, type, etag, display_name, readiness_status, created_ticks)
		 SELECT CASE WHEN i % 100 = 0 THEN '` + string(tenant) + `' ELSE 'other-' || (i % 50) END, 'p-' || i, 't', 'e', 'n', 'ready', i
		 FROM generate_series(1, 20000) AS i`,
		`ANALYZE`,
	}
	for _, q := range fill {
		if _, err := s.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cursor := &industrydata.Cursor{Values: []any{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}, Seq: 500}
	lists := []struct {
		name  string
		table *sqlq.Table
		q     industrydata.ListQuery
		count bool
		want  string
	}{
		{"operations in insertion order", operationsTable, industrydata.ListQuery{Limit: 101}, false, "operations_tenant_"},
		{"operations after a cursor", operationsTable, industrydata.ListQuery{After: &industrydata.Cursor{Seq: 7}, Limit: 101}, false, "operations_tenant_"},
		{"running newest first after a cursor", operationsTable,
			industrydata.ListQuery{Filter: statusIs("running"), OrderBy: newestFirst, After: cursor, Limit: 101}, false, "operations_tenant_status_created"},
		{"all newest first after a cursor", operationsTable, industrydata.ListQuery{OrderBy: newestFirst, After: cursor, Limit: 101}, false, "operations_tenant_"},
		{"count running", operationsTable, industrydata.ListQuery{Filter: statusIs("running")}, true, "operations_tenant_status_created"},
		{"processes after a cursor", processesTable, industrydata.ListQuery{After: &industrydata.Cursor{Seq: 7}, Limit: 101}, false, "processes_tenant_"},
	}
	for _, tc := range lists {
		t.Run(tc.name, func(t *testing.T) {
			build := tc.table.List
			if tc.count {
				build = tc.table.Count
			}
			st, err := build(sqlq.Postgres, string(tenant), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			p := plantest.Postgres(t, s, st.SQL, st.Args...)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "Seq Scan") {
				t.Errorf("plan of %s\n%s\nwant %s, no Seq Scan", st.SQL, p, tc.want)
			}
		})
	}
	others := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		// The claimable jobs are few (the queue holds the jobs in progress):
		// an index finds them, and sorting them is cheap.
		{"claim a job", postgresStore.claimJob(0), []any{"w", int64(1), int64(2)}, "jobs_claim"},
		{"claim a job of a kind", postgresStore.claimJob(1), []any{"w", int64(1), int64(2), "run"}, "Index Scan"},
		{"tenant has a run in progress", qTenantRunning, []any{string(tenant)}, "runs_one_in_progress"},
	}
	for _, tc := range others {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.Postgres(t, s, tc.query, tc.args...)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "Seq Scan") {
				t.Errorf("plan of %s\n%s\nwant %s and no Seq Scan", tc.query, p, tc.want)
			}
		})
	}
}
