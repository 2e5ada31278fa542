package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedOperations creates n operations with status cycling through
// running/succeeded/failed and createdDateTime one minute apart.
func seedOperations(h *harness, n int) {
	h.t.Helper()
	statuses := []string{"running", "succeeded", "failed"}
	for i := 0; i < n; i++ {
		h.createOperation(fmt.Sprintf(`{"status":%q,"statusDetail":"op %02d","createdDateTime":"2024-01-01T00:%02d:00Z"}`,
			statuses[i%3], i, i))
	}
}

func values(res *response) []map[string]any {
	var out []map[string]any
	for _, v := range res.body["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func details(res *response) []string {
	var out []string
	for _, v := range values(res) {
		s, _ := v["statusDetail"].(string)
		out = append(out, s)
	}
	return out
}

func q(s string) string { return strings.ReplaceAll(url.PathEscape(s), "&", "%26") }

func TestFilterOrderBySelectCount(t *testing.T) {
	h := newHarness(t)
	seedOperations(h, 9)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"filter eq", "$filter=" + q("status eq 'running'"), []string{"op 00", "op 03", "op 06"}},
		{"filter without $", "filter=" + q("status eq 'failed'"), []string{"op 02", "op 05", "op 08"}},
		{"percent-encoded name", "%24filter=" + q("status eq 'failed'"), []string{"op 02", "op 05", "op 08"}},
		{"orderby desc", "$filter=" + q("status eq 'running'") + "&$orderby=" + q("createdDateTime desc"), []string{"op 06", "op 03", "op 00"}},
		{"in and or", "$filter=" + q("status in ('failed','succeeded') and (statusDetail eq 'op 01' or statusDetail eq 'op 02')"), []string{"op 01", "op 02"}},
		{"startswith", "$filter=" + q("startswith(statusDetail,'op 0') and not (status eq 'running')") + "&$top=2", []string{"op 01", "op 02"}},
		{"datetime literal", "$filter=" + q("createdDateTime ge 2024-01-01T00:07:00Z"), []string{"op 07", "op 08"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := h.must(200, request{method: "GET", path: "/beta/industryData/operations?" + tc.query})
			if d := cmp.Diff(tc.want, details(res)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	res := h.must(200, request{method: "GET", path: "/beta/industryData/operations?$select=status,statusDetail&$count=true&$filter=" + q("status eq 'running'")})
	if res.body["@odata.count"] != float64(3) {
		t.Errorf("@odata.count = %v, want 3", res.body["@odata.count"])
	}
	if !strings.HasSuffix(res.str("@odata.context"), "#industryData/operations(status,statusDetail)") {
		t.Errorf("@odata.context %q", res.str("@odata.context"))
	}
	for _, v := range values(res) {
		if _, ok := v["createdDateTime"]; ok {
			t.Errorf("$select leaked createdDateTime: %v", v)
		}
		if v["id"] == nil || v["@odata.type"] == nil {
			t.Errorf("id and @odata.type are always present: %v", v)
		}
	}
	one := values(res)[0]["id"].(string)
	res = h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + one + "?$select=status"})
	if _, ok := res.body["statusDetail"]; ok || res.str("status") != "running" {
		t.Errorf("$select on an entity: %s", res.raw)
	}
}

func TestNextLinksCarryTheQuery(t *testing.T) {
	h := newHarness(t)
	seedOperations(h, 30)
	path := "/beta/industryData/operations?$filter=" + q("status ne 'failed'") + "&$orderby=" + q("createdDateTime desc") + "&$top=4&$count=true"
	var got []string
	pages := 0
	for path != "" {
		res := h.must(200, request{method: "GET", path: path})
		pages++
		got = append(got, details(res)...)
		next := res.str("@odata.nextLink")
		if strings.ContainsAny(next, " {}") {
			t.Fatalf("nextLink has raw space or braces: %q", next)
		}
		if next != "" && res.body["@odata.count"] != float64(20) {
			t.Errorf("@odata.count %v on a page, want 20", res.body["@odata.count"])
		}
		path = strings.TrimPrefix(next, "http://industrydata.test")
	}
	var want []string
	for i := 29; i >= 0; i-- {
		if i%3 != 2 {
			want = append(want, fmt.Sprintf("op %02d", i))
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if pages != 5 {
		t.Errorf("%d pages, want 5", pages)
	}
}

func TestSkipTokenIsBoundToTenantAndQuery(t *testing.T) {
	h := newHarness(t)
	seedOperations(h, 5)
	res := h.must(200, request{method: "GET", path: "/beta/industryData/operations?$top=2&$filter=" + q("status ne 'failed'")})
	next := res.str("@odata.nextLink")
	u, err := url.Parse(next)
	if err != nil || next == "" {
		t.Fatalf("nextLink %q", next)
	}
	token := u.Query().Get("$skiptoken")
	for name, path := range map[string]string{
		"another query":  "/beta/industryData/operations?$top=2&$skiptoken=" + token,
		"tampered token": "/beta/industryData/operations?$top=2&$filter=" + q("status ne 'failed'") + "&$skiptoken=" + token[:len(token)-2] + "xx",
		"garbage":        "/beta/industryData/operations?$skiptoken=%7B%22seq%22%3A1%7D",
	} {
		res := h.must(400, request{method: "GET", path: path})
		if res.errorCode() != "badRequest" {
			t.Errorf("%s: code %q", name, res.errorCode())
		}
	}
	res = h.must(400, request{method: "GET", path: strings.TrimPrefix(next, "http://industrydata.test"), tenant: tenantB})
	if strings.Contains(res.raw, "op 0") {
		t.Errorf("another tenant's token revealed data: %s", res.raw)
	}
}

func TestBadQueryOptions(t *testing.T) {
	h := newHarness(t)
	// names: what the message or target must name; option: the query
	// option the message itself must name, since target names a property.
	for _, tc := range []struct{ query, names, option string }{
		{"$filter=" + q("nonsense eq 1"), "nonsense", "$filter"},
		{"$filter=" + q("status eq 'finished'"), "finished", "$filter"},
		{"$filter=" + q("status eq"), "$filter", "$filter"},
		{"$filter=" + q("statusDetail eq 5"), "statusDetail", "$filter"},
		{"$filter=" + q("status gt 'running'"), "status", "$filter"},
		{"$filter=" + q("contains(status,'x')"), "status", "$filter"},
		{"$orderby=" + q("colour desc"), "colour", "$orderby"},
		{"$orderby=" + q("status,status"), "status", "$orderby"},
		{"$orderby=" + q("status up"), "up", "$orderby"},
		{"$select=colour", "colour", "$select"},
		{"$select=" + q("status/x"), "status/x", "$select"},
		{"$select=status,", "$select", "$select"},
		{"$top=0", "$top", "$top"},
		{"$top=1000", "$top", "$top"},
		{"$top=abc", "$top", "$top"},
		{"$skip=-1", "$skip", "$skip"},
		{"$count=maybe", "$count", "$count"},
		{"$expand=runs", "$expand", "$expand"},
		{"$search=x", "$search", "$search"},
		{"$top=1&$top=2", "$top", "$top"},
		{"colour=blue", "colour", ""},
	} {
		res := h.do(request{method: "GET", path: "/beta/industryData/operations?" + tc.query})
		if res.status != 400 || res.errorCode() != "badRequest" {
			t.Errorf("%s: %d %s", tc.query, res.status, res.raw)
			continue
		}
		if !strings.Contains(res.errorMessage(), tc.names) && res.errorTarget() != tc.names {
			t.Errorf("%s: error does not name %q: %s", tc.query, tc.names, res.raw)
		}
		if !strings.Contains(res.errorMessage(), tc.option) {
			t.Errorf("%s: message does not name the option %s: %s", tc.query, tc.option, res.raw)
		}
	}
}

func TestPagingStableUnderInserts(t *testing.T) {
	h := newHarness(t)
	seedOperations(h, 25)
	before := map[string]bool{}
	for _, v := range values(h.must(200, request{method: "GET", path: "/beta/industryData/operations?$top=999"})) {
		before[v["id"].(string)] = true
	}
	seen := map[string]bool{}
	path := "/beta/industryData/operations?$top=4&$orderby=" + q("createdDateTime desc")
	for i := 0; path != ""; i++ {
		res := h.must(200, request{method: "GET", path: path})
		for _, v := range values(res) {
			id := v["id"].(string)
			if seen[id] {
				t.Fatalf("%s returned twice", id)
			}
			seen[id] = true
		}
		// Insert between pages, before and after the walk's position.
		h.createOperation(fmt.Sprintf(`{"createdDateTime":"2023-06-01T00:00:%02dZ"}`, i))
		h.createOperation(fmt.Sprintf(`{"createdDateTime":"2025-06-01T00:00:%02dZ"}`, i))
		path = strings.TrimPrefix(res.str("@odata.nextLink"), "http://industrydata.test")
	}
	for id := range before {
		if !seen[id] {
			t.Errorf("%s existed throughout but was skipped", id)
		}
	}
}
