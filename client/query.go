package client

import (
	"net/url"
	"strconv"
	"strings"
)

// Query holds OData query options of a collection (docs/API.md §6). The
// zero value, or nil, asks for none.
type Query struct {
	// Filter is a $filter expression: "status eq 'running'".
	Filter string
	// OrderBy is $orderby: "createdDateTime desc".
	OrderBy string
	// Select lists the properties to return ($select).
	Select []string
	// Expand lists navigations to expand ($expand): "runs" on processes,
	// "sourceSystem" on data connectors.
	Expand []string
	// Top is the page size ($top, 1–999); 0 leaves the service's (100).
	// Iterators go on to the next pages whatever it is.
	Top int
	// Skip skips that many entities before the first page ($skip).
	Skip int
	// Count asks for @odata.count ($count=true).
	Count bool
}

// encode writes the options as a query string, with the $ of their names
// left readable.
func (q *Query) encode() string {
	if q == nil {
		return ""
	}
	var parts []string
	add := func(name, value string) { parts = append(parts, "$"+name+"="+url.QueryEscape(value)) }
	if q.Filter != "" {
		add("filter", q.Filter)
	}
	if q.OrderBy != "" {
		add("orderby", q.OrderBy)
	}
	if len(q.Select) > 0 {
		add("select", strings.Join(q.Select, ","))
	}
	if len(q.Expand) > 0 {
		add("expand", strings.Join(q.Expand, ","))
	}
	if q.Top > 0 {
		add("top", strconv.Itoa(q.Top))
	}
	if q.Skip > 0 {
		add("skip", strconv.Itoa(q.Skip))
	}
	if q.Count {
		add("count", "true")
	}
	return strings.Join(parts, "&")
}
