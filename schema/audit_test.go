package schema_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func TestAuditChanges(t *testing.T) {
	at := time.Date(2024, 5, 1, 8, 30, 0, 123000000, time.UTC)
	detail := `say "<hi>" \ ok`
	before := &industrydata.Operation{ID: "op", Type: "microsoft.graph.longRunningOperation",
		CreatedDateTime: at, Status: industrydata.OperationRunning, StatusDetail: &detail}
	after := *before
	after.Status, after.StatusDetail = industrydata.OperationFailed, nil
	run := &industrydata.Run{ID: "r", ProcessID: "p", DisplayName: "Refresh", StartDateTime: at,
		EndDateTime: &at, Status: industrydata.RunFailed, BlockingError: &industrydata.PublicError{Code: "c", Message: "m"}}
	type change struct{ Property, Old, New string }
	tests := []struct {
		name         string
		rec          industrydata.AuditRecord
		typ, id, par string
		want         []change
	}{
		{"created operation lists what is set", schema.Audit(industrydata.AuditCreate, nil, before),
			"microsoft.graph.longRunningOperation", "op", "", []change{
				{"createdDateTime", "null", `"2024-05-01T08:30:00.123Z"`},
				{"status", "null", `"running"`},
				{"statusDetail", "null", `"say \"<hi>\" \\ ok"`},
			}},
		{"updated operation lists what changed", schema.Audit(industrydata.AuditUpdate, before, &after),
			"microsoft.graph.longRunningOperation", "op", "", []change{
				{"status", `"running"`, `"failed"`},
				{"statusDetail", `"say \"<hi>\" \\ ok"`, "null"},
			}},
		{"unchanged operation lists nothing", schema.Audit(industrydata.AuditUpdate, &after, &after),
			"microsoft.graph.longRunningOperation", "op", "", nil},
		{"deleted run lists what it had, complex values whole", schema.Audit(industrydata.AuditDelete, run, nil),
			"microsoft.graph.industryData.industryDataRun", "r", "p", []change{
				{"blockingError", `{"code":"c","message":"m","target":"","details":[],"innerError":null}`, "null"},
				{"displayName", `"Refresh"`, "null"},
				{"endDateTime", `"2024-05-01T08:30:00.123Z"`, "null"},
				{"startDateTime", `"2024-05-01T08:30:00.123Z"`, "null"},
				{"status", `"failed"`, "null"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rec.EntityType != tc.typ || tc.rec.EntityID != tc.id || tc.rec.ParentID != tc.par {
				t.Errorf("entity %q %q parent %q, want %q %q %q", tc.rec.EntityType, tc.rec.EntityID, tc.rec.ParentID, tc.typ, tc.id, tc.par)
			}
			var got []change
			for _, c := range tc.rec.Changes {
				got = append(got, change{c.Property, string(c.Old), string(c.New)})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			// What a store keeps reads back the same, and is JSON.
			stored := schema.AppendChanges(nil, tc.rec.Changes)
			if !json.Valid(stored) {
				t.Fatalf("AppendChanges wrote invalid JSON: %s", stored)
			}
			back, err := schema.ParseChanges(stored)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.rec.Changes, back); d != "" {
				t.Errorf("round trip (-appended +parsed):\n%s", d)
			}
		})
	}
}
