package httpapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"industrydata"
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
			return nil, industrydata.BadProperty(name, "The query option '%s' is given more than once.", clipPath(name))
		}
		if !contains(allowed, key) {
			if systemQueryOptions[key] {
				return nil, industrydata.BadProperty(name, "The query option '$%s' is not supported on this resource.", key)
			}
			return nil, industrydata.BadProperty(name, "'%s' is not a supported query option.", clipPath(name))
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

// pageOptions reads $top and $skiptoken for a collection.
func pageOptions(r *http.Request) (service.Page, error) {
	opts, err := queryOptions(r, "top", "skiptoken")
	if err != nil {
		return service.Page{}, err
	}
	page := service.Page{Top: defaultPageSize}
	if v, ok := opts["top"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return page, industrydata.BadProperty("$top", "The value of $top must be an integer from 1 to %d; got '%s'.", maxPageSize, clipPath(v))
		}
		page.Top = n
	}
	if v, ok := opts["skiptoken"]; ok {
		after, err := decodeSkipToken(v)
		if err != nil {
			return page, err
		}
		page.After = after
	}
	return page, nil
}

// The skiptoken is the keyset position of the last entity of the previous
// page, base64url so it needs no escaping in a URL or a URI template.
func encodeSkipToken(after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s1:" + strconv.FormatInt(after, 10)))
}

func decodeSkipToken(tok string) (int64, error) {
	bad := industrydata.BadProperty("$skiptoken", "The $skiptoken is not valid; follow @odata.nextLink as given.")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	s, ok := strings.CutPrefix(string(raw), "s1:")
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}

// nextLink is the URL of the page after the one ending at seq.
func (a *api) nextLink(r *http.Request, page service.Page, lastSeq int64) string {
	q := "?"
	if page.Top != defaultPageSize {
		q += "$top=" + strconv.Itoa(page.Top) + "&"
	}
	return a.baseURL(r) + r.URL.Path + q + "$skiptoken=" + encodeSkipToken(lastSeq)
}
