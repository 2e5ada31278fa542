package odata

import (
	"strings"
	"unicode/utf8"

	"industrydata"
	"industrydata/schema"
)

// Bounds on $filter, so that hostile input cannot exhaust the stack or the
// CPU: the parser recurses once per nesting level, and every later pass
// (String, Match, the SQL translation) walks the tree it built.
const (
	// MaxFilterLength is the longest $filter text accepted, in bytes.
	MaxFilterLength = 2048
	// MaxFilterDepth is how deeply parentheses, function calls and any
	// lambdas may nest.
	MaxFilterDepth = 32
)

// ParseFilter parses the $filter text s and checks it against the entity
// type t. The grammar, by increasing precedence:
//
//	or:    and {"or" and}
//	and:   cmp {"and" cmp}
//	cmp:   unary [("eq"|"ne"|"gt"|"ge"|"lt"|"le") unary | "in" "(" literal {"," literal} ")"]
//	unary: "not" unary | primary
//	primary: "(" or ")" | func "(" primary "," primary ")" | property ["/any(" [var ":" or] ")"]
//	         | var | literal
//
// Keywords are lower case, as OData's are. A bare Boolean property is a
// condition (flag means flag eq true); a condition compared with true or
// false is the condition or its negation. Every failure is an
// *industrydata.Error with code badRequest naming the property at fault, or
// with Target "$filter" and the character position of a syntax error; its
// message names $filter either way.
func ParseFilter(s string, t *schema.EntityType) (Expr, error) {
	if len(s) > MaxFilterLength {
		return nil, industrydata.BadProperty("$filter", "The $filter is longer than %d bytes.", MaxFilterLength)
	}
	if !utf8.ValidString(s) {
		return nil, industrydata.BadProperty("$filter", "The $filter is not valid UTF-8.")
	}
	if strings.TrimSpace(s) == "" {
		return nil, industrydata.BadProperty("$filter", "The $filter is empty.")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{src: s, toks: toks, t: t}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if tok := p.peek(); tok.kind != tEOF {
		return nil, p.unexpected(tok, "'and', 'or' or the end of the filter")
	}
	return p.toPred(x)
}

// parser is a recursive-descent parser over the tokens of one $filter.
type parser struct {
	src   string
	toks  []token
	i     int
	t     *schema.EntityType
	depth int
	vars  []*LambdaVar // lambda variables in scope, innermost last
}

// term is an operand before it is typed: exactly one of pred (a condition:
// Binary, Not, In, Call, Any), ref (a *Property or *LambdaVar) and lit (a
// literal token) is set. Literals are typed only once the property they meet
// is known, since 'x' may be a String or an enum member.
type term struct {
	pos  int
	pred Expr
	ref  Expr
	lit  *token
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	tok := p.toks[p.i]
	if tok.kind != tEOF {
		p.i++
	}
	return tok
}

// keyword reports whether the next token is the lower-case keyword kw.
func (p *parser) keyword(kw string) bool {
	tok := p.peek()
	return tok.kind == tIdent && tok.text == kw
}

func (p *parser) expect(kind tokenKind, what string) (token, error) {
	tok := p.next()
	if tok.kind != kind {
		return tok, p.unexpected(tok, what)
	}
	return tok, nil
}

// enter and leave bound the nesting depth (MaxFilterDepth).
func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return syntaxError(p.src, pos, "the filter nests more than %d levels deep", MaxFilterDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() (term, error) {
	return p.parseLogical(OpOr, p.parseAnd)
}

func (p *parser) parseAnd() (term, error) {
	return p.parseLogical(OpAnd, p.parseCmp)
}

// parseLogical parses a left-associative chain of op over operands.
func (p *parser) parseLogical(op BinaryOp, operand func() (term, error)) (term, error) {
	left, err := operand()
	if err != nil {
		return term{}, err
	}
	for p.keyword(string(op)) {
		p.next()
		right, err := operand()
		if err != nil {
			return term{}, err
		}
		l, err := p.toPred(left)
		if err != nil {
			return term{}, err
		}
		r, err := p.toPred(right)
		if err != nil {
			return term{}, err
		}
		left = term{pos: left.pos, pred: &Binary{Op: op, Left: l, Right: r}}
	}
	return left, nil
}

var comparisonOps = map[string]BinaryOp{"eq": OpEq, "ne": OpNe, "gt": OpGt, "ge": OpGe, "lt": OpLt, "le": OpLe}

func (p *parser) parseCmp() (term, error) {
	left, err := p.parseUnary()
	if err != nil {
		return term{}, err
	}
	tok := p.peek()
	if tok.kind != tIdent {
		return left, nil
	}
	if op, ok := comparisonOps[tok.text]; ok {
		p.next()
		right, err := p.parseUnary()
		if err != nil {
			return term{}, err
		}
		return p.compare(op, left, right, tok)
	}
	if tok.text == "in" {
		p.next()
		return p.parseIn(left, tok)
	}
	return left, nil
}

func (p *parser) parseUnary() (term, error) {
	if !p.keyword("not") {
		return p.parsePrimary()
	}
	// A chain of nots is bounded by the text's length, not by the depth:
	// counting them would make `not (x)` deeper than the `(x) eq false` it
	// canonicalizes.
	tok := p.next()
	x, err := p.parseUnary()
	if err != nil {
		return term{}, err
	}
	pred, err := p.toPred(x)
	if err != nil {
		return term{}, err
	}
	return term{pos: tok.pos, pred: &Not{X: pred}}, nil
}

func (p *parser) parsePrimary() (term, error) {
	tok := p.next()
	switch tok.kind {
	case tLParen:
		if err := p.enter(tok.pos); err != nil {
			return term{}, err
		}
		x, err := p.parseOr()
		if err != nil {
			return term{}, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return term{}, err
		}
		p.leave()
		x.pos = tok.pos
		return x, nil
	case tString, tNumber, tDate, tEnum:
		return term{pos: tok.pos, lit: &tok}, nil
	case tIdent:
		switch tok.text {
		case "true", "false", "null":
			return term{pos: tok.pos, lit: &tok}, nil
		}
		if p.peek().kind == tLParen {
			return p.parseCall(tok)
		}
		return p.parseRef(tok)
	}
	return term{}, p.unexpected(tok, "a property, a literal, 'not' or '('")
}

// parseRef resolves a name: a lambda variable in scope, else a property of
// the entity type (a collection only as the subject of any).
func (p *parser) parseRef(tok token) (term, error) {
	for i := len(p.vars) - 1; i >= 0; i-- {
		if v := p.vars[i]; v.Name == tok.text {
			if p.peek().kind == tSlash {
				return term{}, syntaxError(p.src, p.peek().pos, "'%s' is an element of a collection; paths below it are not supported", v.Name)
			}
			return term{pos: tok.pos, ref: &LambdaVar{Name: v.Name, Kind: v.Kind, Enum: v.Enum}}, nil
		}
	}
	prop := p.t.Property(tok.text)
	if prop == nil {
		if p.t.NavigationProperty(tok.text) != nil {
			return term{}, industrydata.BadProperty(tok.text, "'%s' is a navigation property; $filter supports only the structural properties of %s.", tok.text, p.t.FullName())
		}
		if reserved[tok.text] {
			return term{}, p.unexpected(tok, "a property, a literal, 'not' or '('")
		}
		return term{}, badFilter(clip(tok.text), "'%s' is not a property of %s.", clip(tok.text), p.t.FullName())
	}
	if prop.Kind == schema.Complex {
		return term{}, industrydata.BadProperty(prop.Name, "'%s' is of complex type %s, which $filter does not support.", prop.Name, typeName(prop.Kind, prop.Enum, prop.Complex))
	}
	if p.peek().kind == tSlash {
		return p.parseAny(prop, tok)
	}
	if prop.Collection {
		return term{}, badFilter(prop.Name, "'%s' is a collection; filter its elements with %s/any(x:x eq …).", prop.Name, prop.Name)
	}
	return term{pos: tok.pos, ref: &Property{Prop: prop}}, nil
}

// parseAny parses `/any(v: pred)` or `/any()` after the collection prop.
func (p *parser) parseAny(prop *schema.Property, propTok token) (term, error) {
	p.next() // the slash
	fn := p.next()
	if fn.kind != tIdent || fn.text != "any" {
		if fn.kind == tIdent && fn.text == "all" {
			return term{}, syntaxError(p.src, fn.pos, "the lambda 'all' is not supported; write not %s/any(x:not (…))", prop.Name)
		}
		return term{}, syntaxError(p.src, fn.pos, "expected 'any' after '%s/', found %s", prop.Name, fn.describe())
	}
	if !prop.Collection {
		return term{}, badFilter(prop.Name, "'%s' is not a collection; any applies only to collection-valued properties.", prop.Name)
	}
	open, err := p.expect(tLParen, "'(' after 'any'")
	if err != nil {
		return term{}, err
	}
	if err := p.enter(open.pos); err != nil {
		return term{}, err
	}
	defer p.leave()
	if p.peek().kind == tRParen {
		p.next()
		return term{pos: propTok.pos, pred: &Any{Collection: prop}}, nil
	}
	v, err := p.expect(tIdent, "a lambda variable name or ')'")
	if err != nil {
		return term{}, err
	}
	if reserved[v.text] || strings.Contains(v.text, ".") {
		return term{}, syntaxError(p.src, v.pos, "'%s' cannot name a lambda variable", clip(v.text))
	}
	for _, outer := range p.vars {
		if outer.Name == v.text {
			return term{}, syntaxError(p.src, v.pos, "the lambda variable '%s' is already in use", v.text)
		}
	}
	if _, err := p.expect(tColon, "':' after the lambda variable"); err != nil {
		return term{}, err
	}
	p.vars = append(p.vars, &LambdaVar{Name: v.text, Kind: prop.Kind, Enum: prop.Enum})
	body, err := p.parseOr()
	p.vars = p.vars[:len(p.vars)-1]
	if err != nil {
		return term{}, err
	}
	pred, err := p.toPred(body)
	if err != nil {
		return term{}, err
	}
	if _, err := p.expect(tRParen, "')' to close the any lambda"); err != nil {
		return term{}, err
	}
	return term{pos: propTok.pos, pred: &Any{Collection: prop, Var: v.text, Pred: pred}}, nil
}

// reserved are the keywords that cannot be property or variable names.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "eq": true, "ne": true, "gt": true, "ge": true,
	"lt": true, "le": true, "in": true, "true": true, "false": true, "null": true,
	"any": true, "all": true, "has": true, "add": true, "sub": true, "mul": true,
	"div": true, "divby": true, "mod": true,
}

// unsupportedOps are OData operators this service does not implement.
var unsupportedOps = map[string]bool{"has": true, "add": true, "sub": true, "mul": true, "div": true, "divby": true, "mod": true}

// parseCall parses startswith/endswith/contains(property, 'text').
func (p *parser) parseCall(name token) (term, error) {
	fn := Func(name.text)
	if fn != FuncStartsWith && fn != FuncEndsWith && fn != FuncContains {
		return term{}, industrydata.BadProperty("$filter", "The function '%s' is not supported in $filter; use startswith, endswith or contains.", clip(name.text))
	}
	open := p.next()
	if err := p.enter(open.pos); err != nil {
		return term{}, err
	}
	defer p.leave()
	subject, err := p.parsePrimary()
	if err != nil {
		return term{}, err
	}
	if _, err := p.expect(tComma, "',' between the arguments of "+name.text); err != nil {
		return term{}, err
	}
	arg, err := p.parsePrimary()
	if err != nil {
		return term{}, err
	}
	if _, err := p.expect(tRParen, "')' after the arguments of "+name.text); err != nil {
		return term{}, err
	}
	return p.call(fn, name, subject, arg)
}

// unexpected is the syntax error for tok where want was expected, with a
// hint for the usual slips: upper-case operators and unsupported ones.
func (p *parser) unexpected(tok token, want string) error {
	hint := ""
	if tok.kind == tIdent {
		lower := strings.ToLower(tok.text)
		switch {
		case lower != tok.text && (comparisonOps[lower] != "" || lower == "and" || lower == "or" || lower == "not" || lower == "in"):
			hint = " (operators are lower case: '" + lower + "')"
		case unsupportedOps[tok.text]:
			hint = " (the operator '" + tok.text + "' is not supported)"
		}
	}
	return syntaxError(p.src, tok.pos, "expected %s, found %s%s", want, tok.describe(), hint)
}
