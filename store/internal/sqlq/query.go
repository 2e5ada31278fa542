package sqlq

import (
	"fmt"
	"strings"

	"industrydata"
)

// Table describes the table behind one collection, for List and Count.
type Table struct {
	Name   string // the table
	Select string // the column list List returns
	// Scope is the column every query compares with its scope value: the
	// tenant column of a tenant's entities, or the parent's key of entities
	// listed under one parent (the entries of one user report).
	Scope   string
	Type    string  // the full type name column, compared with ListQuery.Type
	Process string  // the parent process id column, compared with ListQuery.ProcessID
	Seq     string  // the insertion sequence, the final sort key
	Columns Columns // the properties that can be filtered and sorted on
}

// Statement is an SQL statement and its parameters.
type Statement struct {
	SQL  string
	Args []any
}

// List returns the SELECT of the page q asks for of the entities in scope,
// whose Scope column equals scope (a value in stored form: the tenant as a
// string, a parent's integer key as an int64):
//
//	SELECT <Select> FROM <Name>
//	WHERE scope = ? [AND type = ?] [AND process = ?] [AND (filter)] [AND keyset]
//	ORDER BY <keys>, seq LIMIT ? OFFSET ?
//
// A property the table cannot filter or sort on, or a cursor that does not
// fit the keys, is a badRequest.
func (t *Table) List(d Dialect, scope any, q industrydata.ListQuery) (Statement, error) {
	if q.Limit < 0 || q.Offset < 0 {
		return Statement{}, fmt.Errorf("sqlq: negative limit %d or offset %d", q.Limit, q.Offset)
	}
	a := NewArgs(d)
	where, err := t.where(a, scope, q)
	if err != nil {
		return Statement{}, err
	}
	keyset, err := Keyset(q.OrderBy, q.After, t.Columns, t.Seq, a)
	if err != nil {
		return Statement{}, err
	}
	if keyset != "" {
		where = append(where, keyset)
	}
	order, err := Order(q.OrderBy, t.Columns, t.Seq)
	if err != nil {
		return Statement{}, err
	}
	var limit, offset string
	if q.Limit > 0 {
		limit = a.Add(int64(q.Limit))
	}
	if q.Offset > 0 {
		offset = a.Add(int64(q.Offset))
	}
	var b strings.Builder
	b.WriteString("SELECT " + t.Select + " FROM " + t.Name + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order)
	if lo := d.LimitOffset(limit, offset); lo != "" {
		b.WriteString(" " + lo)
	}
	return Statement{SQL: b.String(), Args: a.Values}, nil
}

// Count returns the SELECT count(*) of the entities in scope (see List)
// matching q.Filter, q.Type and q.ProcessID; the rest of q is ignored.
func (t *Table) Count(d Dialect, scope any, q industrydata.ListQuery) (Statement, error) {
	a := NewArgs(d)
	where, err := t.where(a, scope, q)
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: "SELECT count(*) FROM " + t.Name + " WHERE " + strings.Join(where, " AND "), Args: a.Values}, nil
}

// where returns the conditions on scope, type, process and filter.
func (t *Table) where(a *Args, scope any, q industrydata.ListQuery) ([]string, error) {
	where := []string{t.Scope + " = " + a.Add(scope)}
	if q.Type != "" {
		if t.Type == "" {
			return nil, fmt.Errorf("sqlq: %s has no type column", t.Name)
		}
		where = append(where, t.Type+" = "+a.Add(q.Type))
	}
	if q.ProcessID != "" {
		if t.Process == "" {
			return nil, fmt.Errorf("sqlq: %s has no process column", t.Name)
		}
		where = append(where, t.Process+" = "+a.Add(q.ProcessID))
	}
	f, err := Where(q.Filter, t.Columns, a)
	if err != nil {
		return nil, err
	}
	if f != "" {
		where = append(where, f)
	}
	return where, nil
}
