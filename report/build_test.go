package report_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/internal/rostergen"
	"industrydata/report"
	"industrydata/roster"
)

func TestProgress(t *testing.T) {
	var got []report.Progress
	b := report.Builder{ProgressEvery: 2, Progress: func(p report.Progress) { got = append(got, p) }}
	users := csvFile(usersHeader, student("u1"), student("u2"), student("u3"), student("u4"), student("u5"))
	if _, _, err := build(t, &b, testOrgs, users); err != nil {
		t.Fatal(err)
	}
	want := []report.Progress{
		{Pass: 1}, {Pass: 1, Done: 2}, {Pass: 1, Done: 4}, {Pass: 1, Done: 5},
		{Pass: 2, Total: 5}, {Pass: 2, Done: 2, Total: 5}, {Pass: 2, Done: 4, Total: 5}, {Pass: 2, Done: 5, Total: 5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

// A sink may keep entries (a store batches them): what the reader reuses
// must not show through.
func TestEntriesOwnTheirSlices(t *testing.T) {
	users := csvFile(usersHeader,
		row("u1", "", "true", "s1,s2", "staff", "", ""), row("u2", "", "true", "d1", "student", "b", ""))
	_, entries, err := build(t, &report.Builder{}, testOrgs, users)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(entries[0].OrgSourcedIDs, []string{"s1", "s2"}) ||
		!slices.Equal(entries[0].Issues, issues{missingUsername, unknownRole}) {
		t.Errorf("first entry changed after the second was built: %+v", entries[0])
	}
}

func TestUsersFileClosed(t *testing.T) {
	opened, closed := 0, 0
	open := func() (io.ReadCloser, error) {
		opened++
		return closer{Reader: strings.NewReader(csvFile(usersHeader, student("u1"))), closed: &closed}, nil
	}
	src := oneFlow(testOrgs, "")
	src[0].OpenUsers = open
	if _, err := report.Build(t.Context(), src, report.Discard); err != nil {
		t.Fatal(err)
	}
	if opened != 2 || closed != 2 {
		t.Errorf("opened %d times, closed %d", opened, closed)
	}
}

type closer struct {
	io.Reader
	closed *int
}

func (c closer) Close() error { *c.closed++; return nil }

// The generator's roster is valid and its report does what its doc says.
func TestGeneratedRoster(t *testing.T) {
	const n = 10_000
	var orgs, users, again bytes.Buffer
	if err := rostergen.WriteOrgs(&orgs, n); err != nil {
		t.Fatal(err)
	}
	if err := rostergen.WriteUsers(&users, n); err != nil {
		t.Fatal(err)
	}
	if err := rostergen.WriteUsers(&again, n); err != nil || !bytes.Equal(users.Bytes(), again.Bytes()) {
		t.Fatalf("the generator is not deterministic (%v)", err)
	}
	count := map[industrydata.UserReportIssue]int{}
	sum, err := report.Build(t.Context(), oneFlow(orgs.String(), users.String()), report.SinkFunc(func(e industrydata.UserReportEntry) error {
		for _, i := range e.Issues {
			count[i]++
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if sum.TotalUsers != n || sum.ActiveUsers+sum.InactiveUsers != n || len(sum.UsersByOrg) != 1+rostergen.Schools(n) {
		t.Errorf("summary %+v", sum)
	}
	for _, i := range industrydata.UserReportIssues {
		if count[industrydata.UserReportIssue(i)] == 0 {
			t.Errorf("no user has %s", i)
		}
	}
	if sum.UsersWithIssues < n/200 || sum.UsersWithIssues > n/20 {
		t.Errorf("%d of %d users with issues", sum.UsersWithIssues, n)
	}
}

// FuzzBuild checks that no users.csv panics Build, that every failure is a
// *roster.Problem, and that a report adds up.
func FuzzBuild(f *testing.F) {
	for _, seed := range []string{
		csvFile(usersHeader, student("u1"), row("u2", "tobedeleted", "true", "s1,s9", "Teacher", "U1", "x"), row("u3", "", "", "", "", "", "")),
		csvFile(usersHeader, student("u1"), student("u1")),
		csvFile(usersHeader, `u1,,,true,"s1,student,,,,,,,,,,,,`),
		usersHeader,
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var entries []industrydata.UserReportEntry
		sum, err := report.Build(t.Context(), oneFlow(testOrgs, string(data)),
			report.SinkFunc(func(e industrydata.UserReportEntry) error { entries = append(entries, e); return nil }))
		if err != nil {
			var p *roster.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v (%T) is not a *roster.Problem", err, err)
			}
			return
		}
		withIssues, byRole := 0, 0
		for _, e := range entries {
			if len(e.Issues) > 0 {
				withIssues++
			}
			if !slices.IsSortedFunc(e.Issues, func(a, b industrydata.UserReportIssue) int {
				return slices.Index(industrydata.UserReportIssues, string(a)) - slices.Index(industrydata.UserReportIssues, string(b))
			}) {
				t.Fatalf("issues out of order: %v", e.Issues)
			}
		}
		for _, r := range sum.UsersByRole {
			byRole += r.Count
		}
		if sum.TotalUsers != len(entries) || sum.ActiveUsers+sum.InactiveUsers != sum.TotalUsers ||
			sum.UsersWithIssues != withIssues || byRole != sum.TotalUsers {
			t.Fatalf("summary %+v does not add up over %d entries, %d with issues", sum, len(entries), withIssues)
		}
	})
}
