package httpapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"industrydata/service"
)

// An action is told from the table alone: a path only POST serves. A route
// added later that way gets 405 Allow: POST for other methods, even where a
// GET wildcard route would match its path.
func TestActionPathsFromTable(t *testing.T) {
	ok := func(http.ResponseWriter, *http.Request, *service.Tenant) error { return nil }
	table := []route{
		{"GET", "/industryData/things", readRoot, ok},
		{"POST", "/industryData/things", readRoot, ok},
		{"GET", "/industryData/things/{id}", readRoot, ok},
		{"POST", "/industryData/things/{id}/validate", readRoot, ok},
		{"POST", "/industryData/things/reset", readRoot, ok},
	}
	got := actionPaths(table)
	want := []string{"/industryData/things/{id}/validate", "/industryData/things/reset"}
	if !slices.Equal(got, want) {
		t.Fatalf("actionPaths = %v, want %v", got, want)
	}
	a := &api{}
	a.registerActions(table)
	for _, tc := range []struct {
		target string
		keys   []int
		want   bool
	}{
		{"/beta/industryData/things/reset", nil, true},
		{"/beta/external/industryData/things/x/validate", nil, true},
		{"/beta/industryData/things/x/validate", []int{4}, true}, // things('x')/validate
		{"/beta/industryData/things/reset", []int{4}, false},     // things('reset') is an entity
		{"/beta/industryData/things/x", nil, false},
		{"/beta/industryData/things", nil, false},
	} {
		if got := a.isAction(httptest.NewRequest("GET", tc.target, nil), tc.keys); got != tc.want {
			t.Errorf("isAction(GET %s, keys %v) = %v, want %v", tc.target, tc.keys, got, tc.want)
		}
	}
}

// An action path ending in a wildcard is told apart too: any last segment
// may then be an action's.
func TestActionPathEndingInWildcard(t *testing.T) {
	ok := func(http.ResponseWriter, *http.Request, *service.Tenant) error { return nil }
	a := &api{}
	a.registerActions([]route{
		{"POST", "/industryData/things/{id}/reset", readRoot, ok},
		{"POST", "/industryData/things/{id}/signals/{signal}", readRoot, ok},
	})
	for target, want := range map[string]bool{
		"/beta/industryData/things/x/signals/stop": true,
		"/beta/industryData/things/x/reset":        true,
		"/beta/industryData/things/x":              false,
	} {
		if got := a.isAction(httptest.NewRequest("GET", target, nil), nil); got != want {
			t.Errorf("isAction(GET %s) = %v, want %v", target, got, want)
		}
	}
}
