// Package schema declares the EDM model of the Graph types the service serves,
// once. Request validation, JSON shaping ($select, @odata.type) and, later,
// the $metadata CSDL are all derived from these declarations, so a property
// added here shows up everywhere.
package schema

import (
	"slices"
	"strings"
)

// Kind is the EDM kind of a property's value.
type Kind int

// The kinds the model uses.
const (
	String Kind = iota + 1
	DateTimeOffset
	Enum
	Complex
	Boolean
	Int64
	// Int32 values are int64 in Go, like Int64's, range-checked on input.
	Int32
	// Date is Edm.Date, a calendar date written YYYY-MM-DD; its Go value is
	// that string, which sorts as the dates do.
	Date
)

// EdmName is the CSDL name of a primitive kind.
func (k Kind) EdmName() string {
	switch k {
	case String:
		return "Edm.String"
	case DateTimeOffset:
		return "Edm.DateTimeOffset"
	case Boolean:
		return "Edm.Boolean"
	case Int64:
		return "Edm.Int64"
	case Int32:
		return "Edm.Int32"
	case Date:
		return "Edm.Date"
	}
	return ""
}

// IsInteger reports whether k is an integer kind (Int64, Int32).
func (k Kind) IsInteger() bool { return k == Int64 || k == Int32 }

// EnumType is an EDM enum type; Members are its string values.
type EnumType struct {
	Namespace string
	Name      string
	Members   []string
	// Values are the members' CSDL values, Values[i] Members[i]'s; nil
	// numbers them 0, 1, 2… in order. Members keeps the order the service
	// lists them in its messages; the CSDL writes them by value.
	Values []int
	// Own marks a type this service declares and published Graph does not.
	Own bool
}

// Value is the CSDL value of the i-th member.
func (e *EnumType) Value(i int) int {
	if e.Values != nil {
		return e.Values[i]
	}
	return i
}

// FullName is the namespace-qualified name.
func (e *EnumType) FullName() string { return e.Namespace + "." + e.Name }

// Has reports whether v is a member.
func (e *EnumType) Has(v string) bool { return slices.Contains(e.Members, v) }

// ComplexType is an EDM complex type.
type ComplexType struct {
	Namespace  string
	Name       string
	Base       *ComplexType
	Abstract   bool
	Properties []*Property // declared here, not inherited
	Navigation []*NavigationProperty
	// New returns a new zero Go value of the type, for a request body to
	// fill; nil for a type no body writes.
	New func() any
	// Concrete, on an abstract type a property is declared with, returns
	// the derived type of a value: the encoder writes its @odata.type and
	// its properties, so that a client tells which type it got.
	Concrete func(v any) *ComplexType
	// Own marks a type this service declares and published Graph does not.
	Own bool
}

// AllProperties returns the inherited properties first, then c's own.
func (c *ComplexType) AllProperties() []*Property {
	if c.Base == nil {
		return c.Properties
	}
	return append(slices.Clip(c.Base.AllProperties()), c.Properties...)
}

// Property finds a property of the complex type by its exact name.
func (c *ComplexType) Property(name string) *Property {
	for ; c != nil; c = c.Base {
		for _, p := range c.Properties {
			if p.Name == name {
				return p
			}
		}
	}
	return nil
}

// NavigationProperty finds a navigation property by its exact name.
func (c *ComplexType) NavigationProperty(name string) *NavigationProperty {
	for ; c != nil; c = c.Base {
		for _, n := range c.Navigation {
			if n.Name == name {
				return n
			}
		}
	}
	return nil
}

// FullName is the namespace-qualified name.
func (c *ComplexType) FullName() string { return c.Namespace + "." + c.Name }

// Property is a structural property of an entity or complex type. Get and Set
// bind it to the Go struct behind the type: Get returns nil for null, a
// string (String, Enum), a time.Time (DateTimeOffset), a bool, an int64, or,
// for Complex, the Go value the complex type's properties are bound to; Set
// takes the same.
type Property struct {
	Name     string
	Kind     Kind
	Enum     *EnumType
	Complex  *ComplexType
	Nullable bool
	// DeclaredNullable makes the CSDL declare the property nullable, as
	// published Graph does, although this service always holds a value and
	// refuses null in a request body (Nullable is false): a client built
	// from the published metadata then reads the service's values as it
	// would Graph's.
	DeclaredNullable bool
	// Collection marks a collection-valued property (Collection(Edm.String),
	// Collection(enum)…): Kind and Enum then describe its elements, and Get
	// returns a slice of element values as for a single value ([]string for
	// String and Enum, []time.Time, []bool, []int64), nil or empty for none.
	// $filter reaches the elements only through the any lambda
	// (issues/any(i: i eq 'missingEmail')); $orderby cannot sort by it.
	Collection bool
	// ReadOnly properties are never assigned from a request body; a body may
	// still carry some of them (id, eTag) for the service to check.
	ReadOnly bool
	// Checked marks a read-only property whose value in a request body the
	// service reads to check it (id against the URL, eTag against the
	// stored version) rather than ignoring it; the CSDL therefore does not
	// call it Core.Computed, which says a client's value is ignored.
	Checked bool
	// MaxLength bounds a string value, in characters; 0 is no bound
	// beyond the request body's.
	MaxLength int
	// MaxItems bounds a collection's elements; 0 is no bound beyond the
	// request body's.
	MaxItems int
	// Link marks a string property holding a URL: a value that is a path
	// from the service's root is made absolute for each reader (Shape.Base).
	Link bool
	// Unserved marks a property declared as published Graph declares it
	// but never written, because the service has no value for it (a
	// count that needs a directory to match people against).
	Unserved bool
	Get      func(entity any) any
	Set      func(entity any, value any)
}

// NavigationProperty is a relationship to other entities.
type NavigationProperty struct {
	Name           string
	Target         *EntityType
	Collection     bool
	ContainsTarget bool
	// Nullable is false for a single-valued navigation every entity must
	// have (set with @odata.bind on create).
	Nullable bool
	// Get and Set bind a single-valued navigation that a request body sets
	// with @odata.bind to the Go field holding the target's id ("" for
	// none); nil for a navigation no body sets.
	Get func(entity any) string
	Set func(entity any, id string)
	// Restrictions are the writes the collection refuses; the CSDL
	// states them as Capabilities annotations on the navigation.
	Restrictions Restrictions
	// ConcurrencyTokens name the properties a write through this
	// navigation must send back (Core.OptimisticConcurrency), so generated
	// clients send If-Match.
	ConcurrencyTokens []string
}

// Restrictions are the writes a service refuses on an entity or a
// collection, written as Capabilities Insert/Update/DeleteRestrictions.
type Restrictions struct {
	NoInsert, NoUpdate, NoDelete bool
}

// EntityType is an EDM entity type.
type EntityType struct {
	Namespace string
	Name      string
	Base      *EntityType
	Abstract  bool
	// Key is the key property of a type without Base; "" means id.
	Key string
	// Keyless marks a type without Base that Graph declares with no key:
	// the type of a singleton only (externalConnectors.external).
	Keyless bool
	// Own marks a type this service declares and published Graph does not
	// (the process types, mutableEntity, the user report): published_test
	// holds every other served type to Microsoft's declaration.
	Own bool
	// Restrictions are the writes refused on every entity of the type,
	// as published Graph annotates industryDataRoot.
	Restrictions Restrictions
	Properties   []*Property // declared here, not inherited
	Navigation   []*NavigationProperty
}

// FullName is the namespace-qualified name, e.g. microsoft.graph.longRunningOperation.
func (t *EntityType) FullName() string { return t.Namespace + "." + t.Name }

// ODataType is the @odata.type annotation value: "#" + FullName.
func (t *EntityType) ODataType() string { return "#" + t.FullName() }

// KeyName is the name of the key property: the Key of the root of t's
// hierarchy, or id.
func (t *EntityType) KeyName() string {
	for t.Base != nil {
		t = t.Base
	}
	if t.Key != "" {
		return t.Key
	}
	return "id"
}

// AllProperties returns the inherited properties first, then t's own.
func (t *EntityType) AllProperties() []*Property {
	if t.Base == nil {
		return t.Properties
	}
	return append(slices.Clip(t.Base.AllProperties()), t.Properties...)
}

// AllNavigation returns the inherited navigation properties, then t's own.
func (t *EntityType) AllNavigation() []*NavigationProperty {
	if t.Base == nil {
		return t.Navigation
	}
	return append(slices.Clip(t.Base.AllNavigation()), t.Navigation...)
}

// Property finds a structural property by its exact name.
func (t *EntityType) Property(name string) *Property {
	for ; t != nil; t = t.Base {
		for _, p := range t.Properties {
			if p.Name == name {
				return p
			}
		}
	}
	return nil
}

// NavigationProperty finds a navigation property by its exact name.
func (t *EntityType) NavigationProperty(name string) *NavigationProperty {
	for ; t != nil; t = t.Base {
		for _, n := range t.Navigation {
			if n.Name == name {
				return n
			}
		}
	}
	return nil
}

// DerivesFrom reports whether t is base or one of its descendants.
func (t *EntityType) DerivesFrom(base *EntityType) bool {
	for ; t != nil; t = t.Base {
		if t == base {
			return true
		}
	}
	return false
}

// LookupEntityType finds an entity type by full name, with or without the
// leading "#" of an @odata.type value.
func LookupEntityType(name string) *EntityType {
	name = strings.TrimPrefix(name, "#")
	for _, t := range EntityTypes {
		if t.FullName() == name {
			return t
		}
	}
	return nil
}

// ConcreteSubtypes returns base and its descendants that are not abstract.
func ConcreteSubtypes(base *EntityType) []*EntityType {
	var out []*EntityType
	for _, t := range EntityTypes {
		if !t.Abstract && t.DerivesFrom(base) {
			out = append(out, t)
		}
	}
	return out
}
