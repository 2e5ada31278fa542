package schema_test

import (
	"testing"

	"industrydata"
	"industrydata/schema"
)

func TestTypeOf(t *testing.T) {
	tests := []struct {
		name   string
		entity any
		want   *schema.EntityType
	}{
		{"operation", &industrydata.Operation{Type: "microsoft.graph.longRunningOperation"}, schema.LongRunningOperation},
		{"operation of no type", &industrydata.Operation{}, schema.LongRunningOperation},
		{"operation naming a type outside its set", &industrydata.Operation{Type: industrydata.TypeUserReportRefreshProcess}, schema.LongRunningOperation},
		{"process of its concrete type", &industrydata.Process{Type: industrydata.TypeUserReportRefreshProcess}, schema.UserReportRefreshProcess},
		{"process of an unknown type", &industrydata.Process{Type: "microsoft.graph.industryData.nothing"}, schema.Process},
		{"run", &industrydata.Run{}, schema.IndustryDataRun},
		{"user report", &industrydata.UserReport{}, schema.UserReport},
		{"user report entry", &industrydata.UserReportEntry{}, schema.UserReportEntry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := schema.TypeOf(tt.entity); got != tt.want {
				t.Errorf("TypeOf = %s, want %s", got.FullName(), tt.want.FullName())
			}
		})
	}
}

// A value of a Go type the model does not bind is a programming error.
func TestTypeOfUnboundPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("TypeOf of an unbound value did not panic")
		}
	}()
	schema.TypeOf(&industrydata.Principal{})
}
