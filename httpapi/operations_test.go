package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCreateOperation(t *testing.T) {
	h := newHarness(t)
	res := h.createOperation(`{"status":"running","statusDetail":"starting"}`)
	id := res.str("id")
	if id == "" {
		t.Fatalf("no id: %s", res.raw)
	}
	if got, want := res.header.Get("Location"), "http://industrydata.test/beta/industryData/operations/"+id; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if res.header.Get("ETag") == "" {
		t.Error("no ETag header")
	}
	want := map[string]any{
		"@odata.context":   "http://industrydata.test/beta/$metadata#industryData/operations/$entity",
		"@odata.type":      "#microsoft.graph.longRunningOperation",
		"id":               id,
		"status":           "running",
		"statusDetail":     "starting",
		"resourceLocation": nil,
	}
	got := map[string]any{}
	for k := range want {
		got[k] = res.body[k]
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("body (-want +got):\n%s", d)
	}
	if res.str("createdDateTime") == "" || res.str("createdDateTime") != res.str("lastActionDateTime") {
		t.Errorf("createdDateTime/lastActionDateTime default to now: %s", res.raw)
	}
	// What POST answered is what GET answers next.
	get := h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + id})
	if d := cmp.Diff(res.body, get.body); d != "" {
		t.Errorf("GET differs from POST (-post +get):\n%s", d)
	}
	if get.header.Get("ETag") != res.header.Get("ETag") {
		t.Errorf("ETag changed without a write")
	}
}

func TestCreateOperationDefaults(t *testing.T) {
	h := newHarness(t)
	res := h.createOperation(`{}`)
	if res.str("status") != "notStarted" {
		t.Errorf("status = %q, want notStarted", res.str("status"))
	}
	res = h.createOperation(`{"@odata.type":"#microsoft.graph.longRunningOperation","createdDateTime":"2020-01-02T03:04:05+01:00"}`)
	if got := res.str("createdDateTime"); got != "2020-01-02T02:04:05Z" {
		t.Errorf("createdDateTime = %q, want UTC 2020-01-02T02:04:05Z", got)
	}
}

// TestPatchOperationSeed replays seed 003's request and checks its response.
func TestPatchOperationSeed(t *testing.T) {
	for _, prefix := range []string{"/beta/industryData", "/beta/external/industryData"} {
		t.Run(prefix, func(t *testing.T) {
			h := newHarness(t)
			id := h.createOperation(`{"createdDateTime":"2024-01-01T00:00:00Z"}`).str("id")
			res := h.must(200, request{method: "PATCH", path: prefix + "/operations/" + id, body: `{
  "@odata.type": "#microsoft.graph.longRunningOperation",
  "lastActionDateTime": "2024-05-01T08:30:00.123Z",
  "status": "running",
  "statusDetail": "checked 120 of 500 users",
  "resourceLocation": "https://example.com/beta/industryData/runs/1"
}`})
			raw := res.raw
			// The whole object, in the seed's property order.
			order := []string{`"@odata.type"`, `"id"`, `"createdDateTime"`, `"lastActionDateTime"`, `"status"`, `"statusDetail"`, `"resourceLocation"`}
			last := -1
			for _, key := range order {
				i := strings.Index(raw, key)
				if i < last {
					t.Fatalf("property %s out of the seed's order in %s", key, raw)
				}
				last = i
			}
			want := map[string]any{
				"@odata.context":     "http://industrydata.test/beta/$metadata#" + strings.TrimPrefix(prefix, "/beta/") + "/operations/$entity",
				"@odata.type":        "#microsoft.graph.longRunningOperation",
				"id":                 id,
				"createdDateTime":    "2024-01-01T00:00:00Z",
				"lastActionDateTime": "2024-05-01T08:30:00.123Z",
				"status":             "running",
				"statusDetail":       "checked 120 of 500 users",
				"resourceLocation":   "https://example.com/beta/industryData/runs/1",
			}
			if d := cmp.Diff(want, res.body); d != "" {
				t.Errorf("body (-want +got):\n%s", d)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json;") && ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			get := h.must(200, request{method: "GET", path: prefix + "/operations/" + id})
			delete(get.body, "@odata.context")
			delete(res.body, "@odata.context")
			if d := cmp.Diff(res.body, get.body); d != "" {
				t.Errorf("GET after PATCH differs (-patch +get):\n%s", d)
			}
		})
	}
}

func TestPatchOperationRules(t *testing.T) {
	const created = `{"createdDateTime":"2024-01-01T00:00:00Z","lastActionDateTime":"2024-01-01T00:00:00Z","status":"running","statusDetail":"busy","resourceLocation":"https://x/1"}`
	tests := []struct {
		name  string
		patch string
		want  map[string]any // properties to compare after the PATCH
	}{
		{"unsent properties keep their values", `{"statusDetail":"half way"}`,
			map[string]any{"status": "running", "statusDetail": "half way", "resourceLocation": "https://x/1", "lastActionDateTime": "2024-01-01T00:00:00Z"}},
		{"null clears a nullable property", `{"statusDetail":null,"resourceLocation":null}`,
			map[string]any{"statusDetail": nil, "resourceLocation": nil, "status": "running"}},
		{"lastActionDateTime sent with a status change is kept", `{"status":"succeeded","lastActionDateTime":"2023-03-03T03:03:03Z"}`,
			map[string]any{"status": "succeeded", "lastActionDateTime": "2023-03-03T03:03:03Z"}},
		{"same status leaves lastActionDateTime", `{"status":"running"}`,
			map[string]any{"status": "running", "lastActionDateTime": "2024-01-01T00:00:00Z"}},
		{"createdDateTime is updatable", `{"createdDateTime":"2022-02-02T02:02:02.5+02:00"}`,
			map[string]any{"createdDateTime": "2022-02-02T00:02:02.5Z"}},
		{"annotations SDKs send back are accepted", `{"@odata.context":"x","@odata.etag":"W/\"1\"","@odata.id":"y","@odata.editLink":"z","status":"failed","lastActionDateTime":"2024-02-02T00:00:00Z"}`,
			map[string]any{"status": "failed"}},
		{"lastActionDateTime can be cleared", `{"lastActionDateTime":null}`,
			map[string]any{"lastActionDateTime": nil}},
		{"unknownFutureValue is a member", `{"status":"unknownFutureValue","lastActionDateTime":"2024-02-02T00:00:00Z"}`,
			map[string]any{"status": "unknownFutureValue"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.createOperation(created).str("id")
			res := h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: tc.patch})
			got := map[string]any{}
			for k := range tc.want {
				got[k] = res.body[k]
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestPatchOperationStatusChangeSetsLastAction(t *testing.T) {
	h := newHarness(t)
	id := h.createOperation(`{"lastActionDateTime":"2000-01-01T00:00:00Z"}`).str("id")
	res := h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: `{"status":"running"}`})
	if got := res.str("lastActionDateTime"); got == "2000-01-01T00:00:00Z" || !strings.HasPrefix(got, "20") {
		t.Errorf("lastActionDateTime = %q, want now", got)
	}
}

func TestPatchOperationIDRule(t *testing.T) {
	h := newHarness(t)
	id := h.createOperation(`{}`).str("id")
	h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: `{"id":"` + id + `","status":"running"}`})
	res := h.must(400, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: `{"id":"other","status":"failed"}`})
	if res.errorTarget() != "id" {
		t.Errorf("target = %q", res.errorTarget())
	}
	if got := h.must(200, request{method: "GET", path: "/beta/industryData/operations/" + id}).str("status"); got != "running" {
		t.Errorf("a refused PATCH changed status to %q", got)
	}
}

func TestPreferReturnMinimal(t *testing.T) {
	h := newHarness(t)
	id := h.createOperation(`{}`).str("id")
	res := h.must(204, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: `{"status":"running"}`,
		headers: []string{"Prefer", "return=minimal"}})
	if res.raw != "" || res.header.Get("Content-Type") != "" {
		t.Errorf("204 has a body or content type: %q %q", res.raw, res.header.Get("Content-Type"))
	}
	if res.header.Get("ETag") == "" {
		t.Error("204 without the new ETag")
	}
}

func TestDeleteOperation(t *testing.T) {
	h := newHarness(t)
	id := h.createOperation(`{}`).str("id")
	res := h.must(204, request{method: "DELETE", path: "/beta/external/industryData/operations/" + id})
	if res.raw != "" {
		t.Errorf("204 with body %q", res.raw)
	}
	h.must(404, request{method: "GET", path: "/beta/industryData/operations/" + id})
	h.must(404, request{method: "DELETE", path: "/beta/industryData/operations/" + id})
	h.must(404, request{method: "PATCH", path: "/beta/industryData/operations/" + id, body: `{}`})
}

func TestListOperationsPaging(t *testing.T) {
	h := newHarness(t)
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		want[h.createOperation(`{}`).str("id")] = true
	}
	seen := map[string]bool{}
	path := "/beta/industryData/operations?$top=3"
	pages := 0
	for path != "" {
		res := h.must(200, request{method: "GET", path: path})
		pages++
		for _, v := range res.body["value"].([]any) {
			id := v.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("%s seen twice", id)
			}
			seen[id] = true
		}
		next, _ := res.body["@odata.nextLink"].(string)
		if next != "" && (strings.ContainsAny(next, "{} ") || !strings.HasPrefix(next, "http://industrydata.test/beta/industryData/operations?")) {
			t.Fatalf("bad nextLink %q", next)
		}
		path = strings.TrimPrefix(next, "http://industrydata.test")
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("pages=%d seen=%d, want 3 pages and 7 operations", pages, len(seen))
	}
	if d := cmp.Diff(want, seen); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Percent-encoded option names are decoded (SPEC §6).
	res := h.must(200, request{method: "GET", path: "/beta/industryData/operations?%24top=2"})
	if n := len(res.body["value"].([]any)); n != 2 {
		t.Errorf("%%24top=2 gave %d items", n)
	}
	res = h.must(200, request{method: "GET", path: "/beta/industryData/operations?top=1"})
	if n := len(res.body["value"].([]any)); n != 1 {
		t.Errorf("top=1 (no $) gave %d items", n)
	}
}

func TestOperationJSONRoundTrip(t *testing.T) {
	// What a GET returns can be PATCHed back unchanged, as SDKs do.
	h := newHarness(t)
	created := h.createOperation(`{"statusDetail":"x"}`)
	body, _ := json.Marshal(created.body)
	h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + created.str("id"), body: string(body)})
}
