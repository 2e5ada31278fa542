package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"industrydata"
)

// Converting a request body's JSON values to the Go values of the model,
// checking each against its property's type.

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
				return nil, industrydata.BadProperty(path, "The property '%s' must be a calendar date written YYYY-MM-DD, such as 2024-09-01; got '%s'.", path, truncate(s))
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
