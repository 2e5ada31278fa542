package schema

import "time"

// Constructors binding a Property to a field of the Go type T. Each takes a
// function returning a pointer to the field, so one accessor serves Get and
// Set. V is the field's Go type: string for String, time.Time for
// DateTimeOffset, bool for Boolean, int64 for Int64.

func valueProp[T, V any](name string, kind Kind, field func(*T) *V) *Property {
	return &Property{Name: name, Kind: kind,
		Get: func(e any) any { return *field(e.(*T)) },
		Set: func(e any, v any) { *field(e.(*T)) = v.(V) },
	}
}

// nullableProp binds a pointer field: nil is null.
func nullableProp[T, V any](name string, kind Kind, field func(*T) **V) *Property {
	return &Property{Name: name, Kind: kind, Nullable: true,
		Get: func(e any) any {
			if p := *field(e.(*T)); p != nil {
				return *p
			}
			return nil
		},
		Set: func(e any, v any) {
			if v == nil {
				*field(e.(*T)) = nil
				return
			}
			val := v.(V)
			*field(e.(*T)) = &val
		},
	}
}

func stringProp[T any](name string, field func(*T) *string) *Property {
	return valueProp(name, String, field)
}

func nullableStringProp[T any](name string, field func(*T) **string) *Property {
	return nullableProp(name, String, field)
}

func timeProp[T any](name string, field func(*T) *time.Time) *Property {
	return valueProp(name, DateTimeOffset, field)
}

func nullableTimeProp[T any](name string, field func(*T) **time.Time) *Property {
	return nullableProp(name, DateTimeOffset, field)
}

func enumProp[T any, E ~string](name string, enum *EnumType, field func(*T) *E) *Property {
	return &Property{Name: name, Kind: Enum, Enum: enum,
		Get: func(e any) any { return string(*field(e.(*T))) },
		Set: func(e any, v any) { *field(e.(*T)) = E(v.(string)) },
	}
}

// complexProp binds a nullable, read-only complex-typed field; Get returns
// the *C (or nil), which the complex type's own properties read.
func complexProp[T, C any](name string, ct *ComplexType, field func(*T) **C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct, Nullable: true, ReadOnly: true,
		Get: func(e any) any {
			if p := *field(e.(*T)); p != nil {
				return p
			}
			return nil
		},
	}
}

func link(p *Property) *Property {
	p.Link = true
	return p
}

func readOnly(p *Property) *Property {
	p.ReadOnly = true
	return p
}

// declaredNullable declares p nullable in the CSDL, as published Graph
// does, while the service keeps refusing null (Property.DeclaredNullable).
func declaredNullable(p *Property) *Property {
	p.DeclaredNullable = true
	return p
}

// asInt32 makes an integer property Edm.Int32; its Go value stays int64.
func asInt32(p *Property) *Property {
	p.Kind = Int32
	return p
}

// intProp binds an int field as an Edm.Int64 property (read-only: no body
// sets a count).
func intProp[T any](name string, field func(*T) *int) *Property {
	return &Property{Name: name, Kind: Int64, ReadOnly: true,
		Get: func(e any) any { return int64(*field(e.(*T))) },
	}
}

// stringsProp binds a []string field as a Collection(Edm.String) property.
func stringsProp[T any](name string, field func(*T) *[]string) *Property {
	return &Property{Name: name, Kind: String, Collection: true,
		Get: func(e any) any { return *field(e.(*T)) },
	}
}

// enumsProp binds a slice of enum values as a Collection(enum) property;
// Get returns the values as []string.
func enumsProp[T any, E ~string](name string, enum *EnumType, field func(*T) *[]E) *Property {
	return &Property{Name: name, Kind: Enum, Enum: enum, Collection: true,
		Get: func(e any) any {
			vs := *field(e.(*T))
			if vs == nil {
				return []string(nil)
			}
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = string(v)
			}
			return out
		},
	}
}

// complexValueProp binds a non-nullable, read-only complex-typed field held
// by value; Get returns a pointer to it.
func complexValueProp[T, C any](name string, ct *ComplexType, field func(*T) *C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct, ReadOnly: true,
		Get: func(e any) any { return field(e.(*T)) },
	}
}

// complexCollectionProp binds a slice of complex values as a read-only
// Collection(complex) property; Get returns a []any of pointers to the
// elements.
func complexCollectionProp[T, C any](name string, ct *ComplexType, field func(*T) *[]C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct, Collection: true, ReadOnly: true,
		Get: func(e any) any {
			vs := *field(e.(*T))
			out := make([]any, len(vs))
			for i := range vs {
				out[i] = &vs[i]
			}
			return out
		},
	}
}

func maxLength(n int, p *Property) *Property {
	p.MaxLength = n
	return p
}

func maxItems(n int, p *Property) *Property {
	p.MaxItems = n
	return p
}

func dateProp[T any](name string, field func(*T) *string) *Property {
	return valueProp(name, Date, field)
}

func int32Prop[T any](name string, field func(*T) *int64) *Property {
	return valueProp(name, Int32, field)
}

func boolProp[T any](name string, field func(*T) *bool) *Property {
	return valueProp(name, Boolean, field)
}

// complexField binds a non-nullable, writable complex-typed field held by
// value; Get returns a pointer to it and Set takes the *C that
// ComplexType.New made.
func complexField[T, C any](name string, ct *ComplexType, field func(*T) *C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct,
		Get: func(e any) any { return field(e.(*T)) },
		Set: func(e any, v any) { *field(e.(*T)) = *v.(*C) },
	}
}

// nullableComplexField binds a nullable, writable complex-typed pointer field.
func nullableComplexField[T, C any](name string, ct *ComplexType, field func(*T) **C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct, Nullable: true,
		Get: func(e any) any {
			if p := *field(e.(*T)); p != nil {
				return p
			}
			return nil
		},
		Set: func(e any, v any) {
			if v == nil {
				*field(e.(*T)) = nil
				return
			}
			*field(e.(*T)) = v.(*C)
		},
	}
}

// complexSlice binds a writable Collection(complex) field; Get returns a
// []any of pointers to the elements, Set takes a []any of *C.
func complexSlice[T, C any](name string, ct *ComplexType, field func(*T) *[]C) *Property {
	return &Property{Name: name, Kind: Complex, Complex: ct, Collection: true, Nullable: true,
		Get: func(e any) any {
			vs := *field(e.(*T))
			out := make([]any, len(vs))
			for i := range vs {
				out[i] = &vs[i]
			}
			return out
		},
		Set: func(e any, v any) {
			items, _ := v.([]any)
			out := make([]C, len(items))
			for i, x := range items {
				out[i] = *x.(*C)
			}
			*field(e.(*T)) = out
		},
	}
}

// navBinding binds a single-valued navigation set by @odata.bind to the
// string field holding its target's id.
func navBinding[T any](name string, target *EntityType, nullable bool, field func(*T) *string) *NavigationProperty {
	return &NavigationProperty{Name: name, Target: target, Nullable: nullable,
		Get: func(e any) string { return *field(e.(*T)) },
		Set: func(e any, id string) { *field(e.(*T)) = id },
	}
}
