package report_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/report"
	"industrydata/roster"
)

// Orgs of a second flow: s1 again under another name, and s3 of its own.
var otherOrgs = csvFile(orgsHeader, "s3,active,,School Three,school,,", "s1,active,,School One (B),school,,")

// brief is what the cross-flow rules decide about an entry.
type brief struct {
	FlowID    string
	Seq       int64
	SourcedID string
	Issues    issues
}

func briefs(entries []industrydata.UserReportEntry) []brief {
	out := make([]brief, len(entries))
	for i, e := range entries {
		out[i] = brief{e.FlowID, e.Seq, e.SourcedID, e.Issues}
	}
	return out
}

func TestFlows(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flows []flow
		want  []brief
	}{
		{"entries numbered across flows, each with its flow", []flow{
			{"f1", testOrgs, csvFile(usersHeader, student("a1"), student("a2"))},
			{"f2", testOrgs, usersHeader},
			{"f3", testOrgs, csvFile(usersHeader, student("c1"))}},
			[]brief{{"f1", 1, "a1", nil}, {"f1", 2, "a2", nil}, {"f3", 3, "c1", nil}}},
		{"a sourcedId is unique within its flow only", []flow{
			{"f1", testOrgs, csvFile(usersHeader, row("u1", "", "true", "s1", "student", "x", ""))},
			{"f2", testOrgs, csvFile(usersHeader, row("u1", "", "true", "s1", "student", "y", ""))}},
			[]brief{{"f1", 1, "u1", nil}, {"f2", 2, "u1", nil}}},
		{"a username in two flows: both flagged, ignoring case and spaces", []flow{
			{"f1", testOrgs, csvFile(usersHeader, row("u1", "", "true", "s1", "student", "JDoe", ""), student("u2"))},
			{"f2", testOrgs, csvFile(usersHeader, student("u3"), row("u4", "", "true", "s1", "student", " jdoe", ""))}},
			[]brief{{"f1", 1, "u1", issues{duplicateUsername}}, {"f1", 2, "u2", nil},
				{"f2", 3, "u3", nil}, {"f2", 4, "u4", issues{duplicateUsername}}}},
		{"unknownOrg against the user's own flow's orgs.csv", []flow{
			{"f1", testOrgs, csvFile(usersHeader, row("a1", "", "true", "s3", "student", "a1", ""),
				row("a2", "", "true", "s1", "student", "a2", ""))},
			{"f2", otherOrgs, csvFile(usersHeader, row("b1", "", "true", "s3,s1", "student", "b1", ""),
				row("b2", "", "true", "d1", "student", "b2", ""))}},
			[]brief{{"f1", 1, "a1", issues{unknownOrg}}, {"f1", 2, "a2", nil},
				{"f2", 3, "b1", nil}, {"f2", 4, "b2", issues{unknownOrg}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := buildFlows(t, &report.Builder{}, tc.flows...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, briefs(got)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFlowsSummary(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flows []flow
		want  industrydata.UserReportSummary
	}{
		{"no flow: an empty report", nil, industrydata.UserReportSummary{
			UsersByRole: []industrydata.RoleCount{}, UsersByOrg: []industrydata.OrgCount{}}},
		{"totals and roles over all flows; an org of two flows once, with the first flow's name", []flow{
			{"f1", testOrgs, csvFile(usersHeader,
				row("a1", "", "true", "s1,s3", "student", "x", ""), // s3 is not f1's: not counted
				row("a2", "tobedeleted", "true", "s2", "teacher", "t", "t@example.edu"))},
			{"f2", otherOrgs, csvFile(usersHeader,
				row("b1", "", "true", "s1,s3,s1", "student", "X", ""), // counts once in each
				row("b2", "", "false", "d1", "aide", "y", ""))}},      // d1 is not f2's
			industrydata.UserReportSummary{TotalUsers: 4, ActiveUsers: 2, InactiveUsers: 2, UsersWithIssues: 3,
				UsersByRole: []industrydata.RoleCount{{Role: "aide", Count: 1}, {Role: "student", Count: 2}, {Role: "teacher", Count: 1}},
				UsersByOrg: []industrydata.OrgCount{{OrgSourcedID: "d1", OrgName: "Springfield"},
					{OrgSourcedID: "s1", OrgName: "School One", Count: 2}, {OrgSourcedID: "s2", OrgName: "School Two", Count: 1},
					{OrgSourcedID: "s3", OrgName: "School Three", Count: 1}}}},
		{"a flow with no orgs lists none", []flow{
			{"f1", orgsHeader, csvFile(usersHeader, student("a1"))}, {"f2", otherOrgs, usersHeader}},
			industrydata.UserReportSummary{TotalUsers: 1, ActiveUsers: 1, UsersWithIssues: 1,
				UsersByRole: []industrydata.RoleCount{{Role: "student", Count: 1}},
				UsersByOrg: []industrydata.OrgCount{{OrgSourcedID: "s3", OrgName: "School Three"},
					{OrgSourcedID: "s1", OrgName: "School One (B)"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, entries, err := buildFlows(t, &report.Builder{}, tc.flows...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, sum); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if len(entries) != sum.TotalUsers {
				t.Errorf("%d entries, %d users", len(entries), sum.TotalUsers)
			}
		})
	}
}

// Progress counts the users of all flows, a pass over all of them at a
// time.
func TestFlowsProgress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flows []flow
		want  []report.Progress
	}{
		{"three flows, one empty", []flow{
			{"f1", testOrgs, csvFile(usersHeader, student("a1"), student("a2"), student("a3"))},
			{"f2", testOrgs, usersHeader},
			{"f3", testOrgs, csvFile(usersHeader, student("c1"), student("c2"))}},
			[]report.Progress{{Pass: 1}, {Pass: 1, Done: 2}, {Pass: 1, Done: 4}, {Pass: 1, Done: 5},
				{Pass: 2, Total: 5}, {Pass: 2, Done: 2, Total: 5}, {Pass: 2, Done: 4, Total: 5}, {Pass: 2, Done: 5, Total: 5}}},
		{"a multiple of ProgressEvery: no repeat at the end", []flow{
			{"f1", testOrgs, csvFile(usersHeader, student("a1"))}, {"f2", testOrgs, csvFile(usersHeader, student("b1"))}},
			[]report.Progress{{Pass: 1}, {Pass: 1, Done: 2}, {Pass: 2, Total: 2}, {Pass: 2, Done: 2, Total: 2}}},
		{"no flow", nil, []report.Progress{{Pass: 1}, {Pass: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []report.Progress
			b := report.Builder{ProgressEvery: 2, Progress: func(p report.Progress) { got = append(got, p) }}
			if _, _, err := buildFlows(t, &b, tc.flows...); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
		})
	}
}

// Each flow's orgs.csv is opened once and its users.csv twice, each time
// closed.
func TestFlowsFilesClosed(t *testing.T) {
	opened, closed := map[string]int{}, map[string]int{}
	open := func(key, file string) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) {
			opened[key]++
			return closeFunc{strings.NewReader(file), func() { closed[key]++ }}, nil
		}
	}
	var src []report.Source
	for _, id := range []string{"f1", "f2"} {
		src = append(src, report.Source{FlowID: id, OpenOrgs: open(id+"/orgs", testOrgs),
			OpenUsers: open(id+"/users", csvFile(usersHeader, student("u1")))})
	}
	if _, err := report.Build(t.Context(), src, report.Discard); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"f1/orgs": 1, "f1/users": 2, "f2/orgs": 1, "f2/users": 2}
	if diff := cmp.Diff(want, opened); diff != "" {
		t.Errorf("opened (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, closed); diff != "" {
		t.Errorf("closed (-want +got):\n%s", diff)
	}
}

type closeFunc struct {
	io.Reader
	onClose func()
}

func (c closeFunc) Close() error { c.onClose(); return nil }

// An error names the flow whose file it is about, and is a *roster.Problem
// all the same.
func TestFlowsErrors(t *testing.T) {
	good := flow{"f1", testOrgs, csvFile(usersHeader, student("u1"))}
	for _, tc := range []struct {
		name string
		bad  flow
		want string
	}{
		{"users.csv", flow{"f2", testOrgs, csvFile(usersHeader, student("u1"), student("u1"))}, "users.csv:3:1: duplicateSourcedId"},
		{"orgs.csv", flow{"f2", "", usersHeader}, "orgs.csv:1:0: missingHeader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, entries, err := buildFlows(t, &report.Builder{}, good, tc.bad)
			var p *roster.Problem
			if !errors.As(err, &p) || !strings.HasPrefix(p.Error(), tc.want) || !strings.HasPrefix(err.Error(), "flow f2: ") {
				t.Fatalf("Build = %v, want flow f2's *roster.Problem %q", err, tc.want)
			}
			if len(entries) != 0 {
				t.Errorf("%d entries written before the error of pass 1", len(entries))
			}
		})
	}
	t.Run("a second flow's users.csv changed between passes", func(t *testing.T) {
		src := sources(good, good)
		src[1].FlowID = "f2"
		files := []string{csvFile(usersHeader, student("u1"), student("u2")), csvFile(usersHeader, student("u1"))}
		src[1].OpenUsers = func() (io.ReadCloser, error) {
			f := files[0]
			files = files[1:]
			return io.NopCloser(strings.NewReader(f)), nil
		}
		if _, err := report.Build(t.Context(), src, report.Discard); err == nil ||
			!strings.Contains(err.Error(), "flow f2: users.csv changed") {
			t.Errorf("Build = %v", err)
		}
	})
}
