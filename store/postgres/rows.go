package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// list runs the page query t.List builds for q in scope (the tenant as a
// string, or a parent's key; see sqlq.Table) and scans every row.
func list[T any](ctx context.Context, s *Store, t *sqlq.Table, scope any, q industrydata.ListQuery, scan func(scanner) (T, error)) ([]T, error) {
	out, err := listRows(ctx, s, t, scope, q, scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: list %s: %w", t.Name, err)
	}
	return out, nil
}

func listRows[T any](ctx context.Context, s *Store, t *sqlq.Table, scope any, q industrydata.ListQuery, scan func(scanner) (T, error)) ([]T, error) {
	st, err := t.List(sqlq.Postgres, scope, q)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, initialCap(q.Limit))
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// count runs the count query t.Count builds for q in scope (see list).
func (s *Store) count(ctx context.Context, t *sqlq.Table, scope any, q industrydata.ListQuery) (int64, error) {
	st, err := t.Count(sqlq.Postgres, scope, q)
	if err != nil {
		return 0, fmt.Errorf("postgres: count %s: %w", t.Name, err)
	}
	var n int64
	if err := s.queryRow(ctx, st.SQL, st.Args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count %s: %w", t.Name, err)
	}
	return n, nil
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// encodeTime normalizes t (UTC, whole ticks) and returns it with its stored
// form. The service normalizes before storing; a timestamp outside
// Edm.DateTimeOffset's range reaching the store is a bug, refused here so it
// never lands in the database.
func encodeTime(property string, t time.Time) (time.Time, int64, error) {
	n, ok := industrydata.NormalizeTimestamp(t)
	if !ok {
		return time.Time{}, 0, fmt.Errorf("%s %s is outside years 1 to 9999", property, t.Format(time.RFC3339Nano))
	}
	return n, industrydata.Ticks(n), nil
}

// encodeOptTime is encodeTime for an optional timestamp; nil is NULL.
func encodeOptTime(property string, t *time.Time) (*time.Time, sql.NullInt64, error) {
	if t == nil {
		return nil, sql.NullInt64{}, nil
	}
	n, ticks, err := encodeTime(property, *t)
	if err != nil {
		return nil, sql.NullInt64{}, err
	}
	return &n, sql.NullInt64{Int64: ticks, Valid: true}, nil
}

func toNullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

func fromNullString(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

// initialCap sizes a list's slice: the limit when it is small, else a
// modest guess so a huge limit does not allocate up front.
func initialCap(limit int) int {
	if limit > 0 && limit <= 256 {
		return limit
	}
	return 16
}
