package httpapi_test

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The tenant id is a GUID, compared whatever its case: a token spelling it
// in capitals reaches the same tenant as one in lower case. A tid that is
// not a GUID is refused.
func TestTenantIDIsACaseInsensitiveGUID(t *testing.T) {
	h := newHarness(t)
	const tenant = "abcdef01-2345-4678-9abc-def012345678"
	all := jwt.MapClaims{"roles": []string{"IndustryData-Operation.ReadWrite.All", "IndustryData.ReadBasic.All"}}
	upper := rawToken(t, strings.ToUpper(tenant), all)
	id := h.must(201, request{method: "POST", path: "/beta/industryData/operations", body: `{"status":"running"}`, token: upper}).str("id")
	got := h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + id, token: rawToken(t, tenant, all)})
	if got.str("id") != id {
		t.Fatalf("GET with the lower-case tenant: %s", got.raw)
	}
	if root := h.must(200, request{method: "GET", path: "/beta/industryData", token: upper}); root.str("id") != tenant {
		t.Errorf("root id %q, want the tenant lower-cased", root.str("id"))
	}
	for _, tid := range []string{"contoso", "{" + tenant + "}", strings.ReplaceAll(tenant, "-", ""), "urn:uuid:" + tenant, tenant + " "} {
		res := h.do(request{method: "GET", path: "/beta/industryData/operations", token: rawToken(t, tid, all)})
		if res.status != 401 || res.errorCode() != "unauthenticated" || !strings.Contains(res.errorMessage(), "GUID") {
			t.Errorf("tid %q: %d %s, want 401 naming the GUID", tid, res.status, res.raw)
		}
	}
}
