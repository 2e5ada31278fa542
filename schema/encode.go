package schema

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Selection is the set of properties a response shows ($select); nil shows all.
type Selection map[string]bool

// Annotation is an instance annotation written before the properties, such
// as @odata.context or @odata.etag.
type Annotation struct {
	Name  string
	Value string
}

// Expansion is an expanded navigation property ($expand): its name and its
// entities, all bound to Type (or of types derived from it, which TypeOf
// tells). A Single expansion is written as its one entity, or null when
// Items is empty.
type Expansion struct {
	Name   string
	Type   *EntityType
	Items  []any
	Single bool
}

// AppendEntity appends the JSON of entity e, bound to type t, to dst:
// the annotations, then @odata.type, then the selected properties in
// declaration order (inherited first). The key (id) is always written, as
// Graph does.
func AppendEntity(dst []byte, t *EntityType, e any, sel Selection, annotations ...Annotation) []byte {
	return Shape{Select: sel, Annotations: annotations}.Append(dst, t, e)
}

// Shape is how an entity is written for one reader.
type Shape struct {
	Select      Selection
	Expand      []Expansion
	Annotations []Annotation
	// Base is the scheme://host the reader addressed. A Link property
	// whose value is a path from the service's root ("/beta/…") is written
	// as Base followed by the path, so that each reader gets an absolute
	// URL of its own. "" writes paths as they are.
	Base string
}

// Append appends the JSON of e as AppendEntity does, with s's $select,
// annotations and base, followed before the closing brace by each
// expansion as an array of entities (all their properties), in the order
// given. $select does not hide an expansion.
func (s Shape) Append(dst []byte, t *EntityType, e any) []byte {
	dst = append(dst, '{')
	for _, a := range s.Annotations {
		dst = AppendString(dst, a.Name)
		dst = append(dst, ':')
		dst = AppendString(dst, a.Value)
		dst = append(dst, ',')
	}
	dst = append(dst, `"@odata.type":`...)
	dst = AppendString(dst, t.ODataType())
	key := t.KeyName()
	for _, p := range t.AllProperties() {
		if s.Select != nil && !s.Select[p.Name] && p.Name != key {
			continue
		}
		dst = append(dst, ',')
		dst = AppendString(dst, p.Name)
		dst = append(dst, ':')
		v := p.Get(e)
		if p.Link && s.Base != "" {
			if path, ok := v.(string); ok && isRootPath(path) {
				v = s.Base + path
			}
		}
		dst = appendValue(dst, p, v)
	}
	for _, x := range s.Expand {
		dst = append(dst, ',')
		dst = AppendString(dst, x.Name)
		dst = append(dst, ':')
		if x.Single {
			if len(x.Items) == 0 {
				dst = append(dst, "null"...)
			} else {
				dst = Shape{Base: s.Base}.Append(dst, TypeOf(x.Items[0]), x.Items[0])
			}
			continue
		}
		dst = append(dst, '[')
		for i, item := range x.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Shape{Base: s.Base}.Append(dst, x.Type, item)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// isRootPath reports whether v is a path from the service's root: it
// starts with one slash (two would start a network-path reference, a URL
// of another host).
func isRootPath(v string) bool {
	return len(v) > 0 && v[0] == '/' && (len(v) == 1 || v[1] != '/')
}

func appendValue(dst []byte, p *Property, v any) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	if p.Collection {
		return appendCollection(dst, p, v)
	}
	switch p.Kind {
	case String, Enum, Date:
		return AppendString(dst, v.(string))
	case DateTimeOffset:
		return AppendTimestamp(dst, v.(time.Time))
	case Boolean:
		return strconv.AppendBool(dst, v.(bool))
	case Int64, Int32:
		return strconv.AppendInt(dst, v.(int64), 10)
	case Complex:
		dst = append(dst, '{')
		ct := p.Complex
		if ct.Concrete != nil {
			ct = ct.Concrete(v)
			dst = append(dst, `"@odata.type":`...)
			dst = AppendString(dst, "#"+ct.FullName())
			dst = append(dst, ',')
		}
		dst = AppendComplexMembers(dst, ct, v)
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

// appendCollection appends a collection value as a JSON array: a nil or
// empty slice is [], as OData writes an empty collection.
func appendCollection(dst []byte, p *Property, v any) []byte {
	elem := *p
	elem.Collection = false
	dst = append(dst, '[')
	switch vs := v.(type) {
	case []string:
		for i, s := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, s)
		}
	case []any:
		for i, x := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, &elem, x)
		}
	}
	return append(dst, ']')
}

// AppendTimestamp appends t as a JSON string in UTC with a Z suffix and only
// the fractional digits it needs.
func AppendTimestamp(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// control characters and the line separators JavaScript chokes on are escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendComplexMembers appends the members of v, a value of complex type
// ct, without braces: what a response made of one complex value holds
// after its @odata.context.
func AppendComplexMembers(dst []byte, ct *ComplexType, v any) []byte {
	first := true
	for _, p := range ct.AllProperties() {
		if p.Unserved {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendString(dst, p.Name)
		dst = append(dst, ':')
		dst = appendValue(dst, p, p.Get(v))
	}
	return dst
}
