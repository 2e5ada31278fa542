package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func TestAppendExpandedEntity(t *testing.T) {
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
			out := schema.AppendExpandedEntity(nil, schema.UserReportRefreshProcess, proc, tt.sel, tt.expand,
				schema.Annotation{Name: "@odata.context", Value: "c"})
			if !json.Valid(out) {
				t.Fatalf("output is not valid JSON: %s", out)
			}
			if diff := cmp.Diff(tt.want, string(out)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
