// Package plantest reads the query plans of the stores' statements, for
// tests that check they use the indexes meant for them.
package plantest

import (
	"database/sql"
	"strings"
	"testing"

	"industrydata/store/internal/sqlq"
)

// SQLite returns SQLite's query plan of st on db, one step a line.
func SQLite(t *testing.T, db *sql.DB, st sqlq.Statement) string {
	t.Helper()
	// EXPLAIN QUERY PLAN's rows are id, parent, notused and detail.
	return plan(t, db, "EXPLAIN QUERY PLAN "+st.SQL, st.Args, 4)
}

// Postgres returns PostgreSQL's plan of query on db, one node a line.
func Postgres(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	return plan(t, db, "EXPLAIN "+sqlq.Rebind(query), args, 1)
}

// plan runs query, whose rows have cols columns, the last the text of a
// line, and returns those lines.
func plan(t *testing.T, db *sql.DB, query string, args []any, cols int) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var (
		b    strings.Builder
		line string
		dest = make([]any, cols)
	)
	for i := range cols - 1 {
		dest[i] = new(any)
	}
	dest[cols-1] = &line
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
