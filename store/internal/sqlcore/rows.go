package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// errStop ends an Each early from its callback; the caller returns nil.
var errStop = errors.New("stop")

// list runs the page query t.List builds for q in scope (the tenant as a
// string, or a parent's key; see sqlq.Table) and scans every row.
func list[T any](ctx context.Context, s *Store, t *sqlq.Table, scope any, q industrydata.ListQuery, scan func(Scanner) (T, error)) ([]T, error) {
	st, err := t.List(s.d.SQL, scope, q)
	if err != nil {
		return nil, s.errorf("list %s: %w", t.Name, err)
	}
	out := make([]T, 0, initialCap(q.Limit))
	err = s.b.Each(ctx, st.SQL, st.Args, func(row Scanner) error {
		v, err := scan(row)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, s.errorf("list %s: %w", t.Name, err)
	}
	return out, nil
}

// count runs the count query t.Count builds for q in scope (see list).
func (s *Store) count(ctx context.Context, t *sqlq.Table, scope any, q industrydata.ListQuery) (int64, error) {
	st, err := t.Count(s.d.SQL, scope, q)
	if err != nil {
		return 0, s.errorf("count %s: %w", t.Name, err)
	}
	n, found := int64(0), false
	err = s.b.Each(ctx, st.SQL, st.Args, func(row Scanner) error {
		found = true
		return row.Scan(&n)
	})
	if err == nil && !found {
		err = s.d.NoRows
	}
	if err != nil {
		return 0, s.errorf("count %s: %w", t.Name, err)
	}
	return n, nil
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
