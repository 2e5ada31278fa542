package report_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/report"
	"industrydata/roster"
)

const (
	usersHeader = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds," +
		"givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
	orgsHeader = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"
)

var testOrgs = csvFile(orgsHeader, "d1,active,,Springfield,district,,", "s1,active,,School One,school,,d1",
	"s2,tobedeleted,,School Two,school,,d1")

// row is a users.csv row with the fields a report looks at.
func row(id, status, enabled, orgs, role, username, email string) string {
	return fmt.Sprintf(`%s,%s,,%s,"%s",%s,%s,,Given,Family,,,%s,,,,,`, id, status, enabled, orgs, role, username, email)
}

// student is an active student of s1 with a username and no issue.
func student(id string) string { return row(id, "active", "true", "s1", "student", id, "") }

func csvFile(header string, rows ...string) string {
	return header + "\n" + strings.Join(rows, "\n") + "\n"
}

// opener opens a file anew each time it is called.
func opener(file string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(file)), nil }
}

// flow is one inbound flow's files.
type flow struct{ id, orgs, users string }

// sources returns the Sources of flows, in their order.
func sources(flows ...flow) []report.Source {
	src := make([]report.Source, len(flows))
	for i, f := range flows {
		src[i] = report.Source{FlowID: f.id, OpenOrgs: opener(f.orgs), OpenUsers: opener(f.users)}
	}
	return src
}

// oneFlow is the Sources of a roster of one flow, f1.
func oneFlow(orgs, users string) []report.Source { return sources(flow{"f1", orgs, users}) }

// build runs b over the files of one flow, f1, and returns the summary and
// every entry.
func build(t *testing.T, b *report.Builder, orgs, users string) (industrydata.UserReportSummary, []industrydata.UserReportEntry, error) {
	t.Helper()
	return buildFlows(t, b, flow{"f1", orgs, users})
}

// buildFlows runs b over flows and returns the summary and every entry.
func buildFlows(t *testing.T, b *report.Builder, flows ...flow) (industrydata.UserReportSummary, []industrydata.UserReportEntry, error) {
	t.Helper()
	var entries []industrydata.UserReportEntry
	sum, err := b.Build(t.Context(), sources(flows...), report.SinkFunc(func(e industrydata.UserReportEntry) error {
		entries = append(entries, e)
		return nil
	}))
	return sum, entries, err
}

type issues = []industrydata.UserReportIssue

const (
	missingUsername   = industrydata.IssueMissingUsername
	duplicateUsername = industrydata.IssueDuplicateUsername
	missingEmail      = industrydata.IssueMissingEmail
	invalidEmail      = industrydata.IssueInvalidEmail
	unknownOrg        = industrydata.IssueUnknownOrg
	noOrg             = industrydata.IssueNoOrg
	unknownRole       = industrydata.IssueUnknownRole
)

func TestEntries(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []string
		want []industrydata.UserReportEntry
	}{
		{"no issue", []string{row("u1", "active", "true", "s1", "teacher", "jdoe", "jdoe@example.edu")},
			[]industrydata.UserReportEntry{{SourcedID: "u1", Username: "jdoe", Role: "teacher", OrgSourcedIDs: []string{"s1"}, IsActive: true}}},
		{"missing username", []string{row("u1", "", "true", "s1", "student", " ", "")},
			[]industrydata.UserReportEntry{{SourcedID: "u1", Username: " ", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true,
				Issues: issues{missingUsername}}}},
		{"duplicate username, ignoring case, every one of them", []string{
			row("u1", "", "true", "s1", "student", "JDoe", ""), student("u2"),
			row("u3", "", "true", "s1", "student", "jdoe", ""), row("u4", "", "true", "s1", "student", "jdoe ", "")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "JDoe", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{duplicateUsername}},
				{SourcedID: "u2", Username: "u2", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true},
				{SourcedID: "u3", Username: "jdoe", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{duplicateUsername}},
				{SourcedID: "u4", Username: "jdoe ", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{duplicateUsername}}}},
		{"missing email: teachers and administrators only", []string{
			row("u1", "", "true", "s1", "teacher", "t", ""), row("u2", "", "true", "s1", "Administrator", "a", " "),
			row("u3", "", "true", "s1", "aide", "x", ""), row("u4", "", "true", "s1", "guardian", "g", "")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "t", Role: "teacher", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{missingEmail}},
				{SourcedID: "u2", Username: "a", Role: "administrator", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{missingEmail}},
				{SourcedID: "u3", Username: "x", Role: "aide", OrgSourcedIDs: []string{"s1"}, IsActive: true},
				{SourcedID: "u4", Username: "g", Role: "guardian", OrgSourcedIDs: []string{"s1"}, IsActive: true}}},
		{"invalid email", []string{
			row("u1", "", "true", "s1", "student", "a", "Jane Doe <jane@example.edu>"),
			row("u2", "", "true", "s1", "teacher", "b", "not an address"),
			row("u3", "", "true", "s1", "student", "c", " c@example.edu ")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "a", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{invalidEmail}},
				{SourcedID: "u2", Username: "b", Role: "teacher", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{invalidEmail}},
				{SourcedID: "u3", Username: "c", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true}}},
		{"unknown org, no org", []string{
			row("u1", "", "true", "s1,s9", "student", "a", ""), row("u2", "", "true", "", "student", "b", ""),
			row("u3", "", "true", " , ", "student", "c", "")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "a", Role: "student", OrgSourcedIDs: []string{"s1", "s9"}, IsActive: true, Issues: issues{unknownOrg}},
				{SourcedID: "u2", Username: "b", Role: "student", IsActive: true, Issues: issues{noOrg}},
				{SourcedID: "u3", Username: "c", Role: "student", IsActive: true, Issues: issues{noOrg}}}},
		{"unknown role, kept as given", []string{
			row("u1", "", "true", "s1", "Staff", "a", ""), row("u2", "", "true", "s1", "", "b", ""),
			row("u3", "", "true", "s1", "TEACHER", "c", "c@example.edu")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "a", Role: "Staff", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{unknownRole}},
				{SourcedID: "u2", Username: "b", Role: "", OrgSourcedIDs: []string{"s1"}, IsActive: true, Issues: issues{unknownRole}},
				{SourcedID: "u3", Username: "c", Role: "teacher", OrgSourcedIDs: []string{"s1"}, IsActive: true}}},
		{"issues in the fixed order", []string{
			row("u1", "", "true", "s9", "staff", "", "bad"), row("u2", "", "true", "", "teacher", "X", ""),
			row("u3", "", "true", "", "teacher", "x", "")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Role: "staff", OrgSourcedIDs: []string{"s9"}, IsActive: true,
					Issues: issues{missingUsername, invalidEmail, unknownOrg, unknownRole}},
				{SourcedID: "u2", Username: "X", Role: "teacher", IsActive: true, Issues: issues{duplicateUsername, missingEmail, noOrg}},
				{SourcedID: "u3", Username: "x", Role: "teacher", IsActive: true, Issues: issues{duplicateUsername, missingEmail, noOrg}}}},
		{"active and inactive", []string{
			row("u1", "active", "true", "s1", "student", "a", ""), row("u2", "", "TRUE", "s1", "student", "b", ""),
			row("u3", "tobedeleted", "true", "s1", "student", "c", ""), row("u4", "active", "false", "s1", "student", "d", ""),
			row("u5", "", "maybe", "s1", "student", "e", "")},
			[]industrydata.UserReportEntry{
				{SourcedID: "u1", Username: "a", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true},
				{SourcedID: "u2", Username: "b", Role: "student", OrgSourcedIDs: []string{"s1"}, IsActive: true},
				{SourcedID: "u3", Username: "c", Role: "student", OrgSourcedIDs: []string{"s1"}},
				{SourcedID: "u4", Username: "d", Role: "student", OrgSourcedIDs: []string{"s1"}},
				{SourcedID: "u5", Username: "e", Role: "student", OrgSourcedIDs: []string{"s1"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := build(t, &report.Builder{}, testOrgs, csvFile(usersHeader, tc.rows...))
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want { // one flow: its users in file order
				tc.want[i].FlowID, tc.want[i].Seq = "f1", int64(i+1)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	users := csvFile(usersHeader,
		row("u1", "active", "true", "s1", "student", "a", ""),
		row("u2", "active", "true", "s1,s2,s1", "teacher", "b", "b@example.edu"), // s1 twice counts once
		row("u3", "tobedeleted", "true", "s2", "Student", "c", ""),
		row("u4", "", "false", "s9,d1", "staff", "d", ""), // s9 is unknown: not counted
		row("u5", "", "true", "", "", "e", ""),
		row("u6", "", "true", "s1", "student", "A", ""))
	sum, entries, err := build(t, &report.Builder{}, testOrgs, users)
	if err != nil {
		t.Fatal(err)
	}
	want := industrydata.UserReportSummary{
		TotalUsers: 6, ActiveUsers: 4, InactiveUsers: 2, UsersWithIssues: 4,
		UsersByRole: []industrydata.RoleCount{{Role: "", Count: 1}, {Role: "staff", Count: 1},
			{Role: "student", Count: 3}, {Role: "teacher", Count: 1}},
		UsersByOrg: []industrydata.OrgCount{{OrgSourcedID: "d1", OrgName: "Springfield", Count: 1},
			{OrgSourcedID: "s1", OrgName: "School One", Count: 3}, {OrgSourcedID: "s2", OrgName: "School Two", Count: 2}},
	}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if len(entries) != 6 {
		t.Errorf("%d entries", len(entries))
	}
}

func TestEmptyReports(t *testing.T) {
	for _, tc := range []struct {
		name, orgs, users string
		want              industrydata.UserReportSummary
	}{
		{"header only", testOrgs, usersHeader + "\n", industrydata.UserReportSummary{
			UsersByRole: []industrydata.RoleCount{},
			UsersByOrg: []industrydata.OrgCount{{OrgSourcedID: "d1", OrgName: "Springfield"},
				{OrgSourcedID: "s1", OrgName: "School One"}, {OrgSourcedID: "s2", OrgName: "School Two"}}}},
		{"no orgs", orgsHeader, csvFile(usersHeader, student("u1")), industrydata.UserReportSummary{
			TotalUsers: 1, ActiveUsers: 1, UsersWithIssues: 1,
			UsersByRole: []industrydata.RoleCount{{Role: "student", Count: 1}}, UsersByOrg: []industrydata.OrgCount{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, _, err := build(t, &report.Builder{}, tc.orgs, tc.users)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, sum); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	sinkFailure := errors.New("database down")
	for _, tc := range []struct {
		name, orgs, users string
		b                 report.Builder
		want              string // the Problem as Error() gives it, or the error's text
	}{
		{name: "empty users.csv", orgs: testOrgs, users: "",
			want: "users.csv:1:0: missingHeader: users.csv is empty: it must start with a header row"},
		{name: "empty orgs.csv", orgs: "", users: csvFile(usersHeader, student("u1")),
			want: "orgs.csv:1:0: missingHeader: orgs.csv is empty: it must start with a header row"},
		{name: "missing column in users.csv", orgs: testOrgs, users: "sourcedId,username\nu1,a\n",
			want: "users.csv:1:0: missingColumn"},
		{name: "bad quote in users.csv", orgs: testOrgs, users: csvFile(usersHeader, student("u1"), `u2,,,true,s1,"student,x,,,,,,,,,,,`),
			want: "users.csv:3:6: badQuote"},
		{name: "duplicate sourcedId in users.csv", orgs: testOrgs, users: csvFile(usersHeader, student("u1"), student("u1")),
			want: "users.csv:3:1: duplicateSourcedId"},
		{name: "duplicate sourcedId in orgs.csv", orgs: csvFile(orgsHeader, "s1,,,A,school,,", "s1,,,B,school,,"),
			users: usersHeader, want: "orgs.csv:3:1: duplicateSourcedId"},
		{name: "too many users", orgs: testOrgs, users: csvFile(usersHeader, student("u1"), student("u2")),
			b: report.Builder{MaxUsers: 1}, want: "users.csv:3:0: tooManyRows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, entries, err := build(t, &tc.b, tc.orgs, tc.users)
			var p *roster.Problem
			if !errors.As(err, &p) || !strings.HasPrefix(p.Error(), tc.want) {
				t.Fatalf("Build = %v, want a *roster.Problem %q", err, tc.want)
			}
			if len(entries) != 0 {
				t.Errorf("%d entries written before the error of pass 1", len(entries))
			}
		})
	}

	t.Run("sink failure", func(t *testing.T) {
		_, err := report.Build(t.Context(), oneFlow(testOrgs, csvFile(usersHeader, student("u1"))),
			report.SinkFunc(func(industrydata.UserReportEntry) error { return sinkFailure }))
		if !errors.Is(err, sinkFailure) {
			t.Errorf("Build = %v", err)
		}
	})
	t.Run("users.csv cannot be opened", func(t *testing.T) {
		gone := errors.New("no such blob")
		src := oneFlow(testOrgs, "")
		src[0].OpenUsers = func() (io.ReadCloser, error) { return nil, gone }
		_, err := report.Build(t.Context(), src, report.Discard)
		if !errors.Is(err, gone) {
			t.Errorf("Build = %v", err)
		}
	})
	t.Run("users.csv changed between passes", func(t *testing.T) {
		files := []string{csvFile(usersHeader, student("u1"), student("u2")), csvFile(usersHeader, student("u1"))}
		open := func() (io.ReadCloser, error) {
			f := files[0]
			files = files[1:]
			return io.NopCloser(strings.NewReader(f)), nil
		}
		src := oneFlow(testOrgs, "")
		src[0].OpenUsers = open
		if _, err := report.Build(t.Context(), src, report.Discard); err == nil ||
			!strings.Contains(err.Error(), "changed") {
			t.Errorf("Build = %v", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := report.Build(ctx, oneFlow(testOrgs, usersHeader), report.Discard); !errors.Is(err, context.Canceled) {
			t.Errorf("Build = %v", err)
		}
	})
}
