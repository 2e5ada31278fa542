package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func TestResourceChanges(t *testing.T) {
	year := industrydata.Ref{Property: "year", Set: "years", ID: "y1"}
	group := industrydata.Ref{Property: "userMatchingSettings/roleGroup", Set: "roleGroups", ID: "g1"}
	r := func(doc string, refs ...industrydata.Ref) *industrydata.Resource {
		return &industrydata.Resource{Set: "sourceSystems", ID: "s1", Type: "t", Doc: []byte(doc), Refs: refs}
	}
	base := r(`{"displayName":"SIS","isEnabled":true,"settings":{"a":1}}`, year)
	type change struct{ Property, Old, New string }
	tests := []struct {
		name          string
		before, after *industrydata.Resource
		want          []change
	}{
		{"create lists every member, then every ref", nil, base, []change{
			{"displayName", "null", `"SIS"`},
			{"isEnabled", "null", "true"},
			{"settings", "null", `{"a":1}`},
			{"year", "null", `"y1"`},
		}},
		{"update lists the member that changed", base,
			r(`{"displayName":"SIS 2","isEnabled":true,"settings":{"a":1}}`, year), []change{
				{"displayName", `"SIS"`, `"SIS 2"`},
			}},
		// Spacing and the order of members are not changes.
		{"same values spelled differently are no change", base,
			r(`{ "settings" : { "a" : 1 }, "isEnabled" : true, "displayName" : "SIS" }`, year), nil},
		{"delete lists every member and ref as they were", base, nil, []change{
			{"displayName", `"SIS"`, "null"},
			{"isEnabled", "true", "null"},
			{"settings", `{"a":1}`, "null"},
			{"year", `"y1"`, "null"},
		}},
		{"ref changes: a new target, a ref added", r(`{}`, year),
			r(`{}`, industrydata.Ref{Property: "year", Set: "years", ID: "y2"}, group), []change{
				{"year", `"y1"`, `"y2"`},
				{"userMatchingSettings/roleGroup", "null", `"g1"`},
			}},
		{"ref removed", r(`{}`, year, group), r(`{}`, group), []change{
			{"year", `"y1"`, "null"},
		}},
		{"member removed comes after the members kept", base,
			r(`{"isEnabled":false,"displayName":"SIS"}`, year), []change{
				{"isEnabled", "true", "false"},
				{"settings", `{"a":1}`, "null"},
			}},
		{"a doc that is not an object has no members", r(`[1]`), r(`"x"`), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []change
			for _, c := range schema.ResourceChanges(tc.before, tc.after) {
				got = append(got, change{c.Property, string(c.Old), string(c.New)})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ResourceChanges (-want +got):\n%s", d)
			}
		})
	}
}
