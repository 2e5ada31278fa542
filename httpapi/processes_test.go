package httpapi_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const urrp = "microsoft.graph.industryData.userReportRefreshProcess"

func TestProcessProvisionedOnFirstCall(t *testing.T) {
	h := newHarness(t)
	p := h.systemProcess()
	want := map[string]any{
		"@odata.type":     "#" + urrp,
		"displayName":     "User report refresh",
		"readinessStatus": "ready",
	}
	got := map[string]any{}
	for k := range want {
		got[k] = p[k]
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if p["id"] == "" || p["eTag"] == "" {
		t.Errorf("id and eTag must be set: %v", p)
	}
	// Another tenant gets its own, and never sees A's.
	res := h.must(200, request{method: "GET", path: "/beta/industryData/processes", tenant: tenantB})
	other := res.body["value"].([]any)[0].(map[string]any)
	if other["id"] == p["id"] {
		t.Errorf("tenants share a process")
	}
	h.must(404, request{method: "GET", path: "/beta/industryData/processes/" + p["id"].(string), tenant: tenantB})
}

func TestProcessGetAndCast(t *testing.T) {
	h := newHarness(t)
	id := h.systemProcess()["id"].(string)
	res := h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + id})
	if got, want := res.header.Get("ETag"), `"`+res.str("eTag")+`"`; got != want {
		t.Errorf("ETag header %q, want %q", got, want)
	}
	if got, want := res.str("@odata.context"), "http://industrydata.test/beta/$metadata#industryData/processes/$entity"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
	res = h.must(200, request{method: "GET", path: "/beta/external/industryData/processes/" + id + "/" + urrp})
	if got, want := res.str("@odata.context"), "http://industrydata.test/beta/$metadata#external/industryData/processes/"+urrp+"/$entity"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
	res = h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + urrp})
	if n := len(res.body["value"].([]any)); n != 1 {
		t.Errorf("cast collection has %d items", n)
	}
	h.must(404, request{method: "GET", path: "/beta/industryData/processes/00000000-0000-0000-0000-000000000000/" + urrp})
}

func TestPatchProcessSeed(t *testing.T) {
	for _, path := range []string{"", "/" + urrp} {
		t.Run("path"+path, func(t *testing.T) {
			h := newHarness(t)
			p := h.systemProcess()
			id, etag := p["id"].(string), p["eTag"].(string)
			res := h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id + path, body: `{
  "@odata.type": "#microsoft.graph.industryData.userReportRefreshProcess",
  "eTag": "` + etag + `",
  "displayName": "Nightly roster refresh",
  "readinessStatus": "notReady"
}`})
			if res.str("eTag") == "" || res.str("eTag") == etag {
				t.Errorf("eTag did not change: %s", res.raw)
			}
			if got, want := res.header.Get("ETag"), `"`+res.str("eTag")+`"`; got != want {
				t.Errorf("ETag header %q, want %q", got, want)
			}
			want := map[string]any{"@odata.type": "#" + urrp, "id": id, "displayName": "Nightly roster refresh", "readinessStatus": "notReady"}
			got := map[string]any{}
			for k := range want {
				got[k] = res.body[k]
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			// The old eTag is now stale: 412, and nothing changes.
			stale := h.must(412, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: `{"eTag":"` + etag + `","displayName":"x","readinessStatus":"ready"}`})
			if stale.errorCode() != "preconditionFailed" {
				t.Errorf("code %q", stale.errorCode())
			}
			after := h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + id})
			if after.str("displayName") != "Nightly roster refresh" || after.str("eTag") != res.str("eTag") {
				t.Errorf("a 412 changed the process: %s", after.raw)
			}
		})
	}
}

func TestPatchProcessETagInIfMatch(t *testing.T) {
	h := newHarness(t)
	p := h.systemProcess()
	id, etag := p["id"].(string), p["eTag"].(string)
	body := `{"displayName":"n","readinessStatus":"expired"}`
	h.must(412, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body, headers: []string{"If-Match", `"stale"`}})
	res := h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body, headers: []string{"If-Match", `"` + etag + `"`}})
	// Weak form, bare value and * match too.
	h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body, headers: []string{"If-Match", `W/"` + res.str("eTag") + `"`}})
	cur := h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + id}).str("eTag")
	h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body, headers: []string{"If-Match", cur}})
	h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body, headers: []string{"If-Match", "*"}})
	// Body and header must both be current.
	cur = h.must(200, request{method: "GET", path: "/beta/industryData/processes/" + id}).str("eTag")
	h.must(412, request{method: "PATCH", path: "/beta/industryData/processes/" + id,
		body: `{"eTag":"` + cur + `","displayName":"n","readinessStatus":"ready"}`, headers: []string{"If-Match", `"old"`}})
}

func TestPatchProcessRequiredProperties(t *testing.T) {
	tests := []struct {
		name, body, target string
	}{
		{"missing displayName", `{"eTag":"%s","readinessStatus":"ready"}`, "displayName"},
		{"missing readinessStatus", `{"eTag":"%s","displayName":"n"}`, "readinessStatus"},
		{"missing eTag", `{"displayName":"n","readinessStatus":"ready"}`, "eTag"},
		{"null eTag", `{"eTag":null,"displayName":"n","readinessStatus":"ready"}`, "eTag"},
		{"null displayName", `{"eTag":"%s","displayName":null,"readinessStatus":"ready"}`, "displayName"},
		{"bad readinessStatus", `{"eTag":"%s","displayName":"n","readinessStatus":"paused"}`, "readinessStatus"},
		{"base @odata.type", `{"@odata.type":"#microsoft.graph.industryData.process","eTag":"%s","displayName":"n","readinessStatus":"ready"}`, "@odata.type"},
		{"runs navigation", `{"eTag":"%s","displayName":"n","readinessStatus":"ready","runs":[]}`, "runs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			p := h.systemProcess()
			id, etag := p["id"].(string), p["eTag"].(string)
			body := strings.ReplaceAll(tc.body, "%s", etag)
			res := h.must(400, request{method: "PATCH", path: "/beta/industryData/processes/" + id, body: body})
			if res.errorCode() != "badRequest" || res.errorTarget() != tc.target || !strings.Contains(res.errorMessage(), tc.target) {
				t.Errorf("code %q target %q message %q; want target %q named", res.errorCode(), res.errorTarget(), res.errorMessage(), tc.target)
			}
			if after := h.systemProcess(); after["eTag"] != etag {
				t.Errorf("a refused PATCH changed the eTag")
			}
		})
	}
}

func TestReadinessStatusValues(t *testing.T) {
	h := newHarness(t)
	p := h.systemProcess()
	id := p["id"].(string)
	for _, v := range []string{"notReady", "ready", "failed", "deleted", "expired", "unknownFutureValue", "disabled"} {
		res := h.must(200, request{method: "PATCH", path: "/beta/industryData/processes/" + id,
			body: `{"displayName":"n","readinessStatus":"` + v + `"}`, headers: []string{"If-Match", "*"}})
		if res.str("readinessStatus") != v {
			t.Errorf("readinessStatus %q stored as %q", v, res.str("readinessStatus"))
		}
	}
}

func TestCreateProcess(t *testing.T) {
	h := newHarness(t)
	body := `{"@odata.type":"#` + urrp + `","displayName":"Again"}`
	res := h.must(409, request{method: "POST", path: "/beta/industryData/processes", body: body})
	if res.errorCode() != "conflict" {
		t.Errorf("code %q", res.errorCode())
	}
	id := h.systemProcess()["id"].(string)
	h.must(204, request{method: "DELETE", path: "/beta/industryData/processes/" + id})
	// Deleting does not make the service provision it again.
	res = h.must(200, request{method: "GET", path: "/beta/industryData/processes"})
	if n := len(res.body["value"].([]any)); n != 0 {
		t.Fatalf("deleted process came back: %s", res.raw)
	}
	res = h.must(201, request{method: "POST", path: "/beta/industryData/processes", body: body})
	if res.str("displayName") != "Again" || res.str("readinessStatus") != "ready" {
		t.Errorf("created %s", res.raw)
	}
	if !strings.HasSuffix(res.header.Get("Location"), "/beta/industryData/processes/"+res.str("id")) {
		t.Errorf("Location %q", res.header.Get("Location"))
	}
	h.must(409, request{method: "POST", path: "/beta/industryData/processes", body: body})
}

func TestCreateProcessNeedsConcreteType(t *testing.T) {
	h := newHarness(t)
	for _, body := range []string{
		`{"displayName":"x"}`,
		`{"@odata.type":"#microsoft.graph.industryData.process"}`,
		`{"@odata.type":"#microsoft.graph.industryData.systemProcess"}`,
		`{"@odata.type":"#microsoft.graph.longRunningOperation"}`,
		`{"@odata.type":"#microsoft.graph.industryData.nonsense"}`,
		`{"@odata.type":7}`,
	} {
		res := h.must(400, request{method: "POST", path: "/beta/industryData/processes", body: body})
		if res.errorTarget() != "@odata.type" {
			t.Errorf("%s: target %q", body, res.errorTarget())
		}
		if _, ok := res.body["error"]; ok && !strings.Contains(res.raw, "userReportRefreshProcess") && body != `{"@odata.type":7}` {
			t.Errorf("%s: message does not name the allowed type: %s", body, res.errorMessage())
		}
	}
}
