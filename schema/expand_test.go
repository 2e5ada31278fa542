package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func TestShapeExpand(t *testing.T) {
	proc := &industrydata.Process{ID: "p1", Type: industrydata.TypeUserReportRefreshProcess, ETag: "e1",
		DisplayName: "P", ReadinessStatus: industrydata.ReadinessReady}
	run := &industrydata.Run{ID: "r1", DisplayName: "P", StartDateTime: utc("2024-05-01T09:00:00Z"), Status: industrydata.RunRunning}
	tests := []struct {
		name   string
		sel    schema.Selection
		expand []schema.Expansion
		want   string
	}{
		{"runs after the properties, each entity whole even under $select", schema.Selection{"displayName": true},
			[]schema.Expansion{{Name: "runs", Type: schema.IndustryDataRun, Items: []any{run, run}}},
			`{"@odata.context":"c","@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","id":"p1","displayName":"P",` +
				`"runs":[{"@odata.type":"#microsoft.graph.industryData.industryDataRun","id":"r1","blockingError":null,"displayName":"P",` +
				`"endDateTime":null,"startDateTime":"2024-05-01T09:00:00Z","status":"running"},` +
				`{"@odata.type":"#microsoft.graph.industryData.industryDataRun","id":"r1","blockingError":null,"displayName":"P",` +
				`"endDateTime":null,"startDateTime":"2024-05-01T09:00:00Z","status":"running"}]}`},
		{"no runs is an empty array", schema.Selection{},
			[]schema.Expansion{{Name: "runs", Type: schema.IndustryDataRun}},
			`{"@odata.context":"c","@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","id":"p1","runs":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := schema.Shape{Select: tt.sel, Expand: tt.expand,
				Annotations: []schema.Annotation{{Name: "@odata.context", Value: "c"}}}.Append(nil, schema.UserReportRefreshProcess, proc)
			if !json.Valid(out) {
				t.Fatalf("output is not valid JSON: %s", out)
			}
			if diff := cmp.Diff(tt.want, string(out)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A Link property holding a path from the service's root is written as an
// absolute URL of the reader's base; any other value is written as it is.
func TestShapeBaseMakesLinksAbsolute(t *testing.T) {
	tests := []struct {
		name, base string
		location   *string
		want       string
	}{
		{"root path gets the base", "https://a.example", ptr("/beta/industryData/x"), `"https://a.example/beta/industryData/x"`},
		{"another reader, its own base", "http://b.example:8080", ptr("/beta/industryData/x"), `"http://b.example:8080/beta/industryData/x"`},
		{"no base writes the path", "", ptr("/beta/industryData/x"), `"/beta/industryData/x"`},
		{"absolute URL unchanged", "https://a.example", ptr("https://other.example/r"), `"https://other.example/r"`},
		{"network-path reference unchanged", "https://a.example", ptr("//evil.example/r"), `"//evil.example/r"`},
		{"relative reference unchanged", "https://a.example", ptr("r/1"), `"r/1"`},
		{"null stays null", "https://a.example", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := &industrydata.Operation{ID: "o1", Status: industrydata.OperationSucceeded, ResourceLocation: tt.location}
			out := schema.Shape{Select: schema.Selection{"resourceLocation": true}, Base: tt.base}.Append(nil, schema.LongRunningOperation, op)
			want := `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"o1","resourceLocation":` + tt.want + `}`
			if d := cmp.Diff(want, string(out)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
