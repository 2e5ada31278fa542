package odata

import (
	"slices"
	"strconv"
	"strings"

	"industrydata"
	"industrydata/schema"
)

// Limits of the options other than $filter (SPEC §5).
const (
	// DefaultMaxTop is the largest $top when Options.MaxTop is 0.
	DefaultMaxTop = 999
	// MaxSkip is the largest $skip: paging deeper is what $skiptoken is for.
	MaxSkip = 1_000_000
	// MaxOrderByKeys is how many keys $orderby may list.
	MaxOrderByKeys = 8
	// maxOptionLength bounds $orderby, $select and $expand like $filter.
	maxOptionLength = MaxFilterLength
)

// Options says which query options a resource allows, and their limits.
type Options struct {
	Filter, OrderBy, Select, Expand, Count, Skip, Top, SkipToken bool
	// MaxTop is the largest $top; 0 means DefaultMaxTop.
	MaxTop int
	// Expandable lists the navigation properties $expand may name.
	Expandable []string
}

// optionOrder is the order options are checked in, so that a request with
// several faults always gets the same answer.
var optionOrder = []string{"filter", "orderby", "select", "expand", "top", "skip", "count", "skiptoken"}

func (o Options) allows(name string) bool {
	switch name {
	case "filter":
		return o.Filter
	case "orderby":
		return o.OrderBy
	case "select":
		return o.Select
	case "expand":
		return o.Expand
	case "top":
		return o.Top
	case "skip":
		return o.Skip
	case "count":
		return o.Count
	case "skiptoken":
		return o.SkipToken
	}
	return false
}

// Parse parses and checks the query options in raw against the entity type
// t. raw is keyed by lower-case option name without '$' (filter, orderby,
// select, expand, top, skip, count, skiptoken), its values percent-decoded.
// An option allow does not permit, an unknown name, an empty value or a
// malformed one is a badRequest naming it; $skiptoken is kept raw for
// DecodeSkipToken.
func Parse(raw map[string]string, t *schema.EntityType, allow Options) (*Query, error) {
	for name := range raw {
		if !slices.Contains(optionOrder, name) {
			return nil, industrydata.BadProperty(clip(name), "'%s' is not a supported query option.", clip(name))
		}
	}
	for _, name := range optionOrder {
		if _, ok := raw[name]; ok && !allow.allows(name) {
			return nil, industrydata.BadProperty("$"+name, "The query option '$%s' is not supported on this resource.", name)
		}
	}
	q := &Query{Type: t}
	for _, name := range optionOrder {
		v, ok := raw[name]
		if !ok {
			continue
		}
		if strings.TrimSpace(v) == "" {
			return nil, industrydata.BadProperty("$"+name, "The query option '$%s' has no value.", name)
		}
		if name != "filter" && name != "skiptoken" && len(v) > maxOptionLength {
			return nil, industrydata.BadProperty("$"+name, "The query option '$%s' is longer than %d bytes.", name, maxOptionLength)
		}
		var err error
		switch name {
		case "filter":
			q.Filter, err = ParseFilter(v, t)
		case "orderby":
			q.OrderBy, err = parseOrderBy(v, t)
		case "select":
			q.Select, err = parseSelect(v, t)
		case "expand":
			q.Expand, err = parseExpand(v, allow.Expandable)
		case "top":
			maxTop := allow.MaxTop
			if maxTop <= 0 {
				maxTop = DefaultMaxTop
			}
			q.Top, err = parseInt("top", v, 1, maxTop)
		case "skip":
			q.Skip, err = parseInt("skip", v, 0, MaxSkip)
		case "count":
			q.Count, err = parseBool("count", v)
		case "skiptoken":
			q.SkipToken = strings.TrimSpace(v)
		}
		if err != nil {
			return nil, err
		}
	}
	return q, nil
}

// items splits a comma-separated option value into trimmed items, refusing
// an empty one (a stray comma).
func items(option, v string) ([]string, error) {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, industrydata.BadProperty("$"+option, "The query option '$%s' has an empty item; separate names by single commas.", option)
		}
	}
	return parts, nil
}

// parseOrderBy parses `prop [asc|desc], …`.
func parseOrderBy(v string, t *schema.EntityType) ([]OrderKey, error) {
	parts, err := items("orderby", v)
	if err != nil {
		return nil, err
	}
	if len(parts) > MaxOrderByKeys {
		return nil, industrydata.BadProperty("$orderby", "The $orderby lists %d keys; at most %d are supported.", len(parts), MaxOrderByKeys)
	}
	keys := make([]OrderKey, 0, len(parts))
	for _, part := range parts {
		fields := strings.Fields(part)
		if len(fields) > 2 {
			return nil, industrydata.BadProperty("$orderby", "The $orderby key '%s' is not a property optionally followed by asc or desc.", clip(part))
		}
		prop, err := structural("orderby", fields[0], t)
		if err != nil {
			return nil, err
		}
		if prop.Kind == schema.Complex || prop.Collection {
			return nil, industrydata.BadProperty(prop.Name, "'%s' is of type %s, which $orderby cannot sort by.", prop.Name, collectionType(prop))
		}
		key := OrderKey{Prop: prop}
		if len(fields) == 2 {
			switch fields[1] {
			case "asc":
			case "desc":
				key.Desc = true
			default:
				return nil, industrydata.BadProperty("$orderby", "The direction '%s' after '%s' in $orderby is not asc or desc.", clip(fields[1]), prop.Name)
			}
		}
		for _, k := range keys {
			if k.Prop == prop {
				return nil, industrydata.BadProperty(prop.Name, "'%s' appears more than once in $orderby.", prop.Name)
			}
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// parseSelect parses `prop, …` or `*`; nil means every property. Repeated
// names are kept once, in the order first given.
func parseSelect(v string, t *schema.EntityType) ([]string, error) {
	parts, err := items("select", v)
	if err != nil {
		return nil, err
	}
	var names []string
	all := false
	for _, part := range parts {
		if part == "*" {
			all = true
			continue
		}
		prop, err := structural("select", part, t)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, prop.Name) {
			names = append(names, prop.Name)
		}
	}
	if all {
		return nil, nil
	}
	return names, nil
}

// parseExpand parses `nav, …`: each among expandable, without nested
// options. Repeated names are kept once.
func parseExpand(v string, expandable []string) ([]string, error) {
	parts, err := items("expand", v)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, part := range parts {
		if strings.ContainsAny(part, "();$") {
			return nil, industrydata.BadProperty("$expand", "Nested query options in $expand ('%s') are not supported.", clip(part))
		}
		if !slices.Contains(expandable, part) {
			return nil, industrydata.BadProperty(clip(part), "'%s' cannot be expanded here; $expand supports: %s.", clip(part), listOrNone(expandable))
		}
		if !slices.Contains(names, part) {
			names = append(names, part)
		}
	}
	return names, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// structural finds the structural property name of t for option, with the
// message a client needs when it is a navigation property or a path.
func structural(option, name string, t *schema.EntityType) (*schema.Property, error) {
	if prop := t.Property(name); prop != nil {
		return prop, nil
	}
	switch {
	case t.NavigationProperty(name) != nil:
		hint := ""
		if option == "select" {
			hint = " Use $expand to include it."
		}
		return nil, industrydata.BadProperty(name, "'%s' is a navigation property; $%s supports only the structural properties of %s.%s", name, option, t.FullName(), hint)
	case strings.Contains(name, "/"):
		return nil, industrydata.BadProperty(clip(name), "The path '%s' in $%s is not supported; name a property of %s.", clip(name), option, t.FullName())
	}
	return nil, industrydata.BadProperty(clip(name), "'%s' in $%s is not a property of %s.", clip(name), option, t.FullName())
}

func collectionType(p *schema.Property) string {
	name := typeName(p.Kind, p.Enum, p.Complex)
	if p.Collection {
		return "Collection(" + name + ")"
	}
	return name
}

// parseInt parses a decimal integer option within [lo, hi].
func parseInt(option, v string, lo, hi int) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil || !allDigits(v) || n < lo || n > hi {
		return 0, industrydata.BadProperty("$"+option, "The query option '$%s' must be an integer from %d to %d, not '%s'.", option, lo, hi, clip(v))
	}
	return n, nil
}

func parseBool(option, v string) (bool, error) {
	switch strings.TrimSpace(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, industrydata.BadProperty("$"+option, "The query option '$%s' must be true or false, not '%s'.", option, clip(strings.TrimSpace(v)))
}
