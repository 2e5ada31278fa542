// Package sqlq translates a root ListQuery — its $filter syntax tree
// (package odata), $orderby keys and keyset cursor — into SQL fragments with
// bound parameters, for the SQLite and PostgreSQL stores. Values are never
// spliced into SQL text: every literal, cursor value, scope value, type,
// limit and offset becomes a parameter, so the text depends only on the
// query's shape and can key a statement cache.
//
// The SQL has the semantics of the in-Go evaluator of package odata (SPEC §5):
//
//   - strings (and enum members) compare byte-wise, as SQLite's default
//     BINARY collation does; on PostgreSQL, text columns must be declared
//     COLLATE "C" (and indexed so) for the same order;
//   - `eq null` is true for NULL and `ne null` for anything else; `x ne 'v'`
//     is true when x is NULL; every other comparison, and every string
//     function, is false on NULL;
//   - `not` negates that two-valued logic: Where pushes negations down to the
//     comparisons (De Morgan) and adds the IS NULL guards the negated
//     comparison needs, so SQL's unknown never drops or keeps a row the
//     evaluator would not;
//   - startswith, endswith and contains are case-sensitive and byte-wise;
//   - ordering puts nulls first ascending and last descending, with the
//     insertion sequence as the final tiebreaker in the direction of the
//     first key (ascending when there is no key).
//
// DateTimeOffset columns hold ticks (industrydata.Ticks), which sort and
// compare like the timestamps.
package sqlq

import (
	"fmt"
	"time"

	"industrydata"
	"industrydata/schema"
)

// Column is the SQL behind one property of an entity type.
type Column struct {
	// SQL is the column expression, qualified with its table (operations.id).
	SQL string
	// Kind says how values compared with the column are bound: String and
	// Enum as string, DateTimeOffset as ticks (int64), Boolean as bool,
	// Int64 as int64.
	Kind schema.Kind
	// Nullable columns get the IS NULL guards and the explicit NULLS
	// FIRST/LAST ordering that NOT NULL columns do without (which keeps
	// their ORDER BY matching plain indexes on PostgreSQL too).
	Nullable bool
}

// Columns maps the property names a store can filter and sort on to their
// columns. A property missing from the map is refused with a badRequest
// naming it.
type Columns map[string]Column

// Dialect is what differs between the SQL engines.
type Dialect interface {
	// Placeholder is the SQL of the n-th parameter (1-based). It must be
	// numbered (?n, $n): Where uses some parameters more than once.
	Placeholder(n int) string
	// Contains is a case-sensitive, byte-wise test that string parameter p
	// (its placeholder, which may be used more than once) occurs in col;
	// StartsWith and EndsWith that col starts or ends with it. They are only
	// asked for a non-empty p and must be two-valued (true or false, never
	// NULL) when col is not NULL. Where serves startswith with a range that
	// indexes can use, and asks StartsWith only when p has no upper bound.
	Contains(col, p string) string
	StartsWith(col, p string) string
	EndsWith(col, p string) string
	// LimitOffset is the clause that ends a query; limit and offset are
	// placeholders, or "" when absent.
	LimitOffset(limit, offset string) string
}

// Args collects the parameters of one statement in order.
type Args struct {
	Dialect Dialect
	Values  []any
}

// NewArgs returns an empty parameter list for d.
func NewArgs(d Dialect) *Args { return &Args{Dialect: d} }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.Values = append(a.Values, v)
	return a.Dialect.Placeholder(len(a.Values))
}

// bind appends value v, compared with column c, in c's stored form and
// returns its placeholder. option names the query option the value came
// from, for the error of a value of the wrong type.
func (a *Args) bind(c Column, v any, option, prop string) (string, error) {
	var out any
	switch c.Kind {
	case schema.String, schema.Enum:
		if s, ok := v.(string); ok {
			out = s
		}
	case schema.DateTimeOffset:
		if t, ok := v.(time.Time); ok {
			n, ok := industrydata.NormalizeTimestamp(t)
			if !ok {
				return "", badRequest(option, prop, "%s is outside the range of Edm.DateTimeOffset", t.Format(time.RFC3339Nano))
			}
			out = industrydata.Ticks(n)
		}
	case schema.Boolean:
		if b, ok := v.(bool); ok {
			out = b
		}
	case schema.Int64:
		switch n := v.(type) {
		case int64:
			out = n
		case int:
			out = int64(n)
		}
	}
	if out == nil {
		return "", badRequest(option, prop, "a %T value cannot be compared with property %s", v, prop)
	}
	return a.Add(out), nil
}

// badRequest is the error for a query the store cannot run as asked.
func badRequest(option, prop, format string, args ...any) error {
	return &industrydata.Error{Code: industrydata.CodeBadRequest, Message: fmt.Sprintf(format, args...), Target: targetOf(option, prop)}
}

// targetOf is an error's target: the property at fault, else the option.
func targetOf(option, prop string) string {
	if prop == "" {
		return option
	}
	return prop
}

// unsupported is the badRequest for a property missing from the column map.
func unsupported(option, prop string) error {
	return badRequest(option, prop, "property %s cannot be used in %s", prop, option)
}
