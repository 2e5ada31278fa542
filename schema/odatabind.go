package schema

import (
	"net/url"
	"strings"

	"industrydata"
)

// bindSuffix marks a request body member that sets a navigation property
// by the URL of its target: "sourceSystem@odata.bind": ".../sourceSystems('id')".
const bindSuffix = "@odata.bind"

// SetName is the entity set that holds entities of t: the contained
// navigation of industryDataRoot whose target t is or derives from; "" for
// a type no set holds.
func SetName(t *EntityType) string {
	for _, n := range IndustryDataRoot.Navigation {
		if n.ContainsTarget && t.DerivesFrom(n.Target) {
			return n.Name
		}
	}
	return ""
}

// bindTarget reads the @odata.bind value of nav at path: the URL of an
// entity of nav's target set, whose id it returns.
func bindTarget(path string, nav *NavigationProperty, v any) (string, error) {
	set := SetName(nav.Target)
	s, ok := v.(string)
	if !ok {
		return "", industrydata.BadProperty(path, "'%s@odata.bind' must be the URL of an entity of %s, as a string; got %s.", nav.Name, set, describeValue(v))
	}
	id, ok := EntityIDFromURL(s, set)
	if !ok {
		return "", industrydata.BadProperty(path, "'%s@odata.bind' must be the URL of an entity of %s, such as https://graph.microsoft.com/beta/external/industryData/%s('id'); got '%s'.",
			nav.Name, set, set, truncate(s))
	}
	return id, nil
}

// EntityIDFromURL returns the id in the URL of an entity of set, the way
// clients write it in @odata.bind: absolute with any host, or relative;
// under /beta, /beta/external or neither, with or without industryData;
// the key as set('id') (quotes doubled inside) or as set/id. Any other URL,
// or one naming another set, is false.
func EntityIDFromURL(raw, set string) (string, bool) {
	p := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		u, err := url.Parse(raw)
		if err != nil || u.RawQuery != "" || u.Fragment != "" {
			return "", false
		}
		p = u.EscapedPath()
	} else if strings.ContainsAny(raw, "?#") {
		return "", false
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, prefix := range []string{"beta", "external", "industryData"} {
		if len(segs) > 0 && segs[0] == prefix {
			segs = segs[1:]
		}
	}
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		segs[i] = u
	}
	var id string
	switch {
	case len(segs) == 2 && segs[0] == set:
		id = segs[1]
	case len(segs) == 1 && strings.HasPrefix(segs[0], set+"('") && strings.HasSuffix(segs[0], "')"):
		quoted := segs[0][len(set)+2 : len(segs[0])-2]
		if strings.Count(quoted, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(quoted, "''", ""), "'") {
			return "", false
		}
		id = strings.ReplaceAll(quoted, "''", "'")
	default:
		return "", false
	}
	if id == "" || strings.IndexByte(id, 0) >= 0 {
		return "", false
	}
	return id, true
}
