package sqlq

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

const optFilter = "$filter"

// Where translates filter f into a boolean SQL expression over cols,
// appending its parameters to a; a nil filter is "". A property missing from
// cols is a badRequest naming it, and so is an any() lambda, which SQL does
// not translate (collections are filtered in Go: see store/internal/memq);
// a tree the parser should never build is a plain error.
func Where(f industrydata.Filter, cols Columns, a *Args) (string, error) {
	if f == nil {
		return "", nil
	}
	e, ok := f.(odata.Expr)
	if !ok {
		return "", fmt.Errorf("sqlq: filter of type %T is not an odata.Expr", f)
	}
	w := &where{cols: cols, a: a}
	return w.expr(e, false)
}

// where is the state of one translation.
type where struct {
	cols Columns
	a    *Args
}

// expr translates e, or its negation when neg is set. Negations are pushed
// down to the comparisons, which are then negated in two-valued logic.
func (w *where) expr(e odata.Expr, neg bool) (string, error) {
	if isNil(e) {
		return "", fmt.Errorf("sqlq: nil %T in a $filter tree", e)
	}
	switch e := e.(type) {
	case *odata.Binary:
		switch e.Op {
		case odata.OpAnd, odata.OpOr:
			return w.logical(e, neg)
		}
		return w.compare(e, neg)
	case *odata.Not:
		return w.expr(e.X, !neg)
	case *odata.In:
		return w.in(e, neg)
	case *odata.Call:
		return w.call(e, neg)
	case *odata.Any:
		return "", refuseAny(e)
	case *odata.Literal:
		if b, ok := e.Value.(bool); ok {
			return boolSQL(b != neg), nil
		}
	case *odata.Property:
		// A Boolean property used as a predicate: `isActive` is `isActive eq true`.
		return w.compare(&odata.Binary{Op: odata.OpEq, Left: e, Right: &odata.Literal{Kind: schema.Boolean, Value: true}}, neg)
	}
	return "", fmt.Errorf("sqlq: unexpected %T in a $filter tree", e)
}

// isNil reports whether e is nil or a nil pointer of a node type.
func isNil(e odata.Expr) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *odata.Binary:
		return e == nil
	case *odata.Not:
		return e == nil
	case *odata.In:
		return e == nil
	case *odata.Call:
		return e == nil
	case *odata.Any:
		return e == nil
	case *odata.Literal:
		return e == nil
	case *odata.Property:
		return e == nil || e.Prop == nil
	}
	return false
}

func boolSQL(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

func (w *where) logical(e *odata.Binary, neg bool) (string, error) {
	l, err := w.expr(e.Left, neg)
	if err != nil {
		return "", err
	}
	r, err := w.expr(e.Right, neg)
	if err != nil {
		return "", err
	}
	op := "AND"
	if (e.Op == odata.OpOr) != neg { // De Morgan
		op = "OR"
	}
	return "(" + l + " " + op + " " + r + ")", nil
}

// column resolves the operand of a comparison: a property of the entity.
func (w *where) column(e odata.Expr) (Column, string, error) {
	p, ok := e.(*odata.Property)
	if !ok || p == nil || p.Prop == nil {
		return Column{}, "", fmt.Errorf("sqlq: %T where a property was expected", e)
	}
	// A collection is only ever an any() operand.
	c, ok := w.cols[p.Prop.Name]
	if !ok || p.Prop.Collection {
		return Column{}, "", unsupported(optFilter, p.Prop.Name)
	}
	return c, p.Prop.Name, nil
}

// flipped is the operator that gives the same result with its operands swapped.
var flipped = map[odata.BinaryOp]odata.BinaryOp{
	odata.OpEq: odata.OpEq, odata.OpNe: odata.OpNe,
	odata.OpGt: odata.OpLt, odata.OpGe: odata.OpLe, odata.OpLt: odata.OpGt, odata.OpLe: odata.OpGe,
}

// negated is the operator true exactly where op is false, for non-null operands.
var negated = map[odata.BinaryOp]odata.BinaryOp{
	odata.OpEq: odata.OpNe, odata.OpNe: odata.OpEq,
	odata.OpGt: odata.OpLe, odata.OpGe: odata.OpLt, odata.OpLt: odata.OpGe, odata.OpLe: odata.OpGt,
}

var sqlOps = map[odata.BinaryOp]string{
	odata.OpEq: "=", odata.OpNe: "<>", odata.OpGt: ">", odata.OpGe: ">=", odata.OpLt: "<", odata.OpLe: "<=",
}

func (w *where) compare(e *odata.Binary, neg bool) (string, error) {
	if _, ok := sqlOps[e.Op]; !ok {
		return "", fmt.Errorf("sqlq: unknown operator %q", e.Op)
	}
	// The parser puts the property on the left; accept either side anyway.
	operand, lit, op := e.Left, e.Right, e.Op
	if l, isLit := e.Left.(*odata.Literal); isLit {
		operand, lit, op = e.Right, l, flipped[e.Op]
	}
	l, ok := lit.(*odata.Literal)
	if !ok || l == nil {
		return "", fmt.Errorf("sqlq: comparison of %T with %T", e.Left, e.Right)
	}
	c, prop, err := w.column(operand)
	if err != nil {
		return "", err
	}
	if l.Value == nil {
		switch op {
		case odata.OpEq, odata.OpNe:
			if (op == odata.OpEq) != neg {
				return c.SQL + " IS NULL", nil
			}
			return c.SQL + " IS NOT NULL", nil
		}
		return boolSQL(neg), nil // any other comparison with null is false
	}
	p, err := w.a.bind(c, l.Value, optFilter, prop)
	if err != nil {
		return "", err
	}
	// Only ne holds for a NULL operand; the negation of anything else does.
	withNull := op == odata.OpNe
	if neg {
		op, withNull = negated[op], !withNull
	}
	s := c.SQL + " " + sqlOps[op] + " " + p
	if withNull && c.Nullable {
		s = "(" + s + " OR " + c.SQL + " IS NULL)"
	}
	return s, nil
}

func (w *where) in(e *odata.In, neg bool) (string, error) {
	c, prop, err := w.column(e.X)
	if err != nil {
		return "", err
	}
	var ps []string
	hasNull := false
	for _, l := range e.List {
		if l == nil || l.Value == nil {
			hasNull = true
			continue
		}
		p, err := w.a.bind(c, l.Value, optFilter, prop)
		if err != nil {
			return "", err
		}
		ps = append(ps, p)
	}
	var terms []string
	if len(ps) > 0 {
		if neg {
			terms = append(terms, c.SQL+" NOT IN ("+strings.Join(ps, ", ")+")")
		} else {
			terms = append(terms, c.SQL+" IN ("+strings.Join(ps, ", ")+")")
		}
	}
	switch {
	case !neg && hasNull:
		terms = append(terms, c.SQL+" IS NULL")
	case neg && hasNull && len(ps) == 0:
		terms = append(terms, c.SQL+" IS NOT NULL")
	case neg && !hasNull && c.Nullable:
		// x ne each member: NULL is none of them.
		terms = append(terms, c.SQL+" IS NULL")
	}
	// NOT IN with a null member is the NOT IN alone: SQL's unknown for a
	// NULL operand is the false that `ne null` gives it.
	switch len(terms) {
	case 0:
		return boolSQL(neg), nil
	case 1:
		return terms[0], nil
	}
	return "(" + strings.Join(terms, " OR ") + ")", nil
}

func (w *where) call(e *odata.Call, neg bool) (string, error) {
	c, prop, err := w.column(e.X)
	if err != nil {
		return "", err
	}
	if e.Arg == nil || e.Arg.Value == nil {
		return boolSQL(neg), nil // a function of null is false
	}
	arg, ok := e.Arg.Value.(string)
	if !ok || (c.Kind != schema.String && c.Kind != schema.Enum) {
		return "", badRequest(optFilter, prop, "%s needs a string property and a string argument", e.Func)
	}
	var pos string
	switch {
	case arg == "":
		// Every string starts with, ends with and contains ''.
		if neg {
			return nullTest(c, true), nil
		}
		return nullTest(c, false), nil
	case e.Func == odata.FuncStartsWith:
		return w.startsWith(c, arg, neg), nil
	case e.Func == odata.FuncEndsWith:
		pos = w.a.Dialect.EndsWith(c.SQL, w.a.Add(arg))
	case e.Func == odata.FuncContains:
		pos = w.a.Dialect.Contains(c.SQL, w.a.Add(arg))
	default:
		return "", fmt.Errorf("sqlq: unknown function %q", e.Func)
	}
	if !neg {
		return pos, nil
	}
	if c.Nullable {
		return "(NOT " + pos + " OR " + c.SQL + " IS NULL)", nil
	}
	return "NOT " + pos, nil
}

// nullTest is col IS NULL (isNull) or IS NOT NULL, folded for a NOT NULL column.
func nullTest(c Column, isNull bool) string {
	switch {
	case !c.Nullable:
		return boolSQL(!isNull)
	case isNull:
		return c.SQL + " IS NULL"
	}
	return c.SQL + " IS NOT NULL"
}

// startsWith is a range over the column, which an index on it can serve: a
// string starts with p exactly when p <= s < upper(p), byte-wise. Without an
// upper bound it is the lower bound and the dialect's exact test.
func (w *where) startsWith(c Column, prefix string, neg bool) string {
	lo := w.a.Add(prefix)
	up, ok := prefixUpper(prefix)
	var s string
	switch {
	case !neg && ok:
		return "(" + c.SQL + " >= " + lo + " AND " + c.SQL + " < " + w.a.Add(up) + ")"
	case !neg:
		return "(" + c.SQL + " >= " + lo + " AND " + w.a.Dialect.StartsWith(c.SQL, lo) + ")"
	case ok:
		s = c.SQL + " < " + lo + " OR " + c.SQL + " >= " + w.a.Add(up)
	default:
		s = "NOT " + w.a.Dialect.StartsWith(c.SQL, lo)
	}
	if c.Nullable {
		s += " OR " + c.SQL + " IS NULL"
	}
	return "(" + s + ")"
}

// prefixUpper returns the least string greater than every string that starts
// with p: p with its last code point incremented (dropping trailing
// U+10FFFF, whose successor does not exist), and false when there is none.
// UTF-8 orders byte-wise as code points do and no encoding is a prefix of
// another, so for valid UTF-8 the range [p, upper) holds exactly the strings
// starting with p. Invalid UTF-8 has no such guarantee: it reports false and
// startsWith falls back to a lower bound and an exact test.
func prefixUpper(p string) (string, bool) {
	if !utf8.ValidString(p) {
		return "", false
	}
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		switch {
		case r == utf8.MaxRune:
			continue
		case r == 0xD7FF: // surrogates are not code points
			return p + "\uE000", true
		}
		return p + string(r+1), true
	}
	return "", false
}

// refuseAny is the error for an any() lambda. The SQL stores keep no
// collection-valued column: the one collection filtered on, a user report's
// issues, lives in its entries' blocks and is filtered in Go
// (store/internal/memq). So a lambda reaching SQL names a collection the
// store cannot filter on, and is refused rather than translated.
func refuseAny(e *odata.Any) error {
	if e.Collection == nil {
		return fmt.Errorf("sqlq: any() without a collection")
	}
	name := e.Collection.Name
	return badRequest(optFilter, name, "filtering on collection %s with any() is not supported by this store", name)
}
