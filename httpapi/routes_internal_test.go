package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"industrydata"
	"industrydata/service"
)

// A route that names no permission cannot be registered: the server refuses
// to start rather than serve an open route.
func TestRegisterRefusesRouteWithoutPermissions(t *testing.T) {
	ok := func(http.ResponseWriter, *http.Request, *service.Tenant) error { return nil }
	tests := []struct {
		name string
		rt   route
		want string
	}{
		{"nil permission set", route{"GET", "/industryData/open", nil, ok}, "no permission set"},
		{"empty permission set", route{"GET", "/industryData/open", []industrydata.Permission{}, ok}, "no permission set"},
		{"unknown permission", route{"GET", "/industryData/open", []industrydata.Permission{"IndustryData.Everything"}, ok}, "unknown permission"},
		{"empty permission name", route{"GET", "/industryData/open", []industrydata.Permission{""}, ok}, "unknown permission"},
		{"no handler", route{"GET", "/industryData/open", readRoot, nil}, "handler"},
		{"no method", route{"", "/industryData/open", readRoot, ok}, "method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &api{Config: Config{Logger: slog.New(slog.DiscardHandler)}}
			a.throttled = func(h http.Handler) http.Handler { return h }
			mux := http.NewServeMux()
			defer func() {
				v := recover()
				msg, _ := v.(string)
				if v == nil || !strings.Contains(msg, tc.want) {
					t.Fatalf("register: panic %v, want one mentioning %q", v, tc.want)
				}
				// Nothing was registered under any prefix.
				for _, prefix := range prefixes {
					r, _ := http.NewRequest("GET", "http://x"+prefix+"/industryData/open", nil)
					if _, pattern := mux.Handler(r); pattern != "" {
						t.Errorf("%s registered as %q", r.URL.Path, pattern)
					}
				}
			}()
			a.register(mux, tc.rt)
		})
	}
}

// Every entry of the real table passes register's checks, and the table has
// no duplicate (a duplicate pattern would panic in ServeMux anyway).
func TestRouteTableWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range (&api{}).routeTable() {
		key := rt.method + " " + rt.path
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		if len(rt.perms) == 0 || rt.h == nil {
			t.Errorf("%s: perms %v, handler set %v", key, rt.perms, rt.h != nil)
		}
		// /external is Graph's singleton above industryData; $batch is
		// the version's.
		if !strings.HasPrefix(rt.path, "/industryData") && rt.path != "/external" && rt.path != batchPath {
			t.Errorf("%s: path outside /industryData", key)
		}
	}
}
