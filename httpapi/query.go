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

// Paging limits (SPEC §5).
const (
	defaultPageSize = 100
	maxPageSize     = 999
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

// listRequest parses a collection request's options against entity type t
// and verifies its $skiptoken for this tenant and query.
func (a *api) listRequest(r *http.Request, t *schema.EntityType, expandable ...string) (service.ListRequest, error) {
	raw, err := queryOptions(r, collectionOptions...)
	if err != nil {
		return service.ListRequest{}, err
	}
	q, err := odata.Parse(raw, t, odata.Options{
		Filter: true, OrderBy: true, Select: true, Expand: len(expandable) > 0, Count: true,
		Skip: true, Top: true, SkipToken: true, MaxTop: maxPageSize, Expandable: expandable,
	})
	if err != nil {
		return service.ListRequest{}, err
	}
	// Before the $skiptoken, which is bound to the order.
	service.DefaultOrder(q)
	req := service.ListRequest{Query: q, PageSize: defaultPageSize}
	if q.SkipToken != "" {
		c, err := odata.DecodeSkipToken(a.skipTokenKey, string(principal(r).Tenant), q, q.SkipToken)
		if err != nil {
			return req, err
		}
		req.After = &c
	}
	return req, nil
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

// nextLink is the URL of the page after next: the request's own options,
// less $skip (the first page's) and $skiptoken, plus the new $skiptoken.
// Values are percent-encoded, so the link holds no raw space, '{' or '}'
// (typed SDKs expand nextLinks as URI templates).
func (a *api) nextLink(r *http.Request, q *odata.Query, next *industrydata.Cursor) string {
	values, _ := url.ParseQuery(r.URL.RawQuery) // already parsed once without error
	var b strings.Builder
	b.WriteString(a.baseURL(r))
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
	b.WriteString(odata.EncodeSkipToken(a.skipTokenKey, string(principal(r).Tenant), q, *next))
	return b.String()
}

func escapeQueryValue(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}
