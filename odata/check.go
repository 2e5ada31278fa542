package odata

import (
	"strconv"
	"strings"

	"industrydata/schema"
)

// This file types the operands the parser read: a literal takes the kind of
// the property it meets, and operators are checked against that kind.

// compare builds `l op r`, normalizing a literal on the left to the right
// (flipping gt/lt) so that translators see one shape: property op literal.
func (p *parser) compare(op BinaryOp, l, r term, opTok token) (term, error) {
	switch {
	case l.ref != nil && r.lit != nil:
		lit, err := p.typeLit(l.ref, *r.lit, op)
		if err != nil {
			return term{}, err
		}
		return term{pos: l.pos, pred: &Binary{Op: op, Left: l.ref, Right: lit}}, nil
	case l.lit != nil && r.ref != nil:
		op = flip(op)
		lit, err := p.typeLit(r.ref, *l.lit, op)
		if err != nil {
			return term{}, err
		}
		return term{pos: l.pos, pred: &Binary{Op: op, Left: r.ref, Right: lit}}, nil
	case l.pred != nil && r.lit != nil:
		return p.comparePred(op, l, *r.lit, opTok)
	case l.lit != nil && r.pred != nil:
		return p.comparePred(op, r, *l.lit, opTok)
	case l.ref != nil && r.ref != nil:
		return term{}, syntaxError(p.src, opTok.pos, "'%s' between two properties is not supported; compare a property with a literal", op)
	case l.lit != nil && r.lit != nil:
		return term{}, syntaxError(p.src, opTok.pos, "'%s' compares two literals; one side must be a property", op)
	}
	return term{}, syntaxError(p.src, opTok.pos, "'%s' compares a property with a literal, or a condition with true or false", op)
}

// comparePred folds `cond eq true` to cond and `cond eq false` to not cond.
func (p *parser) comparePred(op BinaryOp, cond term, lit token, opTok token) (term, error) {
	if op != OpEq && op != OpNe {
		return term{}, syntaxError(p.src, opTok.pos, "a condition can be compared only by eq or ne, not '%s'", op)
	}
	if lit.kind != tIdent || lit.text != "true" && lit.text != "false" {
		return term{}, syntaxError(p.src, lit.pos, "a condition can be compared only with true or false, not %s", lit.describe())
	}
	if (lit.text == "true") == (op == OpEq) {
		return cond, nil
	}
	return term{pos: cond.pos, pred: &Not{X: cond.pred}}, nil
}

func flip(op BinaryOp) BinaryOp {
	switch op {
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	}
	return op
}

func ordering(op BinaryOp) bool { return op == OpGt || op == OpGe || op == OpLt || op == OpLe }

// target is the Target of an error about ref: the property, or $filter for
// a lambda variable, which is no property a client could look up.
func target(ref Expr) string {
	if p, ok := ref.(*Property); ok {
		return p.Prop.Name
	}
	return "$filter"
}

// refInfo describes the value a *Property or *LambdaVar stands for. Lambda
// variables range over collection elements, which are never null.
func refInfo(ref Expr) (name string, kind schema.Kind, enum *schema.EnumType, nullable bool) {
	switch r := ref.(type) {
	case *Property:
		return r.Prop.Name, r.Prop.Kind, r.Prop.Enum, r.Prop.Nullable
	case *LambdaVar:
		return r.Name, r.Kind, r.Enum, false
	}
	return "", 0, nil, false
}

// typeLit types the literal lit compared with ref by op.
func (p *parser) typeLit(ref Expr, lit token, op BinaryOp) (*Literal, error) {
	name, kind, enum, nullable := refInfo(ref)
	tgt := target(ref)
	if lit.kind == tIdent && lit.text == "null" {
		if ordering(op) {
			return nil, badFilter(tgt, "'%s' can be compared with null only by eq or ne, not '%s'.", name, op)
		}
		if !nullable {
			return nil, badFilter(tgt, "'%s' is never null, so comparing it with null is not supported.", name)
		}
		return &Literal{Kind: kind}, nil
	}
	if ordering(op) && (kind == schema.Boolean || kind == schema.Enum) {
		return nil, badFilter(tgt, "The operator '%s' does not apply to '%s' of type %s; use eq, ne or in.", op, name, typeName(kind, enum, nil))
	}
	return p.typeValue(tgt, name, kind, enum, lit)
}

// typeValue types a non-null literal as a value of the given kind.
func (p *parser) typeValue(tgt, name string, kind schema.Kind, enum *schema.EnumType, lit token) (*Literal, error) {
	switch {
	case kind == schema.String && lit.kind == tString:
		return &Literal{Kind: kind, Value: lit.value}, nil
	case kind == schema.Enum && lit.kind == tString:
		return member(tgt, name, enum, lit.value)
	case kind == schema.Enum && lit.kind == tEnum:
		if lit.text != enum.FullName() {
			return nil, badFilter(tgt, "'%s' is of type %s, not %s.", name, enum.FullName(), clip(lit.text))
		}
		return member(tgt, name, enum, lit.value)
	case kind == schema.DateTimeOffset && lit.kind == tDate:
		t, err := schema.ParseDateTimeOffset(lit.text)
		if err != nil {
			return nil, badFilter(tgt, "%s is not a valid DateTimeOffset for '%s'; write a date, a time and an offset, as in 2024-05-01T08:30:00Z%s.", clip(lit.text), name, p.plusHint(lit))
		}
		return &Literal{Kind: kind, Value: t}, nil
	case kind == schema.DateTimeOffset && lit.kind == tString:
		if _, err := schema.ParseDateTimeOffset(lit.value); err == nil {
			return nil, badFilter(tgt, "Write the DateTimeOffset compared with '%s' without quotes: %s.", name, lit.value)
		}
	case kind == schema.Boolean && lit.kind == tIdent && (lit.text == "true" || lit.text == "false"):
		return &Literal{Kind: kind, Value: lit.text == "true"}, nil
	case kind.IsInteger() && lit.kind == tNumber:
		bits := 64
		if kind == schema.Int32 {
			bits = 32
		}
		n, err := strconv.ParseInt(lit.text, 10, bits)
		if err != nil {
			return nil, badFilter(tgt, "%s is out of range for '%s' (%s).", clip(lit.text), name, kind.EdmName())
		}
		return &Literal{Kind: kind, Value: n}, nil
	case kind == schema.Date && lit.kind == tDate:
		if _, err := schema.ParseDate(lit.text); err != nil {
			return nil, badFilter(tgt, "%s is not a valid Edm.Date for '%s'; write it as 2024-09-01.", clip(lit.text), name)
		}
		return &Literal{Kind: kind, Value: lit.text}, nil
	}
	return nil, badFilter(tgt, "'%s' is of type %s and cannot be compared with %s.", name, typeName(kind, enum, nil), describeLit(lit))
}

// plusHint explains a date-time whose offset became a space: url.ParseQuery
// decodes an unescaped '+' as ' ', so +02:00 arrives as " 02:00".
func (p *parser) plusHint(lit token) string {
	end := lit.pos + len(lit.text)
	if end+1 < len(p.src) && p.src[end] == ' ' && isDigit(p.src[end+1]) {
		return " (a '+' in a URL stands for a space; encode it as %2B)"
	}
	return ""
}

func member(tgt, name string, enum *schema.EnumType, v string) (*Literal, error) {
	if !enum.Has(v) {
		return nil, badFilter(tgt, "'%s' is not a member of %s; '%s' takes one of: %s.", clip(v), enum.FullName(), name, strings.Join(enum.Members, ", "))
	}
	return &Literal{Kind: schema.Enum, Value: v}, nil
}

// typeName is the EDM name of a property's type for messages.
func typeName(kind schema.Kind, enum *schema.EnumType, complex *schema.ComplexType) string {
	switch {
	case kind == schema.Enum && enum != nil:
		return enum.FullName()
	case kind == schema.Complex && complex != nil:
		return complex.FullName()
	}
	return kind.EdmName()
}

// describeLit names a literal token for a type mismatch.
func describeLit(lit token) string {
	switch lit.kind {
	case tString:
		return "the string " + lit.describe()
	case tNumber:
		return "the number " + clip(lit.text)
	case tEnum:
		return "the enum value " + lit.describe()
	case tIdent:
		if lit.text == "true" || lit.text == "false" {
			return "the Boolean " + lit.text
		}
	case tDate:
		if t := lit.text; len(t) >= 11 && allDigits(t[:4]) && t[4] == '-' && strings.Contains(t, "T") {
			return "the date-time " + clip(t)
		}
		return "'" + clip(lit.text) + "', which is not a literal $filter supports (numbers are integers; date-times are written as 2024-05-01T08:30:00Z)"
	}
	return lit.describe()
}

// parseIn parses the list of `x in (v1, v2, …)`; each value is typed as if
// compared with x by eq, so null is allowed for a nullable x.
func (p *parser) parseIn(x term, inTok token) (term, error) {
	if x.ref == nil {
		return term{}, syntaxError(p.src, inTok.pos, "the left side of 'in' must be a property")
	}
	if _, err := p.expect(tLParen, "'(' after 'in'"); err != nil {
		return term{}, err
	}
	if tok := p.peek(); tok.kind == tRParen {
		return term{}, syntaxError(p.src, tok.pos, "the list after 'in' is empty")
	}
	in := &In{X: x.ref}
	for {
		tok := p.next()
		if !isLiteral(tok) {
			return term{}, p.unexpected(tok, "a literal in the list after 'in'")
		}
		lit, err := p.typeLit(x.ref, tok, OpEq)
		if err != nil {
			return term{}, err
		}
		in.List = append(in.List, lit)
		sep := p.next()
		if sep.kind == tRParen {
			return term{pos: x.pos, pred: in}, nil
		}
		if sep.kind != tComma {
			return term{}, p.unexpected(sep, "',' or ')' in the list after 'in'")
		}
	}
}

func isLiteral(tok token) bool {
	switch tok.kind {
	case tString, tNumber, tDate, tEnum:
		return true
	case tIdent:
		return tok.text == "true" || tok.text == "false" || tok.text == "null"
	}
	return false
}

// call types fn(subject, arg): a String property and a string literal.
func (p *parser) call(fn Func, name token, subject, arg term) (term, error) {
	if subject.ref == nil {
		if subject.lit != nil && arg.ref != nil {
			return term{}, syntaxError(p.src, subject.pos, "%s takes the property first, as in %s(displayName,'text')", fn, fn)
		}
		return term{}, syntaxError(p.src, subject.pos, "the first argument of %s must be a property", fn)
	}
	refName, kind, enum, _ := refInfo(subject.ref)
	if kind != schema.String {
		return term{}, badFilter(target(subject.ref), "%s applies to String properties; '%s' is of type %s.", fn, refName, typeName(kind, enum, nil))
	}
	if arg.lit == nil || arg.lit.kind != tString {
		return term{}, syntaxError(p.src, arg.pos, "the second argument of %s must be a string literal such as 'text'", fn)
	}
	return term{pos: name.pos, pred: &Call{Func: fn, X: subject.ref, Arg: &Literal{Kind: schema.String, Value: arg.lit.value}}}, nil
}

// toPred makes a condition of x: a Boolean property or lambda variable
// stands for `x eq true`; any other value is not a condition.
func (p *parser) toPred(x term) (Expr, error) {
	switch {
	case x.pred != nil:
		return x.pred, nil
	case x.ref != nil:
		name, kind, enum, _ := refInfo(x.ref)
		if kind == schema.Boolean {
			return &Binary{Op: OpEq, Left: x.ref, Right: &Literal{Kind: schema.Boolean, Value: true}}, nil
		}
		return nil, syntaxError(p.src, x.pos, "'%s' is of type %s, not a condition; compare it with a value", name, typeName(kind, enum, nil))
	}
	return nil, syntaxError(p.src, x.pos, "%s is not a condition", describeLit(*x.lit))
}
