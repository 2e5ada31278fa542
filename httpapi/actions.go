package httpapi

import (
	"net/http"
	"path"
	"slices"
	"strings"
)

// Actions are the routes only POST serves: OData actions such as runs/start
// (and a later validate). A GET of one must be 405 with Allow: POST, yet
// ServeMux would hand GET runs/start to GET runs/{id}, whose wildcard
// matches "start". So the action paths are told apart from the table itself
// — a path that the table serves with POST and no other method — and
// dispatch answers every other method on them before routing: no route
// needs to be marked, and a set added later gets it by serving its action
// with POST alone.

// actionPaths are the paths of table that only POST serves.
func actionPaths(table []route) []string {
	methods := map[string][]string{}
	var order []string
	for _, rt := range table {
		if _, seen := methods[rt.path]; !seen {
			order = append(order, rt.path)
		}
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	var out []string
	for _, p := range order {
		if slices.Equal(methods[p], []string{http.MethodPost}) {
			out = append(out, p)
		}
	}
	return out
}

// registerActions records the action paths of table, under every prefix,
// for isAction.
func (a *api) registerActions(table []route) {
	if a.actions == nil {
		a.actions = http.NewServeMux()
		a.actionNames = map[string]bool{}
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, p := range actionPaths(table) {
		name := path.Base(p)
		if strings.Contains(name, "{") {
			name = "" // any last segment may be this action's
		}
		a.actionNames[name] = true
		for _, prefix := range prefixes {
			a.actions.Handle(http.MethodPost+" "+prefix+p, noop)
		}
	}
}

// isAction reports whether r's path is an action's: POST would reach it,
// with any key in parentheses (keys) on one of its wildcards.
func (a *api) isAction(r *http.Request, keys []int) bool {
	// Matching a path against the patterns costs allocations; a GET by
	// id, whose last segment is a key, is answered by the name alone.
	// Patterns match unescaped segments, and r.URL.Path's last segment is
	// the last one unescaped (or a part of it, when it holds a %2F, which
	// no literal segment matches anyway).
	if a.actions == nil || !a.actionNames[path.Base(r.URL.Path)] && !a.actionNames[""] {
		return false
	}
	asPost := &http.Request{Method: http.MethodPost, URL: r.URL, Host: r.Host}
	_, pattern := a.actions.Handler(asPost)
	return pattern != "" && (keys == nil || keysOnWildcards(pattern, keys))
}
