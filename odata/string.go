package odata

import (
	"strconv"
	"strings"
	"time"

	"industrydata/schema"
)

// The String methods print the canonical OData text of a node: lower-case
// keywords, one space around binary operators, no space after commas and
// colons, parentheses only where precedence needs them, literals in their
// shortest form (enum members unqualified, date-times in UTC). Parsing a
// canonical text gives back a tree with the same text, which is what makes
// it a fingerprint of the filter (Query.Fingerprint).

// precedence ranks operators as the parser binds them.
func precedence(e Expr) int {
	b, ok := e.(*Binary)
	switch {
	case !ok:
		return 4 // not, calls, any and the rest bind tighter than any binary
	case b.Op == OpOr:
		return 1
	case b.Op == OpAnd:
		return 2
	}
	return 3
}

func (b *Binary) String() string {
	if isBareBoolean(b) {
		// flag eq true is how the parser reads a bare flag; print it back so.
		return exprString(b.Left)
	}
	var s strings.Builder
	// Binary operators associate to the left, so only a right operand of
	// the same precedence needs parentheses.
	writeOperand(&s, b.Left, precedence(b.Left) < precedence(b))
	s.WriteString(" " + string(b.Op) + " ")
	writeOperand(&s, b.Right, precedence(b.Right) <= precedence(b))
	return s.String()
}

// isBareBoolean reports whether e is `x eq true`, x a Boolean property or
// lambda variable.
func isBareBoolean(e Expr) bool {
	b, ok := e.(*Binary)
	if !ok || b.Op != OpEq {
		return false
	}
	lit, ok := b.Right.(*Literal)
	if !ok || lit.Value != true {
		return false
	}
	switch x := b.Left.(type) {
	case *Property:
		return x.Prop.Kind == schema.Boolean
	case *LambdaVar:
		return x.Kind == schema.Boolean
	}
	return false
}

func writeOperand(s *strings.Builder, e Expr, paren bool) {
	if paren && !isBareBoolean(e) {
		s.WriteString("(" + exprString(e) + ")")
		return
	}
	s.WriteString(exprString(e))
}

func (n *Not) String() string {
	// not binds tighter than comparisons: `not (a eq 1)` needs them.
	_, binary := n.X.(*Binary)
	_, in := n.X.(*In)
	if (binary && !isBareBoolean(n.X)) || in {
		return "not (" + exprString(n.X) + ")"
	}
	return "not " + exprString(n.X)
}

func (in *In) String() string {
	var s strings.Builder
	s.WriteString(exprString(in.X) + " in (")
	for i, lit := range in.List {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString(lit.String())
	}
	s.WriteByte(')')
	return s.String()
}

func (c *Call) String() string {
	return string(c.Func) + "(" + exprString(c.X) + "," + c.Arg.String() + ")"
}

func (p *Property) String() string { return p.Prop.Name }

func (a *Any) String() string {
	if a.Pred == nil {
		return a.Collection.Name + "/any()"
	}
	return a.Collection.Name + "/any(" + a.Var + ":" + exprString(a.Pred) + ")"
}

func (v *LambdaVar) String() string { return v.Name }

// String prints the literal: 'text' with quotes doubled, a date-time in UTC
// with up to seven fraction digits, true/false, an integer, or null.
func (l *Literal) String() string {
	switch v := l.Value.(type) {
	case nil:
		return "null"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case time.Time:
		return v.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return "?"
}

// exprString prints any node, including nil (an absent filter) as "".
func exprString(e Expr) string {
	if e == nil {
		return ""
	}
	if s, ok := e.(interface{ String() string }); ok {
		return s.String()
	}
	return "?"
}

// String prints one $orderby key: name asc or name desc.
func (k OrderKey) String() string {
	if k.Desc {
		return k.Prop.Name + " desc"
	}
	return k.Prop.Name + " asc"
}

// OrderByString prints keys as a canonical $orderby: comma-separated keys,
// each with its direction spelled out.
func OrderByString(keys []OrderKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.String()
	}
	return strings.Join(parts, ",")
}

// FilterString prints a $filter tree in canonical form, "" for nil.
func FilterString(e Expr) string { return exprString(e) }

// Fingerprint identifies the shape of the query a $skiptoken continues: the
// entity type, the canonical $filter and the canonical $orderby. $top,
// $select, $expand and $count may change between pages without moving the
// keyset position, so they are left out.
func (q *Query) Fingerprint() string {
	typ := ""
	if q.Type != nil {
		typ = q.Type.FullName()
	}
	return typ + "\n" + FilterString(q.Filter) + "\n" + OrderByString(q.OrderBy)
}
