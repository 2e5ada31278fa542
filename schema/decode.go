package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
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

// convert checks a JSON value against a property's type and returns the Go
// value Property.Set takes.
func convert(prop *Property, v any) (any, error) {
	return convertAt(prop.Name, prop, v)
}

// convertAt is convert for the value at path (the property's name, or
// name/member inside a complex value), which errors name.
func convertAt(path string, prop *Property, v any) (any, error) {
	if v == nil {
		if !prop.Nullable {
			return nil, industrydata.BadProperty(path, "The property '%s' cannot be null.", path)
		}
		return nil, nil
	}
	if prop.Collection {
		items, ok := v.([]any)
		if !ok {
			return nil, industrydata.BadProperty(path, "The property '%s' must be an array, not %s.", path, describeValue(v))
		}
		if prop.MaxItems > 0 && len(items) > prop.MaxItems {
			return nil, industrydata.BadProperty(path, "The property '%s' holds at most %d elements; it has %d.", path, prop.MaxItems, len(items))
		}
		elem := *prop
		elem.Collection, elem.Nullable = false, false
		out := make([]any, len(items))
		for i, item := range items {
			x, err := convertAt(path, &elem, item)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	switch prop.Kind {
	case String, Enum, DateTimeOffset, Date:
		s, ok := v.(string)
		if !ok {
			return nil, industrydata.BadProperty(path, "The property '%s' must be a string, not %s.", path, describeValue(v))
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, industrydata.BadProperty(path, "The property '%s' must not contain NUL characters.", path)
		}
		switch prop.Kind {
		case Enum:
			if !prop.Enum.Has(s) {
				return nil, industrydata.BadProperty(path, "'%s' is not a valid value for the property '%s' of type %s; the valid values are: %s.",
					truncate(s), path, prop.Enum.FullName(), strings.Join(prop.Enum.Members, ", "))
			}
		case DateTimeOffset:
			t, err := ParseDateTimeOffset(s)
			if err != nil {
				return nil, industrydata.BadProperty(path, "The property '%s' must be an RFC 3339 date and time with an offset, such as 2024-05-01T08:30:00Z; got '%s'.", path, truncate(s))
			}
			return t, nil
		case Date:
			if _, err := ParseDate(s); err != nil {
				return nil, industrydata.BadProperty(path, "The property '%s' must be a date written YYYY-MM-DD, such as 2024-09-01; got '%s'.", path, truncate(s))
			}
		case String:
			if prop.MaxLength > 0 && utf8.RuneCountInString(s) > prop.MaxLength {
				return nil, industrydata.BadProperty(path, "The property '%s' must be at most %d characters long; it has %d.", path, prop.MaxLength, utf8.RuneCountInString(s))
			}
		}
		return s, nil
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, industrydata.BadProperty(path, "The property '%s' must be a boolean, not %s.", path, describeValue(v))
		}
		return b, nil
	case Int64, Int32:
		n, ok := v.(json.Number)
		if !ok {
			return nil, industrydata.BadProperty(path, "The property '%s' must be an integer, not %s.", path, describeValue(v))
		}
		bits := 64
		if prop.Kind == Int32 {
			bits = 32
		}
		i, err := strconv.ParseInt(n.String(), 10, bits)
		if err != nil {
			return nil, industrydata.BadProperty(path, "The property '%s' must be a %d-bit integer; got %s.", path, bits, truncate(n.String()))
		}
		return i, nil
	case Complex:
		if prop.Complex.New == nil {
			break
		}
		members, ok := v.([]Member)
		if !ok {
			return nil, industrydata.BadProperty(path, "The property '%s' must be an object of type %s, not %s.", path, prop.Complex.FullName(), describeValue(v))
		}
		return convertComplex(path, prop.Complex, members)
	}
	return nil, industrydata.BadProperty(path, "The property '%s' cannot be set in a request body.", path)
}

// convertComplex builds the Go value of a complex type from a JSON object:
// every member a writable property of ct (or @odata.type naming ct), every
// non-nullable property present.
func convertComplex(path string, ct *ComplexType, members []Member) (any, error) {
	out := ct.New()
	set := map[string]bool{}
	for _, m := range members {
		if m.Name == "@odata.type" {
			if s, ok := m.Value.(string); !ok || strings.TrimPrefix(s, "#") != ct.FullName() {
				return nil, industrydata.BadProperty(path+"/@odata.type", "The '@odata.type' of '%s' must be '#%s'; got %s.", path, ct.FullName(), quoteValue(m.Value))
			}
			continue
		}
		if strings.HasSuffix(m.Name, bindSuffix) {
			nav := ct.NavigationProperty(strings.TrimSuffix(m.Name, bindSuffix))
			if nav == nil || nav.Set == nil {
				return nil, industrydata.BadProperty(truncate(path+"/"+m.Name), "'%s' is not a navigation property of %s that a request body can bind.", truncate(m.Name), ct.FullName())
			}
			id, err := bindTarget(path+"/"+nav.Name, nav, m.Value)
			if err != nil {
				return nil, err
			}
			nav.Set(out, id)
			set[nav.Name] = true
			continue
		}
		p := ct.Property(m.Name)
		if p == nil || p.Set == nil {
			return nil, industrydata.BadProperty(truncate(path+"/"+m.Name), "'%s' is not a property of %s.", truncate(m.Name), ct.FullName())
		}
		x, err := convertAt(path+"/"+p.Name, p, m.Value)
		if err != nil {
			return nil, err
		}
		p.Set(out, x)
		set[p.Name] = true
	}
	for _, p := range ct.AllProperties() {
		if p.Set != nil && !p.Nullable && !p.Collection && !set[p.Name] {
			return nil, industrydata.BadProperty(path+"/"+p.Name, "The property '%s' of %s is required.", p.Name, ct.FullName())
		}
	}
	for _, n := range ct.Navigation {
		if n.Set != nil && !n.Nullable && !set[n.Name] {
			return nil, industrydata.BadProperty(path+"/"+n.Name, "The navigation property '%s' of %s is required; set it with '%s@odata.bind'.", n.Name, ct.FullName(), n.Name)
		}
	}
	return out, nil
}

// dateShape is YYYY-MM-DD; time.Parse checks the calendar.
var dateShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseDate parses an Edm.Date literal, YYYY-MM-DD, years 0001 to 9999.
func ParseDate(s string) (time.Time, error) {
	if !dateShape.MatchString(s) || s[:4] == "0000" {
		return time.Time{}, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
	}
	return time.Parse(time.DateOnly, s)
}

// rfc3339 is the shape of an RFC 3339 date-time: it captures the year and
// the offset's hours and minutes, which time.Parse does not bound.
var rfc3339 = regexp.MustCompile(`^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$`)

// ParseDateTimeOffset parses an Edm.DateTimeOffset literal: RFC 3339 with a
// zone offset, years 0001 to 9999, stored at 100 ns resolution in UTC.
func ParseDateTimeOffset(s string) (time.Time, error) {
	// time.Parse is laxer than RFC 3339 (a comma before the fraction, a
	// one-digit hour, offsets past 23:59), so the shape is checked first.
	m := rfc3339.FindStringSubmatch(s)
	if m == nil || m[1] == "0000" || m[2] > "23" || m[3] > "59" {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date and time with an offset", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	norm, ok := industrydata.NormalizeTimestamp(t)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is outside years 0001 to 9999", s)
	}
	return norm, nil
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return "'" + truncate(s) + "'"
	}
	return describeValue(v)
}

// truncate keeps echoed client values short in error messages.
func truncate(s string) string { return industrydata.Shorten(s, 64) }
