package rostercheck_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/rostercheck"
)

// tally is a file's (active, inactive, rows).
type tally struct{ Active, Inactive, Rows int }

func tallies(res *rostercheck.Result) map[string]tally {
	out := map[string]tally{}
	for _, f := range res.Files {
		out[f.Name] = tally{f.Active, f.Inactive, f.Rows}
	}
	return out
}

// baseTallies are those of base: every record active.
var baseTallies = map[string]tally{
	"manifest.csv": {0, 0, 16}, "orgs.csv": {2, 0, 2}, "academicSessions.csv": {2, 0, 2}, "courses.csv": {1, 0, 1},
	"classes.csv": {1, 0, 1}, "users.csv": {2, 0, 2}, "enrollments.csv": {2, 0, 2}, "demographics.csv": {1, 0, 1},
}

func TestTallies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits []edit
		want  map[string]tally // the files whose tallies differ from baseTallies; a zero tally: the file is absent
	}{
		{name: "every record active"},
		{name: "users: enabledUser false, status tobedeleted in any case, both", edits: []edit{
			{"users.csv", 4, userRow("u3", "false", "s1", "student", "u3", "Cy", "", "09")},
			{"users.csv", 5, "u4,tobedeleted,2024-05-01,true,s1,student,u4,,Di,Smith,,,,,,,09,"},
			{"users.csv", 6, "u5, ToBeDeleted ,2024-05-01,true,s1,student,u5,,Ed,Smith,,,,,,,09,"},
			{"users.csv", 7, "u6,tobedeleted,2024-05-01,false,s1,student,u6,,Fay,Smith,,,,,,,09,"},
			{"users.csv", 8, "u7,,2024-05-01,TRUE,s1,student,u7,,Gus,Smith,,,,,,,09,"}},
			want: map[string]tally{"users.csv": {3, 4, 7}}},
		{name: "users: rows with errors are read as the report reads them", edits: []edit{
			{"users.csv", 4, userRow("u3", "yes", "s1", "student", "u3", "Cy", "", "09")},    // enabledUser read as false
			{"users.csv", 5, "u4,deleted,2024-05-01,true,s1,student,u4,,Di,Smith,,,,,,,09,"}, // status read as empty
			{"users.csv", 6, "u5,active,2024-05-01,true,s9,Wizard,,,Ed,Smith,,,bad,,,,13,"}}, // warnings and an error, still active
			want: map[string]tally{"users.csv": {4, 1, 5}}},
		{name: "orgs and every other file: status tobedeleted", edits: []edit{
			{"orgs.csv", 3, "s1,tobedeleted,2024-05-01T08:30:00Z,School,school,S1,d1"},
			{"academicSessions.csv", 3, "t1,TOBEDELETED,,Fall,term,2024-09-01,2024-12-20,y1,2025"},
			{"courses.csv", 2, `c1,tobedeleted,,y1,Algebra,ALG,"09,10",s1,math,`},
			{"classes.csv", 2, "k1, tobedeleted,,Algebra 1,09,c1,A1,scheduled,Room 1,s1,t1,,,1"},
			{"enrollments.csv", 3, "e2,tobedeleted,,k1,s1,u2,student,false,,"},
			{"demographics.csv", 2, "u2,tobedeleted,,2010-03-04,male,false,false,false,false,true,false,false,US,CA,Springfield,"}},
			want: map[string]tally{"orgs.csv": {1, 1, 2}, "academicSessions.csv": {1, 1, 2}, "courses.csv": {0, 1, 1},
				"classes.csv": {0, 1, 1}, "enrollments.csv": {1, 1, 2}, "demographics.csv": {0, 1, 1}}},
		{name: "an invalid status is read as empty: active", edits: []edit{
			{"classes.csv", 2, "k1,deleted,,Algebra 1,09,c1,A1,scheduled,Room 1,s1,t1,,,1"},
			{"orgs.csv", 3, "s1,gone,2024-05-01T08:30:00Z,School,school,S1,d1"}}},
		{name: "rows the reader skips count in the total, as inactive", edits: []edit{
			{"enrollments.csv", 4, "e3,,,k1,s1,u1,student,true,2024-09-01"},             // ragged
			{"enrollments.csv", 5, "e1,,,k1,s1,u2,student,true,2024-09-01,"},            // duplicate sourcedId
			{"orgs.csv", 4, "s2,active,2024-05-01T08:30:00Z,Annex,school,S2,d1,extra"}}, // ragged
			want: map[string]tally{"enrollments.csv": {2, 2, 4}, "orgs.csv": {2, 1, 3}}},
		{name: "absent files have no tallies", edits: []edit{
			{"classes.csv", 0, "-"}, {"enrollments.csv", 0, "-"}, {"manifest.csv", 0, "-"}},
			want: map[string]tally{"classes.csv": {}, "enrollments.csv": {}, "manifest.csv": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]tally{}
			for name, n := range baseTallies {
				if w, ok := tc.want[name]; !ok {
					want[name] = n
				} else if w != (tally{}) {
					want[name] = w
				}
			}
			res := validate(t, edited(tc.edits...), rostercheck.Options{})
			if diff := cmp.Diff(want, tallies(res)); diff != "" {
				t.Errorf("tallies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInboundCounts(t *testing.T) {
	res := validate(t, edited(
		edit{"users.csv", 4, userRow("u3", "false", "s1", "student", "u3", "Cy", "", "09")},
		edit{"classes.csv", 0, "-"}, edit{"enrollments.csv", 0, "-"}), rostercheck.Options{})
	got := res.InboundCounts()
	want := industrydata.InboundCounts{
		People:        industrydata.EntityCounts{Active: 2, Inactive: 1, Total: 3},
		Organizations: industrydata.EntityCounts{Active: 2, Total: 2},
		Errors:        res.ErrorCount, Warnings: res.WarningCount,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("InboundCounts (-want +got):\n%s", diff)
	}

	res = validate(t, edited(edit{"enrollments.csv", 4, "e3,,,k1,s1,u1,student,true,2024-09-01"}), rostercheck.Options{})
	if got, want := res.InboundCounts(), (industrydata.InboundCounts{
		People: industrydata.EntityCounts{Active: 2, Total: 2}, Organizations: industrydata.EntityCounts{Active: 2, Total: 2},
		Groups: industrydata.EntityCounts{Active: 1, Total: 1}, Memberships: industrydata.EntityCounts{Active: 2, Inactive: 1, Total: 3},
		Errors: 1,
	}); got != want {
		t.Errorf("InboundCounts = %+v, want %+v", got, want)
	}
}

// `industrydata roster validate --output json` prints the Result: each
// file's tallies are in its entry of files.
func TestTalliesJSON(t *testing.T) {
	b, err := json.Marshal(rostercheck.FileSummary{Name: "users.csv", Rows: 3, Bytes: 10, Active: 2, Inactive: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"name":"users.csv","rows":3,"bytes":10,"active":2,"inactive":1}`; got != want {
		t.Errorf("JSON %s, want %s", got, want)
	}
}
