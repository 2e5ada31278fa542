package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"industrydata"
)

// MaxDepth is how deeply a request body's JSON may nest.
const MaxDepth = 32

// Member is one name/value pair of a JSON object, in document order. Value is
// nil, bool, json.Number, string, []any or []Member (a nested object).
type Member struct {
	Name  string
	Value any
}

// Body is a request body parsed as a JSON object.
type Body struct {
	Members []Member
}

// ParseBody parses data as one JSON object: valid UTF-8, no duplicate names
// at any level, at most MaxDepth levels deep, nothing after it. Every failure
// is a badRequest that says what is wrong.
func ParseBody(data []byte) (*Body, error) {
	if !utf8.Valid(data) {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body is empty; a JSON object is required.")
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body must be a JSON object, not %s.", describeToken(tok))
	}
	members, err := readObject(dec, 1, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body has data after its JSON object.")
	}
	return &Body{Members: members}, nil
}

func readObject(dec *json.Decoder, depth int, path string) ([]Member, error) {
	var members []Member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		name := tok.(string) // the decoder only yields string keys inside objects
		full := joinPath(path, name)
		if seen[name] {
			// Client text, so clipped: an error never grows with the body.
			return nil, industrydata.BadProperty(truncate(full), "The property '%s' appears more than once in the request body.", truncate(full))
		}
		seen[name] = true
		v, err := readValue(dec, depth, full)
		if err != nil {
			return nil, err
		}
		members = append(members, Member{Name: name, Value: v})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, syntaxError(err)
	}
	return members, nil
}

func readValue(dec *json.Decoder, depth int, path string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth+1 > MaxDepth {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body nests deeper than %d levels.", MaxDepth)
	}
	if d == '{' {
		return readObject(dec, depth+1, path)
	}
	var items []any // d == '['
	for dec.More() {
		v, err := readValue(dec, depth+1, path)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(err)
	}
	return items, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "/" + name
}

func syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return industrydata.Errorf(industrydata.CodeBadRequest, "The request body is not valid JSON: %s at offset %d.", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return industrydata.Errorf(industrydata.CodeBadRequest, "The request body is not valid JSON: it ends too soon.")
	}
	return industrydata.Errorf(industrydata.CodeBadRequest, "The request body is not valid JSON.")
}

func describeToken(tok any) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "that"
}

func describeValue(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case []Member:
		return "an object"
	}
	return describeToken(v)
}

// Annotations that SDKs send back after a GET and that carry nothing to
// change (SPEC §3); @odata.type is checked separately.
var ignoredAnnotations = map[string]bool{
	"@odata.context": true, "@odata.etag": true, "@odata.id": true, "@odata.editLink": true,
}

// ODataType returns the body's @odata.type annotation, if any.
func (b *Body) ODataType() (string, bool, error) {
	for _, m := range b.Members {
		if m.Name == "@odata.type" {
			s, ok := m.Value.(string)
			if !ok {
				return "", true, industrydata.BadProperty("@odata.type", "The annotation '@odata.type' must be a string, not %s.", describeValue(m.Value))
			}
			return s, true, nil
		}
	}
	return "", false, nil
}

// Assignment is one property a request body sets.
type Assignment struct {
	Property *Property
	Value    any
}

// Patch is a request body checked against an entity type: the writable
// properties it sets, and the read-only ones it carries (id, eTag), which
// the service checks as it sees fit.
type Patch struct {
	Type     *EntityType
	Set      []Assignment
	Binds    []Bind
	ReadOnly map[string]any
	// named is set when the body's @odata.type named Type.
	named bool
}

// Bind is a navigation property a body sets with @odata.bind: the id of
// the entity it names.
type Bind struct {
	Nav *NavigationProperty
	ID  string
}

// Has reports whether the body sets the named writable property or binds
// the named navigation property.
func (p *Patch) Has(name string) bool {
	for _, a := range p.Set {
		if a.Property.Name == name {
			return true
		}
	}
	for _, b := range p.Binds {
		if b.Nav.Name == name {
			return true
		}
	}
	return false
}

// Apply assigns every set property and bound navigation to entity, a *T
// bound to p.Type.
func (p *Patch) Apply(entity any) {
	for _, a := range p.Set {
		a.Property.Set(entity, a.Value)
	}
	for _, b := range p.Binds {
		b.Nav.Set(entity, b.ID)
	}
}

// BindUpdate checks the body of an update of an entity of type base or a
// type derived from it, before the entity is read: against the type the
// body's @odata.type names, which must derive from base, or against base
// when it names none. The entity's own type is checked against the body
// once it is read (Patch.CheckType).
func (b *Body) BindUpdate(base *EntityType) (*Patch, error) {
	name, named, err := b.ODataType()
	if err != nil {
		return nil, err
	}
	if !named {
		return b.Bind(base)
	}
	t := LookupEntityType(name)
	if t == nil || !t.DerivesFrom(base) {
		return nil, industrydata.BadProperty("@odata.type",
			"The '@odata.type' of the request body must name the type of the entity, '%s' or a type derived from it; got '%s'.",
			base.ODataType(), truncate(name))
	}
	p, err := b.Bind(t)
	if err != nil {
		return nil, err
	}
	p.named = true
	return p, nil
}

// CheckType answers 400 when the body named a type in @odata.type that is
// not t, the type of the entity it updates.
func (p *Patch) CheckType(t *EntityType) error {
	if p.named && p.Type != t {
		return industrydata.BadProperty("@odata.type",
			"The '@odata.type' of the request body must be '%s', the type of the entity; got '%s'.", t.ODataType(), p.Type.ODataType())
	}
	return nil
}

// Bind checks the body against entity type t: every member is a property of
// t or an accepted annotation, @odata.type (if present) names t itself, and
// every value has the property's type. A failure names the property.
func (b *Body) Bind(t *EntityType) (*Patch, error) {
	p := &Patch{Type: t, ReadOnly: map[string]any{}}
	for _, m := range b.Members {
		switch {
		case m.Name == "@odata.type":
			s, ok := m.Value.(string)
			if !ok || strings.TrimPrefix(s, "#") != t.FullName() {
				return nil, industrydata.BadProperty("@odata.type",
					"The '@odata.type' of the request body must be '%s'; got %s.", t.ODataType(), quoteValue(m.Value))
			}
			continue
		case ignoredAnnotations[m.Name]:
			continue
		case strings.HasSuffix(m.Name, bindSuffix):
			nav := t.NavigationProperty(strings.TrimSuffix(m.Name, bindSuffix))
			if nav == nil || nav.Set == nil {
				return nil, industrydata.BadProperty(truncate(m.Name), "'%s' is not a navigation property of %s that a request body can bind.", truncate(m.Name), t.FullName())
			}
			id, err := bindTarget(nav.Name, nav, m.Value)
			if err != nil {
				return nil, err
			}
			p.Binds = append(p.Binds, Bind{Nav: nav, ID: id})
			continue
		}
		prop := t.Property(m.Name)
		if prop == nil {
			if nav := t.NavigationProperty(m.Name); nav != nil {
				if nav.Set != nil {
					return nil, industrydata.BadProperty(m.Name, "The navigation property '%s' is set with '%s@odata.bind' and the URL of the entity.", m.Name, m.Name)
				}
				return nil, industrydata.BadProperty(m.Name, "The navigation property '%s' cannot be set in a request body.", m.Name)
			}
			return nil, industrydata.BadProperty(truncate(m.Name), "'%s' is not a property of %s.", truncate(m.Name), t.FullName())
		}
		v, err := convert(prop, m.Value)
		if err != nil {
			return nil, err
		}
		if prop.ReadOnly {
			p.ReadOnly[prop.Name] = v
			continue
		}
		p.Set = append(p.Set, Assignment{Property: prop, Value: v})
	}
	return p, nil
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return "'" + truncate(s) + "'"
	}
	return describeValue(v)
}

// truncate keeps echoed client values short in error messages.
func truncate(s string) string { return industrydata.Shorten(s, 64) }
