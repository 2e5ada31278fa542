package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

// Statistics are written as published Graph declares them: each activity's
// results with the @odata.type of its derived type (so that a client picks
// inboundActivityResults, not the abstract base), null figures for an
// activity that counted nothing, and the by-role counts that need a
// directory declared in $metadata but never written.
func TestStatisticsEncoding(t *testing.T) {
	st := industrydata.RunStatistics{RunID: "r1", Status: industrydata.RunCompleted,
		Activities: []industrydata.ActivityStatistics{
			{ActivityID: "a1", DisplayName: "North", Status: industrydata.ActivityCompleted,
				Counts: &industrydata.InboundCounts{People: industrydata.EntityCounts{Active: 2, Inactive: 1, Total: 3}, Warnings: 4}},
			{ActivityID: "a2", DisplayName: "South", Status: industrydata.ActivitySkipped},
		},
		Totals: industrydata.InboundTotals{People: 2, Warnings: 4},
	}
	raw := "{" + string(schema.AppendComplexMembers(nil, schema.IndustryDataRunStatistics, &st)) + "}"
	var got map[string]any
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}
	zero := map[string]any{"active": 0.0, "inactive": 0.0, "total": 0.0}
	want := map[string]any{
		"runId": "r1", "status": "completed",
		"activityStatistics": []any{
			map[string]any{"@odata.type": "#microsoft.graph.industryData.inboundActivityResults",
				"activityId": "a1", "displayName": "North", "status": "completed", "errors": 0.0, "warnings": 4.0,
				"people":        map[string]any{"active": 2.0, "inactive": 1.0, "total": 3.0},
				"organizations": zero, "groups": zero, "memberships": zero},
			map[string]any{"@odata.type": "#microsoft.graph.industryData.inboundActivityResults",
				"activityId": "a2", "displayName": "South", "status": "skipped", "errors": nil, "warnings": nil,
				"people": nil, "organizations": nil, "groups": nil, "memberships": nil},
		},
		"inboundTotals": map[string]any{"people": 2.0, "organizations": 0.0, "groups": 0.0, "memberships": 0.0, "errors": 0.0, "warnings": 4.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statistics (-want +got):\n%s", diff)
	}
	csdl := string(schema.CSDL())
	for _, decl := range []string{`<ComplexType Name="inboundActivityResults" BaseType="microsoft.graph.industryData.industryDataActivityStatistics">`,
		`<Property Name="matchedPeopleByRole" Type="Collection(microsoft.graph.industryData.industryDataRunRoleCountMetric)"`,
		`<Property Name="unmatchedPeopleByRole" Type="Collection(microsoft.graph.industryData.industryDataRunRoleCountMetric)"`} {
		if !strings.Contains(csdl, decl) {
			t.Errorf("$metadata lacks %s", decl)
		}
	}
}
