package httpapi_test

import (
	"strings"
	"testing"
)

// TestBadRequests is SPEC §3's list of bad input: each request answers 400
// with the Graph envelope, names what is wrong, and changes nothing.
func TestBadRequests(t *testing.T) {
	const op, proc = "op", "proc"
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	tests := []struct {
		name    string
		target  string // op or proc
		body    string
		headers []string
		want    string // the property or phrase the message must name
	}{
		{"invalid JSON", op, `{"status":`, nil, "not valid JSON"},
		{"not JSON at all", op, `status=running`, nil, "not valid JSON"},
		{"empty body", op, ``, []string{"Content-Type", "application/json"}, "empty"},
		{"array instead of object", op, `[{"status":"running"}]`, nil, "JSON object"},
		{"string instead of object", op, `"running"`, nil, "JSON object"},
		{"null instead of object", op, `null`, nil, "JSON object"},
		{"two objects", op, `{}{}`, nil, "after"},
		{"trailing garbage", op, `{"status":"running"} x`, nil, "JSON"},
		{"duplicate keys", op, `{"status":"running","status":"failed"}`, nil, "status"},
		{"duplicate nested keys", op, `{"@odata.context":{"a":1,"a":2}}`, nil, "a"},
		{"unknown property", op, `{"progress":50}`, nil, "progress"},
		{"read-only eTag on an operation", op, `{"eTag":"x"}`, nil, "eTag"},
		{"id of another entity", op, `{"id":"00000000-0000-0000-0000-000000000000"}`, nil, "id"},
		{"number for a string", op, `{"statusDetail":5}`, nil, "statusDetail"},
		{"object for a string", op, `{"resourceLocation":{"href":"x"}}`, nil, "resourceLocation"},
		{"array for a string", op, `{"statusDetail":["a"]}`, nil, "statusDetail"},
		{"boolean for an enum", op, `{"status":true}`, nil, "status"},
		{"enum outside its list", op, `{"status":"finished"}`, nil, "status"},
		{"enum in the wrong case", op, `{"status":"Running"}`, nil, "status"},
		{"null for a non-nullable enum", op, `{"status":null}`, nil, "status"},
		{"null for createdDateTime", op, `{"createdDateTime":null}`, nil, "createdDateTime"},
		{"malformed timestamp", op, `{"lastActionDateTime":"yesterday"}`, nil, "lastActionDateTime"},
		{"timestamp without offset", op, `{"lastActionDateTime":"2024-05-01T08:30:00"}`, nil, "lastActionDateTime"},
		{"date without time", op, `{"createdDateTime":"2024-05-01"}`, nil, "createdDateTime"},
		{"impossible month", op, `{"createdDateTime":"2024-13-01T00:00:00Z"}`, nil, "createdDateTime"},
		{"year zero", op, `{"createdDateTime":"0000-01-01T00:00:00Z"}`, nil, "createdDateTime"},
		{"number for a timestamp", op, `{"createdDateTime":1714552200}`, nil, "createdDateTime"},
		{"wrong @odata.type", op, `{"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess"}`, nil, "@odata.type"},
		{"@odata.type not a string", op, `{"@odata.type":1}`, nil, "@odata.type"},
		{"NUL in a string", op, `{"statusDetail":"a\u0000b"}`, nil, "statusDetail"},
		{"invalid UTF-8", op, "{\"statusDetail\":\"\xff\xfe\"}", nil, "UTF-8"},
		{"nested too deep", op, deep, nil, "deeper"},
		{"wrong content type", op, `{"status":"running"}`, []string{"Content-Type", "text/plain"}, "Content-Type"},
		{"form content type", op, `{"status":"running"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, "Content-Type"},
		{"missing content type", op, `{"status":"running"}`, []string{"Content-Type", ""}, "Content-Type"},
		{"wrong charset", op, `{"status":"running"}`, []string{"Content-Type", "application/json; charset=latin1"}, "charset"},
		{"navigation property on a process", proc, `{"displayName":"n","readinessStatus":"ready","runs":[]}`, []string{"If-Match", "*"}, "runs"},
		{"process enum outside its list", proc, `{"displayName":"n","readinessStatus":"paused"}`, []string{"If-Match", "*"}, "readinessStatus"},
		{"process displayName a number", proc, `{"displayName":1,"readinessStatus":"ready"}`, []string{"If-Match", "*"}, "displayName"},
		{"process without displayName", proc, `{"readinessStatus":"ready"}`, []string{"If-Match", "*"}, "displayName"},
		{"process without eTag", proc, `{"displayName":"n","readinessStatus":"ready"}`, nil, "eTag"},
		{"process eTag a number", proc, `{"eTag":5,"displayName":"n","readinessStatus":"ready"}`, nil, "eTag"},
		{"process wrong @odata.type", proc, `{"@odata.type":"#microsoft.graph.longRunningOperation","displayName":"n","readinessStatus":"ready"}`, []string{"If-Match", "*"}, "@odata.type"},
		{"process unknown property", proc, `{"displayName":"n","readinessStatus":"ready","schedule":"daily"}`, []string{"If-Match", "*"}, "schedule"},
		{"unsupported query option", op, `{"status":"running"}`, []string{"X-Query", "$expand=runs"}, "$expand"},
	}
	if len(tests) < 30 {
		t.Fatalf("the table must hold at least 30 bad requests")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var path, before string
			if tc.target == op {
				id := h.createOperation(`{"status":"running","statusDetail":"keep","resourceLocation":"https://x"}`).str("id")
				path = "/beta/industryData/operations/" + id
			} else {
				path = "/beta/industryData/processes/" + h.systemProcess()["id"].(string)
			}
			before = h.must(200, request{method: "GET", path: path}).raw
			headers := tc.headers
			for i := 0; i+1 < len(headers); i += 2 {
				if headers[i] == "X-Query" {
					path += "?" + headers[i+1]
				}
			}
			res := h.do(request{method: "PATCH", path: path, body: tc.body, headers: headers})
			if res.status != 400 {
				t.Fatalf("status %d, want 400: %s", res.status, res.raw)
			}
			if c := res.errorCode(); c != "badRequest" && c != "invalidRequest" {
				t.Errorf("code %q", c)
			}
			if !strings.Contains(res.errorMessage(), tc.want) && res.errorTarget() != tc.want {
				t.Errorf("error does not name %q: %s", tc.want, res.raw)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			after := h.must(200, request{method: "GET", path: strings.Split(path, "?")[0]}).raw
			if after != before {
				t.Errorf("a refused request changed the entity:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
