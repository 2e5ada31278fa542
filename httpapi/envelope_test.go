package httpapi_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/httpapi"
	"industrydata/service"
)

func TestErrorEnvelope(t *testing.T) {
	h := newHarness(t)
	res := h.do(request{method: "GET", path: "/beta/industryData/operations/nope", headers: []string{"client-request-id", "my-id-1"}})
	if res.status != 404 || res.errorCode() != "itemNotFound" {
		t.Fatalf("%d %s", res.status, res.raw)
	}
	if !strings.HasPrefix(res.raw, `{"error":{"code":"itemNotFound","message":`) {
		t.Errorf("envelope shape: %s", res.raw)
	}
	inner, _ := res.body["error"].(map[string]any)["innerError"].(map[string]any)
	if inner == nil {
		t.Fatalf("no innerError (camelCase) in %s", res.raw)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`).MatchString(inner["date"].(string)) {
		t.Errorf("innerError.date %q", inner["date"])
	}
	if inner["request-id"] != res.header.Get("request-id") || inner["request-id"] == "" {
		t.Errorf("request-id %v vs header %q", inner["request-id"], res.header.Get("request-id"))
	}
	if inner["client-request-id"] != "my-id-1" || res.header.Get("client-request-id") != "my-id-1" {
		t.Errorf("client-request-id not echoed: %v %q", inner["client-request-id"], res.header.Get("client-request-id"))
	}
	if res.header.Get("OData-Version") != "4.0" {
		t.Errorf("OData-Version %q", res.header.Get("OData-Version"))
	}
}

func TestEveryResponseHasHeaders(t *testing.T) {
	h := newHarness(t)
	for _, rq := range []request{
		{method: "GET", path: "/beta/industryData"},
		{method: "GET", path: "/beta/industryData/operations"},
		{method: "GET", path: "/beta/nothing/here"},
		{method: "PUT", path: "/beta/industryData/operations"},
		{method: "GET", path: "/beta/industryData/operations", tenant: "-"},
		{method: "GET", path: "/healthz", tenant: "-"},
		{method: "GET", path: "/readyz", tenant: "-"},
	} {
		res := h.do(rq)
		if res.header.Get("request-id") == "" {
			t.Errorf("%s %s: no request-id", rq.method, rq.path)
		}
		ct := res.header.Get("Content-Type")
		if before, _, _ := strings.Cut(ct, ";"); before != "application/json" {
			t.Errorf("%s %s: Content-Type %q must start with exactly application/json", rq.method, rq.path, ct)
		}
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	h := newHarness(t)
	res := h.must(404, request{method: "GET", path: "/beta/industryData/widgets"})
	if res.errorCode() != "itemNotFound" {
		t.Errorf("code %q", res.errorCode())
	}
	res = h.must(405, request{method: "PUT", path: "/beta/industryData/operations/x", body: `{}`})
	if res.errorCode() != "methodNotAllowed" || !strings.Contains(res.header.Get("Allow"), "PATCH") {
		t.Errorf("405: code %q Allow %q", res.errorCode(), res.header.Get("Allow"))
	}
	res = h.must(405, request{method: "POST", path: "/beta/industryData"})
	if res.errorCode() != "methodNotAllowed" {
		t.Errorf("code %q", res.errorCode())
	}
	// Unclean paths are refused, not redirected.
	res = h.do(request{method: "GET", path: "/beta/industryData/../industryData/operations"})
	if res.status >= 300 && res.status < 400 {
		t.Errorf("redirected: %d", res.status)
	}
	// A trailing slash is tolerated.
	h.must(200, request{method: "GET", path: "/beta/industryData/operations/"})
}

// panicStore injects a fault: every GetOperation panics.
type panicStore struct{ industrydata.Store }

func (panicStore) GetOperation(context.Context, industrydata.TenantID, string) (industrydata.Operation, error) {
	panic("secret internal detail")
}

func TestPanicIsGeneralException(t *testing.T) {
	h := newHarnessWithStore(t, panicStore{openStore(t)})
	res := h.must(500, request{method: "GET", path: "/beta/industryData/operations/x"})
	if res.errorCode() != "generalException" {
		t.Errorf("code %q", res.errorCode())
	}
	if strings.Contains(res.raw, "secret") || strings.Contains(res.raw, "panic") {
		t.Errorf("internals leaked: %s", res.raw)
	}
}

func TestOperationPreconditions(t *testing.T) {
	h := newHarness(t)
	created := h.createOperation(`{}`)
	id, etag := created.str("id"), created.header.Get("ETag")
	path := "/beta/industryData/operations/" + id
	res := h.must(304, request{method: "GET", path: path, headers: []string{"If-None-Match", etag}})
	if res.raw != "" || res.header.Get("Content-Type") != "" {
		t.Errorf("304 with a body: %q", res.raw)
	}
	h.must(200, request{method: "GET", path: path, headers: []string{"If-None-Match", `"other"`}})
	h.must(412, request{method: "PATCH", path: path, body: `{"status":"running"}`, headers: []string{"If-Match", `"other"`}})
	h.must(412, request{method: "DELETE", path: path, headers: []string{"If-Match", `"other"`}})
	if h.must(200, request{method: "GET", path: path}).str("status") != "notStarted" {
		t.Errorf("412 changed the operation")
	}
	patched := h.must(200, request{method: "PATCH", path: path, body: `{"status":"running"}`, headers: []string{"If-Match", etag}})
	if patched.header.Get("ETag") == etag {
		t.Errorf("ETag did not change on write")
	}
	h.must(412, request{method: "DELETE", path: path, headers: []string{"If-Match", etag}})
	h.must(204, request{method: "DELETE", path: path, headers: []string{"If-Match", "*"}})
	h.must(404, request{method: "DELETE", path: path, headers: []string{"If-Match", "*"}})
}

// TestWildcardPreconditions: the quoted wildcard "*" is the wildcard, like
// the bare *, on If-Match (PATCH, DELETE) and If-None-Match (GET).
func TestWildcardPreconditions(t *testing.T) {
	tests := []struct {
		name, method, header, value string
		want                        int
	}{
		{"PATCH bare *", "PATCH", "If-Match", `*`, 200},
		{"PATCH quoted *", "PATCH", "If-Match", `"*"`, 200},
		{"PATCH quoted * among stale", "PATCH", "If-Match", `"stale", "*"`, 200},
		{"PATCH star inside a tag", "PATCH", "If-Match", `"*stale"`, 412},
		{"GET bare *", "GET", "If-None-Match", `*`, 304},
		{"GET quoted *", "GET", "If-None-Match", `"*"`, 304},
		{"DELETE quoted *", "DELETE", "If-Match", `"*"`, 204},
		{"DELETE bare *", "DELETE", "If-Match", `*`, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			path := "/beta/industryData/operations/" + h.createOperation(`{}`).str("id")
			body := ""
			if tt.method == "PATCH" {
				body = `{"status":"running"}`
			}
			h.must(tt.want, request{method: tt.method, path: path, body: body, headers: []string{tt.header, tt.value}})
		})
	}
	t.Run("DELETE quoted * of a missing entity", func(t *testing.T) {
		h := newHarness(t)
		h.must(404, request{method: "DELETE", path: "/beta/industryData/operations/00000000-0000-0000-0000-000000000000",
			headers: []string{"If-Match", `"*"`}})
	})
}

func TestAbsoluteURLs(t *testing.T) {
	public, _ := url.Parse("https://graph.example.org")
	tests := []struct {
		name    string
		opts    []harnessOption
		headers []string
		want    string
	}{
		{"request host", nil, nil, "http://industrydata.test/beta/"},
		{"public URL wins", []harnessOption{func(c *httpapi.Config, _ *service.Options) { c.PublicURL = public }},
			[]string{"X-Forwarded-Host", "evil.example"}, "https://graph.example.org/beta/"},
		{"forwarded headers ignored unless trusted", nil,
			[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "http://industrydata.test/beta/"},
		{"X-Forwarded trusted", []harnessOption{func(c *httpapi.Config, _ *service.Options) { c.TrustProxyHeaders = true }},
			[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.org"}, "https://api.example.org/beta/"},
		{"Forwarded trusted", []harnessOption{func(c *httpapi.Config, _ *service.Options) { c.TrustProxyHeaders = true }},
			[]string{"Forwarded", `for=1.2.3.4;proto=https;host="gw.example.org:8443"`}, "https://gw.example.org:8443/beta/"},
		{"injected host refused", []harnessOption{func(c *httpapi.Config, _ *service.Options) { c.TrustProxyHeaders = true }},
			[]string{"X-Forwarded-Host", "a.example/evil?x="}, "http://localhost/beta/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts...)
			res := h.must(201, request{method: "POST", path: "/beta/industryData/operations", body: `{}`, headers: tc.headers})
			if loc := res.header.Get("Location"); !strings.HasPrefix(loc, tc.want) {
				t.Errorf("Location %q, want prefix %q", loc, tc.want)
			}
			if ctx := res.str("@odata.context"); !strings.HasPrefix(ctx, tc.want) {
				t.Errorf("@odata.context %q, want prefix %q", ctx, tc.want)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	expired, _ := auth.Mint(testKey, auth.TokenRequest{Tenant: tenantA, Expires: time.Hour, Now: time.Now().Add(-3 * time.Hour)})
	future, _ := auth.Mint(testKey, auth.TokenRequest{Tenant: tenantA, Expires: time.Hour, Now: time.Now().Add(time.Hour)})
	otherKey, _ := auth.Mint([]byte("another-key-another-key-another!!"), auth.TokenRequest{Tenant: tenantA, Expires: time.Hour})
	good := token(t, tenantA)
	parts := strings.Split(good, ".")
	algNone := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	for name, hdr := range map[string]string{
		"missing":       "",
		"not bearer":    "Basic dXNlcjpwYXNz",
		"empty bearer":  "Bearer ",
		"garbage":       "Bearer abc.def.ghi",
		"expired":       "Bearer " + expired,
		"not yet valid": "Bearer " + future,
		"wrong key":     "Bearer " + otherKey,
		"alg none":      "Bearer " + algNone,
		"tampered":      "Bearer " + parts[0] + "." + parts[1] + "x." + parts[2],
	} {
		t.Run(name, func(t *testing.T) {
			req := request{method: "GET", path: "/beta/industryData/operations", tenant: "-"}
			if hdr != "" {
				req.headers = []string{"Authorization", hdr}
			}
			res := h.must(401, req)
			if res.errorCode() != "unauthenticated" || !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("code %q WWW-Authenticate %q", res.errorCode(), res.header.Get("WWW-Authenticate"))
			}
		})
	}
	// Health endpoints need no token.
	h.must(200, request{method: "GET", path: "/healthz", tenant: "-"})
	h.must(200, request{method: "GET", path: "/readyz", tenant: "-"})
}

func TestPermissions(t *testing.T) {
	h := newHarness(t)
	opID := h.createOperation(`{}`).str("id")
	procID := h.systemProcess()["id"].(string)
	P := func(p ...industrydata.Permission) []industrydata.Permission { return p }
	tests := []struct {
		method, path, body string
		granted            []industrydata.Permission
	}{
		{"GET", "/beta/industryData", "", P(industrydata.PermReadBasic)},
		{"GET", "/beta/industryData/operations", "", P(industrydata.PermReadBasic, industrydata.PermOperationReadWrite)},
		{"GET", "/beta/industryData/operations/" + opID, "", P(industrydata.PermReadBasic, industrydata.PermOperationReadWrite)},
		{"POST", "/beta/industryData/operations", `{}`, P(industrydata.PermOperationReadWrite)},
		{"PATCH", "/beta/industryData/operations/" + opID, `{}`, P(industrydata.PermOperationReadWrite)},
		{"GET", "/beta/industryData/processes", "", P(industrydata.PermReadBasic, industrydata.PermProcessReadWrite)},
		{"GET", "/beta/industryData/processes/" + procID, "", P(industrydata.PermReadBasic, industrydata.PermProcessReadWrite)},
		{"PATCH", "/beta/industryData/processes/" + procID, `{"displayName":"n","readinessStatus":"ready"}`, P(industrydata.PermProcessReadWrite)},
	}
	for _, tc := range tests {
		for _, perm := range industrydata.AllPermissions {
			want := 403
			for _, g := range tc.granted {
				if g == perm {
					want = 0
				}
			}
			headers := []string{"If-Match", "*"}
			res := h.do(request{method: tc.method, path: tc.path, body: tc.body, token: token(t, tenantA, perm), headers: headers})
			if want == 403 && (res.status != 403 || res.errorCode() != "accessDenied") {
				t.Errorf("%s %s with %s: %d %s, want 403 accessDenied", tc.method, tc.path, perm, res.status, res.errorCode())
			}
			if want == 0 && res.status >= 300 {
				t.Errorf("%s %s with %s: %d %s, want success", tc.method, tc.path, perm, res.status, res.raw)
			}
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	h := newHarness(t)
	opID := h.createOperation(`{"statusDetail":"tenant A's"}`).str("id")
	procID := h.systemProcess()["id"].(string)
	for _, rq := range []request{
		{method: "GET", path: "/beta/industryData/operations/" + opID},
		{method: "PATCH", path: "/beta/industryData/operations/" + opID, body: `{"status":"failed"}`},
		{method: "DELETE", path: "/beta/industryData/operations/" + opID},
		{method: "GET", path: "/beta/industryData/processes/" + procID},
		{method: "PATCH", path: "/beta/industryData/processes/" + procID, body: `{"displayName":"x","readinessStatus":"ready"}`, headers: []string{"If-Match", "*"}},
		{method: "DELETE", path: "/beta/industryData/processes/" + procID},
	} {
		rq.tenant = tenantB
		res := h.do(rq)
		if res.status != 404 || res.errorCode() != "itemNotFound" {
			t.Errorf("%s %s as another tenant: %d %s", rq.method, rq.path, res.status, res.raw)
		}
	}
	res := h.must(200, request{method: "GET", path: "/beta/industryData/operations", tenant: tenantB})
	if strings.Contains(res.raw, opID) {
		t.Errorf("tenant B lists tenant A's operation")
	}
	if h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + opID}).str("statusDetail") != "tenant A's" {
		t.Errorf("tenant B changed tenant A's operation")
	}
}
