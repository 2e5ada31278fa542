package odata

import (
	"reflect"
	"strings"
	"time"

	"industrydata"
)

// Match reports whether entity satisfies the filter e, reading its values
// through the schema properties' Get. It is the reference semantics of
// $filter (see the package documentation); a nil e matches everything.
// entity must be the Go value the filter's entity type is bound to.
func Match(e Expr, entity any) bool {
	if e == nil {
		return true
	}
	return eval(e, entity, nil)
}

// binding is a lambda variable's current element, innermost first.
type binding struct {
	name  string
	value any
	outer *binding
}

func eval(e Expr, entity any, env *binding) bool {
	switch n := e.(type) {
	case *Binary:
		switch n.Op {
		case OpAnd:
			return eval(n.Left, entity, env) && eval(n.Right, entity, env)
		case OpOr:
			return eval(n.Left, entity, env) || eval(n.Right, entity, env)
		}
		return compareOp(n.Op, value(n.Left, entity, env), value(n.Right, entity, env))
	case *Not:
		return !eval(n.X, entity, env)
	case *In:
		x := value(n.X, entity, env)
		for _, lit := range n.List {
			if compareOp(OpEq, x, lit.Value) {
				return true
			}
		}
		return false
	case *Call:
		s, ok := value(n.X, entity, env).(string)
		arg, _ := n.Arg.Value.(string)
		if !ok {
			return false // null (or not a string): false, see the package doc
		}
		switch n.Func {
		case FuncStartsWith:
			return strings.HasPrefix(s, arg)
		case FuncEndsWith:
			return strings.HasSuffix(s, arg)
		case FuncContains:
			return strings.Contains(s, arg)
		}
		return false
	case *Any:
		elems := elements(n.Collection.Get(entity))
		if n.Pred == nil {
			return len(elems) > 0
		}
		for _, v := range elems {
			if eval(n.Pred, entity, &binding{name: n.Var, value: v, outer: env}) {
				return true
			}
		}
		return false
	}
	return false
}

// value is the value of a Property, LambdaVar or Literal operand.
func value(e Expr, entity any, env *binding) any {
	switch n := e.(type) {
	case *Property:
		return n.Prop.Get(entity)
	case *LambdaVar:
		for b := env; b != nil; b = b.outer {
			if b.name == n.Name {
				return b.value
			}
		}
	case *Literal:
		return n.Value
	}
	return nil
}

// elements lists a collection property's values; Get may return any slice
// (schema.Property.Collection), its elements as for single values.
func elements(v any) []any {
	switch s := v.(type) {
	case nil:
		return nil
	case []any:
		return s
	case []string:
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		el := rv.Index(i)
		if el.Kind() == reflect.String {
			out[i] = el.String() // a named string type, such as an enum's
			continue
		}
		out[i] = el.Interface()
	}
	return out
}

// compareOp applies a comparison with OData's null rules: eq and ne treat
// null as a value equal only to itself; ordering with a null side is false.
func compareOp(op BinaryOp, a, b any) bool {
	if a == nil || b == nil {
		switch op {
		case OpEq:
			return a == nil && b == nil
		case OpNe:
			return (a == nil) != (b == nil)
		}
		return false
	}
	c, ok := compareValues(a, b)
	if !ok {
		return op == OpNe // values of different kinds are never equal
	}
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	}
	return false
}

// compareValues orders two non-null values of one kind; ok is false when
// their Go types differ or are not of a model kind.
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return strings.Compare(x, y), ok
	case time.Time:
		y, ok := b.(time.Time)
		return x.Compare(y), ok
	case int64:
		y, ok := b.(int64)
		return cmpOrdered(x, y), ok
	case bool:
		y, ok := b.(bool)
		return cmpOrdered(boolInt(x), boolInt(y)), ok
	}
	return 0, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmpOrdered[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Less compares entities a and b by keys: negative when a sorts first,
// positive when b does, 0 when the keys tie (the store then orders by Seq).
// Nulls sort first ascending and last descending.
func Less(keys []OrderKey, a, b any) int {
	for _, k := range keys {
		c := compareNullsFirst(k.Prop.Get(a), k.Prop.Get(b))
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareNullsFirst(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	c, _ := compareValues(a, b)
	return c
}

// CursorFor is the keyset position just after entity in the order of keys:
// its key values (as Get returns them) and its seq.
func CursorFor(keys []OrderKey, entity any, seq int64) industrydata.Cursor {
	c := industrydata.Cursor{Seq: seq}
	if len(keys) > 0 {
		c.Values = make([]any, len(keys))
	}
	for i, k := range keys {
		c.Values[i] = k.Prop.Get(entity)
	}
	return c
}

// CompareCursor compares entity, whose insertion sequence is seq, with the
// keyset position c in the order of keys and then of seq (descending when
// the first key is): positive when entity comes after c, which is when a
// page that starts after c lists it. c must hold one value per key, of the
// key's type or nil.
func CompareCursor(keys []OrderKey, entity any, seq int64, c industrydata.Cursor) int {
	for i, k := range keys {
		n := compareNullsFirst(k.Prop.Get(entity), c.Values[i])
		if k.Desc {
			n = -n
		}
		if n != 0 {
			return n
		}
	}
	n := cmpOrdered(seq, c.Seq)
	if len(keys) > 0 && keys[0].Desc {
		n = -n
	}
	return n
}

// StoreOrder converts keys to the root's store-facing form.
func StoreOrder(keys []OrderKey) []industrydata.OrderKey {
	if len(keys) == 0 {
		return nil
	}
	out := make([]industrydata.OrderKey, len(keys))
	for i, k := range keys {
		out[i] = industrydata.OrderKey{Property: k.Prop.Name, Desc: k.Desc}
	}
	return out
}
