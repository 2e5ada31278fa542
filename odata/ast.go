package odata

import "industrydata/schema"

// Expr is a node of a $filter syntax tree. Every node has a type the parser
// checked: comparisons and logical operators are Boolean, property and
// literal nodes carry the kind of their value.
type Expr interface {
	// IsFilter marks the node as an industrydata.Filter, the type store
	// interfaces take without importing this package.
	IsFilter()
}

// BinaryOp is a binary operator of $filter.
type BinaryOp string

// The binary operators.
const (
	OpAnd BinaryOp = "and"
	OpOr  BinaryOp = "or"
	OpEq  BinaryOp = "eq"
	OpNe  BinaryOp = "ne"
	OpGt  BinaryOp = "gt"
	OpGe  BinaryOp = "ge"
	OpLt  BinaryOp = "lt"
	OpLe  BinaryOp = "le"
)

// Binary is a logical (and, or) or comparison operation. For comparisons
// Left is always a Property or LambdaVar and Right a Literal (the parser
// normalizes `'x' eq name` to `name eq 'x'`, flipping the operator as needed);
// `eq null`/`ne null` compare with a Literal whose Value is nil (its Kind is
// the property's). A bare Boolean property `flag` is `flag eq true`.
type Binary struct {
	Op          BinaryOp
	Left, Right Expr
}

// Not negates a Boolean expression. Logic is two-valued (see the package
// documentation): `not (x gt 1)` holds when x is null.
type Not struct {
	X Expr
}

// In is `X in (v1, v2, …)`: X a Property or LambdaVar, the list non-empty
// literals of X's kind; a null Literal among them (X nullable) matches a
// null X, as `X eq v1 or X eq null` would.
type In struct {
	X    Expr
	List []*Literal
}

// Func names a string function.
type Func string

// The string functions of $filter.
const (
	FuncStartsWith Func = "startswith"
	FuncEndsWith   Func = "endswith"
	FuncContains   Func = "contains"
)

// Call is startswith(X, 'lit'), endswith(X, 'lit') or contains(X, 'lit'),
// X a String-typed Property or LambdaVar.
type Call struct {
	Func Func
	X    Expr
	Arg  *Literal
}

// Property is a reference to a structural property of the entity type the
// query runs against.
type Property struct {
	Prop *schema.Property
}

// Any is the lambda `Collection/any(Var: Pred)` over a collection-valued
// property (e.g. issues/any(i: i eq 'missingEmail')); Pred refers to the
// element as LambdaVar, and may also use the entity's other properties.
// `Collection/any()` with no predicate is true when the
// collection is not empty (Pred nil).
type Any struct {
	Collection *schema.Property
	Var        string
	Pred       Expr
}

// LambdaVar is the range variable inside an Any predicate; Kind and Enum are
// those of the collection's elements.
type LambdaVar struct {
	Name string
	Kind schema.Kind
	Enum *schema.EnumType
}

// Literal is a constant of a $filter. Kind is the kind of the property it is
// compared with; Value holds string for String and Enum, time.Time (UTC,
// normalized to 100 ns) for DateTimeOffset, bool for Boolean, int64 for
// Int64, and nil for the null literal. An enum literal may be written as
// 'member' or as Namespace.EnumType'member'; it is checked against its
// property's members.
type Literal struct {
	Kind  schema.Kind
	Value any
}

// IsFilter implements Expr (and industrydata.Filter) for every node.
func (*Binary) IsFilter()    {}
func (*Not) IsFilter()       {}
func (*In) IsFilter()        {}
func (*Call) IsFilter()      {}
func (*Property) IsFilter()  {}
func (*Any) IsFilter()       {}
func (*LambdaVar) IsFilter() {}
func (*Literal) IsFilter()   {}

// OrderKey is one key of $orderby.
type OrderKey struct {
	Prop *schema.Property
	Desc bool
}

// Query is every option of one request, parsed and checked.
type Query struct {
	// Type is the entity type the options were checked against; it is part
	// of the Fingerprint that binds a $skiptoken to its query.
	Type    *schema.EntityType
	Filter  Expr       // nil when absent
	OrderBy []OrderKey // empty: insertion order
	// Select lists the properties to show; nil shows all.
	Select []string
	// Expand lists navigation properties to expand (e.g. runs).
	Expand []string
	Top    int // 0: absent
	Skip   int
	Count  bool
	// SkipToken is the raw $skiptoken; DecodeSkipToken verifies it.
	SkipToken string
}
