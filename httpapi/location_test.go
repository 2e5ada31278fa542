package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"industrydata"
	"industrydata/httpapi"
	"industrydata/service"
)

// A finished run's operation stores where its report is as a path; each
// reader sees it as an absolute URL of the base it addressed (SPEC §6):
// two servers with different public URLs over one store, and a proxy's
// forwarded host, each get their own, in GET and in a list alike.
func TestResourceLocationIsAbsoluteForEachReader(t *testing.T) {
	st := openStore(t)
	publicA, _ := url.Parse("https://a.example")
	publicB, _ := url.Parse("https://b.example:8443")
	a := newHarnessWithStore(t, st, func(c *httpapi.Config, _ *service.Options) { c.PublicURL = publicA })
	b := newHarnessWithStore(t, st, func(c *httpapi.Config, _ *service.Options) { c.PublicURL = publicB })
	proxied := newHarnessWithStore(t, st, func(c *httpapi.Config, _ *service.Options) { c.TrustProxyHeaders = true })

	pid, rid := reportRun(t, a)
	path := "/beta/industryData/processes/" + pid + "/runs/" + rid + "/userReport"
	ops, err := st.ListOperations(t.Context(), tenantA, industrydata.ListQuery{})
	if err != nil || len(ops) != 1 {
		t.Fatalf("operations: %v, %v", ops, err)
	}
	op := ops[0]
	if op.ResourceLocation == nil || *op.ResourceLocation != path {
		t.Fatalf("stored resourceLocation %v, want the path %s", op.ResourceLocation, path)
	}

	forwarded := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "proxy.example"}
	tests := []struct {
		name    string
		h       *harness
		prefix  string
		headers []string
		want    string
	}{
		{"public URL A", a, "/beta/industryData", nil, "https://a.example" + path},
		{"public URL B", b, "/beta/industryData", nil, "https://b.example:8443" + path},
		{"public URL B, published prefix", b, "/beta/external/industryData", nil, "https://b.example:8443" + path},
		{"trusted proxy", proxied, "/beta/industryData", forwarded, "https://proxy.example" + path},
		{"no proxy headers: the request's host", proxied, "/beta/industryData", nil, "http://industrydata.test" + path},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.must(200, request{method: "GET", path: tt.prefix + "/operations/" + op.ID, headers: tt.headers})
			if loc := got.str("resourceLocation"); loc != tt.want {
				t.Errorf("GET: resourceLocation %q, want %q", loc, tt.want)
			}
			list := tt.h.must(200, request{method: "GET", path: tt.prefix + "/operations?$select=resourceLocation", headers: tt.headers})
			if !strings.Contains(list.raw, `"resourceLocation":"`+tt.want+`"`) {
				t.Errorf("list: %s, want resourceLocation %q", list.raw, tt.want)
			}
			// The URL leads to the report.
			u, err := url.Parse(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			rep := tt.h.must(200, request{method: "GET", path: u.Path, headers: tt.headers})
			if rep.str("id") != rid {
				t.Errorf("the resourceLocation leads to %s, want the report of run %s", rep.raw, rid)
			}
		})
	}

	// A value a client stores is a URL of its own: written as it is.
	b.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + op.ID,
		body: `{"resourceLocation":"https://elsewhere.example/x"}`})
	if loc := a.must(200, request{method: "GET", path: "/beta/industryData/operations/" + op.ID}).str("resourceLocation"); loc != "https://elsewhere.example/x" {
		t.Errorf("client-set resourceLocation read back as %q", loc)
	}
}
