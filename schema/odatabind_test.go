package schema_test

import (
	"testing"

	"industrydata/schema"
)

func TestEntityIDFromURL(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"https://graph.microsoft.com/beta/external/industryData/sourceSystems('abc')", "abc", true},
		{"https://graph.microsoft.com/beta/industryData/sourceSystems('abc')", "abc", true},
		{"https://host:8443/beta/external/industryData/sourceSystems/abc", "abc", true},
		{"/beta/industryData/sourceSystems/abc", "abc", true},
		{"industryData/sourceSystems('abc')", "abc", true},
		{"sourceSystems('abc')", "abc", true},
		{"sourceSystems/abc", "abc", true},
		{"sourceSystems('it''s')", "it's", true},
		{"sourceSystems/a%20b", "a b", true},
		{"sourceSystems('a')b", "", false},
		{"sourceSystems('a'')", "", false},
		{"sourceSystems('')", "", false},
		{"sourceSystems/", "", false},
		{"sourceSystems", "", false},
		{"years('abc')", "", false},
		{"sourceSystems/abc/vendor", "", false},
		{"sourceSystems/abc?$select=id", "", false},
		{"https://host/beta/external/industryData/sourceSystems/abc#x", "", false},
		{"https://host/v1.0/sourceSystems/abc/x", "", false},
		{"sourceSystems/%zz", "", false},
		{"sourceSystems/a%00b", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := schema.EntityIDFromURL(tt.raw, "sourceSystems")
		if got != tt.want || ok != tt.ok {
			t.Errorf("EntityIDFromURL(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSetName(t *testing.T) {
	for typ, want := range map[*schema.EntityType]string{
		schema.AzureDataLakeConnector:   "dataConnectors",
		schema.IndustryDataConnector:    "dataConnectors",
		schema.InboundFileFlow:          "inboundFlows",
		schema.YearTimePeriodDefinition: "years",
		schema.RoleGroup:                "roleGroups",
		schema.UserReportRefreshProcess: "processes",
		schema.UserReport:               "",
	} {
		if got := schema.SetName(typ); got != want {
			t.Errorf("SetName(%s) = %q, want %q", typ.Name, got, want)
		}
	}
}
