package rostercheck_test

import (
	"strings"
	"testing"

	"industrydata/rostercheck"
)

const usersHeader = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"

// userRow is a users.csv row with the fields that matter to most cases.
func userRow(id, enabled, orgs, role, username, given, email, grades string) string {
	return strings.Join([]string{id, "active", "2024-05-01", enabled, `"` + orgs + `"`, role, username, "",
		given, "Smith", "", "", email, "", "", "", `"` + grades + `"`, ""}, ",")
}

// ruleCases trigger every code: each lists every problem the edited
// roster has, as "code file:line:column".
var ruleCases = []struct {
	name  string
	edits []edit
	opts  rostercheck.Options
	want  []string
}{
	{name: "valid"},
	{name: "notText", edits: []edit{{"users.csv", 0, "PK\x03\x04\x14\x00\x08\x00" + strings.Repeat("\x00\"\n,", 300)}},
		want: []string{"notText users.csv:1:0"}},
	{name: "missingHeader", edits: []edit{{"orgs.csv", 0, ""}}, want: []string{"missingHeader orgs.csv:1:0"}},
	{name: "badHeader", edits: []edit{{"demographics.csv", 1, `"sourced"Id,x`}}, want: []string{"badHeader demographics.csv:1:1"}},
	{name: "missingColumn", edits: []edit{{"courses.csv", 1, "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects"}},
		want: []string{"missingColumn courses.csv:1:0"}},
	{name: "duplicateColumn", edits: []edit{{"enrollments.csv", 1, base["enrollments.csv"][0] + ",ROLE"}},
		want: []string{"duplicateColumn enrollments.csv:1:11"}},
	{name: "wrongFieldCount", edits: []edit{{"orgs.csv", 2, "d1,active,2024-05-01,District,district,D1,,extra"}},
		want: []string{"wrongFieldCount orgs.csv:2:8"}},
	{name: "badQuote", edits: []edit{{"classes.csv", 3, `k2,,,Alg"ebra,09,c1,A1,scheduled,Room 1,s1,t1,,,1`}},
		want: []string{"badQuote classes.csv:3:4"}},
	{name: "unclosed quote", edits: []edit{{"classes.csv", 3, `k2,,,"Algebra,09,c1,A1,scheduled,Room 1,s1,t1,,,1`}},
		want: []string{"badQuote classes.csv:3:4"}},
	{name: "invalidUtf8", edits: []edit{{"courses.csv", 3, "c2,,,y1,Alg\xffebra,ALG,09,s1,,"}},
		want: []string{"invalidUtf8 courses.csv:3:5"}},
	{name: "misplacedBom", edits: []edit{{"demographics.csv", 3, "\uFEFF" + strings.TrimPrefix(base["demographics.csv"][1], "u2")}},
		want: []string{"misplacedBom demographics.csv:3:1"}},
	{name: "fieldTooLong", edits: []edit{{"users.csv", 4, userRow("u3", "true", "s1", "student", "u3", strings.Repeat("a", 70_000), "", "")}},
		want: []string{"fieldTooLong users.csv:4:9"}},
	{name: "recordTooLong", edits: []edit{{"enrollments.csv", 4, "e3,,,k1,s1,u1,student,true,," + strings.Repeat(`"x"`, 1<<20)}},
		want: []string{"recordTooLong enrollments.csv:4:0"}},
	{name: "tooManyRows", edits: []edit{{"classes.csv", 3, "k2,,,Algebra 2,09,c1,A2,scheduled,Room 1,s1,t1,,,1"}},
		opts: rostercheck.Options{MaxRows: map[string]int{"classes.csv": 1}}, want: []string{"tooManyRows classes.csv:3:0"}},
	{name: "missingSourcedId", edits: []edit{{"academicSessions.csv", 4, " ,,,Spring,term,2025-01-05,2025-06-30,y1,2025"}},
		want: []string{"missingSourcedId academicSessions.csv:4:1"}},
	{name: "duplicateSourcedId", edits: []edit{{"orgs.csv", 4, "s1,active,2024-05-01,Other,school,S2,d1"}},
		want: []string{"duplicateSourcedId orgs.csv:4:1"}},
	{name: "invalidStatus", edits: []edit{{"courses.csv", 2, `c1,deleted,,y1,Algebra,ALG,"09,10",s1,math,`}},
		want: []string{"invalidStatus courses.csv:2:2"}},
	{name: "invalidDateLastModified", edits: []edit{{"classes.csv", 2, "k1,,yesterday,Algebra 1,09,c1,A1,scheduled,Room 1,s1,t1,,,1"}},
		want: []string{"invalidDateLastModified classes.csv:2:3"}},
	{name: "invalidEnabledUser", edits: []edit{{"users.csv", 3, userRow("u2", "yes", "s1", "student", "stu", "Bob", "", "09")}},
		want: []string{"invalidEnabledUser users.csv:3:4"}},
	{name: "invalidOrgType", edits: []edit{{"orgs.csv", 2, "d1,active,,District,campus,D1,"}},
		want: []string{"invalidOrgType orgs.csv:2:5"}},
	{name: "org type of the tenant's", edits: []edit{{"orgs.csv", 2, "d1,active,,District,Campus,D1,"}},
		opts: rostercheck.Options{OrgTypes: []string{"district", "school", "campus"}}},
	{name: "invalidDate", edits: []edit{{"enrollments.csv", 2, "e1,,,k1,s1,u1,teacher,true,2024-13-01,"}},
		want: []string{"invalidDate enrollments.csv:2:9"}},
	{name: "invalidSchoolYear", edits: []edit{{"academicSessions.csv", 2, "y1,active,,2024-2025,schoolYear,2024-09-01,2025-06-30,,24/25"}},
		want: []string{"invalidSchoolYear academicSessions.csv:2:9"}},
	{name: "invalidBoolean", edits: []edit{{"enrollments.csv", 3, "e2,,,k1,s1,u2,student,yes,,"}},
		want: []string{"invalidBoolean enrollments.csv:3:8"}},
	{name: "invalidGrade", edits: []edit{
		{"users.csv", 3, userRow("u2", "true", "s1", "student", "stu", "Bob", "", "09, 9")},
		{"classes.csv", 2, "k1,,,Algebra 1,K,c1,A1,scheduled,Room 1,s1,t1,,,1"},
	}, want: []string{"invalidGrade classes.csv:2:5", "invalidGrade users.csv:3:17"}},
	{name: "invalidSessionType", edits: []edit{{"academicSessions.csv", 3, "t1,,,Fall,quarter,2024-09-01,2024-12-20,y1,2025"}},
		want: []string{"invalidSessionType academicSessions.csv:3:5"}},
	{name: "invalidClassType", edits: []edit{{"classes.csv", 2, "k1,,,Algebra 1,09,c1,A1,lab,Room 1,s1,t1,,,1"}},
		want: []string{"invalidClassType classes.csv:2:8"}},
	{name: "invalidEnrollmentRole", edits: []edit{{"enrollments.csv", 3, "e2,,,k1,s1,u2,aide,false,,"}},
		want: []string{"invalidEnrollmentRole enrollments.csv:3:7"}},
	{name: "invalidSex", edits: []edit{{"demographics.csv", 2, "u2,,,2010-03-04,x,,,,,,,,,,,"}},
		want: []string{"invalidSex demographics.csv:2:5"}},
	{name: "missingValue", edits: []edit{{"classes.csv", 2, "k1,,,Algebra 1,09,,A1,,Room 1,s1,t1,,,1"}},
		want: []string{"missingValue classes.csv:2:6", "missingValue classes.csv:2:8"}},
	{name: "missingFile users", edits: []edit{{"users.csv", 0, "-"}},
		want: []string{"missingFile users.csv:0:0", "missingFile enrollments.csv:2:6", "missingFile demographics.csv:2:1"}},
	{name: "missingFile referred", edits: []edit{{"courses.csv", 0, "-"}},
		want: []string{"missingFile manifest.csv:8:2", "missingFile classes.csv:2:6"}},
	{name: "invalidManifestValue", edits: []edit{{"manifest.csv", 16, "file.users,full"}, {"manifest.csv", 3, "oneroster.version,1.2"}},
		want: []string{"invalidManifestValue manifest.csv:3:2", "invalidManifestValue manifest.csv:16:2"}},
	{name: "duplicateProperty", edits: []edit{{"manifest.csv", 18, "File.Users,bulk"}},
		want: []string{"duplicateProperty manifest.csv:18:1"}},
	{name: "report issues", edits: []edit{
		{"users.csv", 2, userRow("u1", "true", "s1", "teacher", "", "Ada", "", "")},
		{"users.csv", 3, userRow("u2", "true", "s1,s9", "student", "Stu", "Bob", "not an address", "")},
		{"users.csv", 4, userRow("u3", "true", "", "janitor", "stu ", "Cy", "", "")},
	}, want: []string{
		"missingUsername users.csv:2:7", "missingEmail users.csv:2:13",
		"unknownOrg users.csv:3:5", "duplicateUsername users.csv:3:7", "invalidEmail users.csv:3:13",
		"noOrg users.csv:4:5", "unknownRole users.csv:4:6", "duplicateUsername users.csv:4:7",
	}},
	{name: "unknownReference", edits: []edit{
		{"enrollments.csv", 3, "e2,,,k9,s1,u9,student,false,,"},
		{"classes.csv", 2, "k1,,,Algebra 1,09,c1,A1,scheduled,Room 1,s1,\"t1, t9\",,,1"},
		{"demographics.csv", 3, "u7,,,,,,,,,,,,,,,"},
	}, want: []string{
		"unknownReference classes.csv:2:11", "unknownReference enrollments.csv:3:4",
		"unknownReference enrollments.csv:3:6", "unknownReference demographics.csv:3:1",
	}},
	{name: "missingText", edits: []edit{{"courses.csv", 2, `c1,,,y1,,ALG,"09,10",s1,math,`},
		{"users.csv", 3, userRow("u2", "true", "s1", "student", "stu", " ", "", "09")}},
		want: []string{"missingText courses.csv:2:5", "missingText users.csv:3:9"}},
	{name: "missingOrgName", edits: []edit{{"orgs.csv", 2, "d1,active,,,district,D1,"}},
		want: []string{"missingOrgName orgs.csv:2:4"}},
	{name: "unknownColumn", edits: []edit{{"orgs.csv", 1, base["orgs.csv"][0] + ",metadata.x"},
		{"orgs.csv", 2, base["orgs.csv"][1] + ",1"}, {"orgs.csv", 3, base["orgs.csv"][2] + ",2"}},
		want: []string{"unknownColumn orgs.csv:1:8"}},
	{name: "manifestMismatch", edits: []edit{{"manifest.csv", 10, "file.demographics,absent"}},
		want: []string{"manifestMismatch manifest.csv:10:2"}},
}

func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			res := validate(t, edited(tc.edits...), tc.opts)
			got := problems(res)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			errs := 0
			for _, w := range tc.want {
				code := strings.Fields(w)[0]
				seen[code] = true
				if rostercheck.Severity(code) == rostercheck.SeverityError {
					errs++
				}
			}
			if res.ErrorCount != errs || res.Valid() != (errs == 0) {
				t.Errorf("ErrorCount %d, Valid %v; want %d errors", res.ErrorCount, res.Valid(), errs)
			}
			for _, p := range append(res.Errors, res.Warnings...) {
				if p.Message == "" {
					t.Errorf("%v has no message", p)
				}
			}
		})
	}
	for _, c := range rostercheck.Codes {
		if !seen[c.Code] {
			t.Errorf("no case triggers %s", c.Code)
		}
	}
}
