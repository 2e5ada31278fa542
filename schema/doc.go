package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"industrydata"
)

// A resource's document (industrydata.Resource.Doc) is the Graph JSON of
// its properties, read-only ones included, with the navigations that
// complex values bind written as "nav@odata.bind": "set/id"; the
// navigations of the entity itself are its Refs. DecodeDoc reads it back
// through the same checks as a request body, so a document can never hold
// what a body could not set.

// EncodeDoc returns the document of e, an entity of type t.
func EncodeDoc(t *EntityType, e any) []byte {
	dst := []byte{'{'}
	first := true
	for _, p := range t.AllProperties() {
		if p.Name == t.KeyName() {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendString(dst, p.Name)
		dst = append(dst, ':')
		dst = appendDocValue(dst, p, p.Get(e))
	}
	return append(dst, '}')
}

func appendDocValue(dst []byte, p *Property, v any) []byte {
	if v == nil || p.Kind != Complex {
		return appendValue(dst, p, v)
	}
	if p.Collection {
		dst = append(dst, '[')
		for i, x := range v.([]any) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendDocComplex(dst, p.Complex, x)
		}
		return append(dst, ']')
	}
	return appendDocComplex(dst, p.Complex, v)
}

func appendDocComplex(dst []byte, ct *ComplexType, v any) []byte {
	dst = append(dst, '{')
	first := true
	for _, cp := range ct.AllProperties() {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendString(dst, cp.Name)
		dst = append(dst, ':')
		dst = appendDocValue(dst, cp, cp.Get(v))
	}
	for _, n := range ct.Navigation {
		if n.Get == nil {
			continue
		}
		if id := n.Get(v); id != "" {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, n.Name+bindSuffix)
			dst = append(dst, ':')
			dst = AppendString(dst, SetName(n.Target)+"/"+id)
		}
	}
	return append(dst, '}')
}

// DecodeDoc sets the properties of e, an entity of type t, from its
// document, and its navigations from refs.
func DecodeDoc(t *EntityType, doc []byte, refs []industrydata.Ref, e any) error {
	// A document was written by EncodeDoc, so the strict (and slower)
	// reading of request bodies is not needed: encoding/json reads it in
	// one pass, and convert still checks every value.
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var members map[string]any
	if err := dec.Decode(&members); err != nil {
		return fmt.Errorf("schema: document of %s: %w", t.Name, err)
	}
	for name, raw := range members {
		p := t.Property(name)
		if p == nil || p.Set == nil {
			continue // a property the model no longer declares
		}
		v, err := convert(p, asMembers(raw))
		if err != nil {
			return err
		}
		p.Set(e, v)
	}
	for _, r := range refs {
		if n := t.NavigationProperty(r.Property); n != nil && n.Set != nil {
			n.Set(e, r.ID)
		}
	}
	return nil
}

// Refs lists the references of e, an entity of type t: each bound
// navigation of the entity, then those of its complex values
// ("userMatchingSettings/roleGroup"), omitting unset ones.
func Refs(t *EntityType, e any) []industrydata.Ref {
	var refs []industrydata.Ref
	for _, n := range t.AllNavigation() {
		if n.Get == nil {
			continue
		}
		if id := n.Get(e); id != "" {
			refs = append(refs, industrydata.Ref{Property: n.Name, Set: SetName(n.Target), ID: id})
		}
	}
	for _, p := range t.AllProperties() {
		if p.Kind != Complex || len(p.Complex.Navigation) == 0 {
			continue
		}
		var values []any
		switch v := p.Get(e).(type) {
		case []any:
			values = v
		case nil:
		default:
			values = []any{v}
		}
		for _, v := range values {
			for _, n := range p.Complex.Navigation {
				if n.Get == nil {
					continue
				}
				if id := n.Get(v); id != "" {
					refs = append(refs, industrydata.Ref{Property: p.Name + "/" + n.Name, Set: SetName(n.Target), ID: id})
				}
			}
		}
	}
	return refs
}

// asMembers turns the objects encoding/json made of a value into the
// []Member that convert takes, as ParseBody makes them.
func asMembers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make([]Member, 0, len(x))
		for name, item := range x {
			out = append(out, Member{Name: name, Value: asMembers(item)})
		}
		return out
	case []any:
		for i := range x {
			x[i] = asMembers(x[i])
		}
	}
	return v
}
