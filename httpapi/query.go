package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
)

// systemQueryOptions are the OData options a client may send; the names are
// lower case without the optional '$' (SPEC §5).
var systemQueryOptions = map[string]bool{
	"top": true, "skip": true, "skiptoken": true, "filter": true, "select": true,
	"orderby": true, "count": true, "expand": true, "search": true, "format": true,
	"compute": true, "apply": true, "deltatoken": true, "levels": true,
}

// queryOptions reads the request's query options, decoded and keyed by
// lower-case name without '$'. Any option not in allowed — unknown,
// unsupported here, or repeated — is a 400 naming it: never ignored.
func queryOptions(r *http.Request, allowed ...string) (map[string]string, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The query string is malformed.")
	}
	out := make(map[string]string, len(values))
	for name, vs := range values {
		key := strings.ToLower(strings.TrimPrefix(name, "$"))
		if _, dup := out[key]; dup || len(vs) > 1 {
			return nil, industrydata.BadProperty(clipPath(name), "The query option '%s' is given more than once.", clipPath(name))
		}
		if !contains(allowed, key) {
			if systemQueryOptions[key] {
				return nil, industrydata.BadProperty(clipPath(name), "The query option '$%s' is not supported on this resource.", key)
			}
			return nil, industrydata.BadProperty(clipPath(name), "'%s' is not a supported query option.", clipPath(name))
		}
		out[key] = vs[0]
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// collectionOptions are what every collection accepts (SPEC §5).
var collectionOptions = []string{"filter", "orderby", "select", "expand", "top", "skip", "count", "skiptoken"}

// listQuery parses a collection request's options against entity type t,
// with $expand of the given navigation properties. The service reads the
// $skiptoken, which it made.
func listQuery(r *http.Request, t *schema.EntityType, expandable ...string) (*odata.Query, error) {
	raw, err := queryOptions(r, collectionOptions...)
	if err != nil {
		return nil, err
	}
	return odata.Parse(raw, t, odata.Options{
		Filter: true, OrderBy: true, Select: true, Expand: len(expandable) > 0, Count: true,
		Skip: true, Top: true, SkipToken: true, MaxTop: service.MaxPageSize, Expandable: expandable,
	})
}

// entityOptions parses the options a single-entity request accepts: $select
// (and $expand of the given navigation properties).
func entityOptions(r *http.Request, t *schema.EntityType, expandable ...string) (*odata.Query, error) {
	allowed := []string{"select"}
	if len(expandable) > 0 {
		allowed = append(allowed, "expand")
	}
	raw, err := queryOptions(r, allowed...)
	if err != nil {
		return nil, err
	}
	return odata.Parse(raw, t, odata.Options{Select: true, Expand: len(expandable) > 0, Expandable: expandable})
}

// selection is the $select of q as a schema.Selection (nil: all).
func selection(q *odata.Query) schema.Selection {
	if q == nil || q.Select == nil {
		return nil
	}
	sel := make(schema.Selection, len(q.Select))
	for _, name := range q.Select {
		sel[name] = true
	}
	return sel
}

// selectSuffix is what $select adds to @odata.context: "(a,b)".
func selectSuffix(q *odata.Query) string {
	if q == nil || q.Select == nil {
		return ""
	}
	return "(" + strings.Join(q.Select, ",") + ")"
}

// nextLink is the URL, under base, of the page after this one: the request's own
// options, less $skip (the first page's) and $skiptoken, plus the
// $skiptoken the service gave for the next page. Values are
// percent-encoded, so the link holds no raw space, '{' or '}' (typed SDKs
// expand nextLinks as URI templates).
func nextLink(r *http.Request, base, skipToken string) string {
	values, _ := url.ParseQuery(r.URL.RawQuery) // already parsed once without error
	var b strings.Builder
	b.WriteString(base)
	b.WriteString(r.URL.Path)
	b.WriteByte('?')
	for _, name := range []string{"filter", "orderby", "select", "expand", "count", "top"} {
		for raw, vs := range values {
			if strings.ToLower(strings.TrimPrefix(raw, "$")) == name {
				b.WriteString("$" + name + "=" + escapeQueryValue(vs[0]) + "&")
			}
		}
	}
	b.WriteString("$skiptoken=")
	b.WriteString(skipToken) // base64url: nothing to escape
	return b.String()
}

func escapeQueryValue(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}
