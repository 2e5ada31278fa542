package schema

import "time"

// Constructors binding a Property to a field of the Go type T. Each takes a
// function returning a pointer to the field, so one accessor serves Get and Set.

func stringProp[T any](name string, field func(*T) *string) *Property {
	return &Property{Name: name, Kind: String,
		Get: func(e any) any { return *field(e.(*T)) },
		Set: func(e any, v any) { *field(e.(*T)) = v.(string) },
	}
}

func nullableStringProp[T any](name string, field func(*T) **string) *Property {
	return &Property{Name: name, Kind: String, Nullable: true,
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
			s := v.(string)
			*field(e.(*T)) = &s
		},
	}
}

func timeProp[T any](name string, field func(*T) *time.Time) *Property {
	return &Property{Name: name, Kind: DateTimeOffset,
		Get: func(e any) any { return *field(e.(*T)) },
		Set: func(e any, v any) { *field(e.(*T)) = v.(time.Time) },
	}
}

func nullableTimeProp[T any](name string, field func(*T) **time.Time) *Property {
	return &Property{Name: name, Kind: DateTimeOffset, Nullable: true,
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
			t := v.(time.Time)
			*field(e.(*T)) = &t
		},
	}
}

func enumProp[T any, E ~string](name string, enum *EnumType, field func(*T) *E) *Property {
	return &Property{Name: name, Kind: Enum, Enum: enum,
		Get: func(e any) any { return string(*field(e.(*T))) },
		Set: func(e any, v any) { *field(e.(*T)) = E(v.(string)) },
	}
}

// complexProp binds a nullable complex-typed field; Get returns the *C (or
// nil), which the complex type's own properties read.
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

func readOnly(p *Property) *Property {
	p.ReadOnly = true
	return p
}
