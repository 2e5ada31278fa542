package roster_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata/roster"
)

func TestOrgReader(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           string
		want         []string
		wantWarnings []string
	}{
		{name: "rows read in order", in: csvFile(orgsHeader, "d1,active,,District,district,,", "s1,,,School,school,,d1"),
			want: []string{"user d1 @2", "user s1 @3"}},
		{name: "header only", in: orgsHeader + "\r\n"},
		{name: "empty file", in: "", want: []string{"missingHeader 1:0 fatal"}},
		{name: "missing parentSourcedId column", in: "sourcedId,status,dateLastModified,name,type,identifier\n",
			want: []string{"missingColumn 1:0 fatal"}},
		{name: "type and name checked", in: csvFile(orgsHeader, "s1,,,,campus,,", "s2,,,Two,SCHOOL,,"),
			want:         []string{"user s1 @2", "user s2 @3"},
			wantWarnings: []string{"missingOrgName 2:4", "invalidOrgType 2:5"}},
		{name: "duplicate sourcedId", in: csvFile(orgsHeader, "s1,,,A,school,,", "s1,,,B,school,,"),
			want: []string{"user s1 @2", "duplicateSourcedId 3:1"}},
		{name: "extra column", in: csvFile(orgsHeader+",note", "s1,,,A,school,,,hi"),
			want: []string{"user s1 @2"}, wantWarnings: []string{"unknownColumn 1:8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := roster.NewOrgReader(strings.NewReader(tc.in), roster.Options{})
			if diff := cmp.Diff(tc.want, readAll(t, r, orgID)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWarnings, warningsOf(r.Warnings())); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadOrgsValues(t *testing.T) {
	in := "\uFEFF" + csvFile(orgsHeader,
		`d1,active,2024-05-01T08:30:00Z,"Springfield, Unified",District,D-1,`,
		` s1 ,tobedeleted,,School 1,school,1001, d1 `)
	var got []roster.Org
	if err := roster.ReadOrgs(strings.NewReader(in), func(o roster.Org) error {
		got = append(got, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []roster.Org{
		{Line: 2, SourcedID: "d1", Status: roster.StatusActive, DateLastModified: time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC),
			Name: "Springfield, Unified", Type: "district", Identifier: "D-1"},
		{Line: 3, SourcedID: "s1", Status: roster.StatusToBeDeleted, Name: "School 1", Type: "school",
			Identifier: "1001", ParentSourcedID: "d1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orgs (-want +got):\n%s", diff)
	}
}

func TestReadOrgsProblem(t *testing.T) {
	err := roster.ReadOrgs(strings.NewReader(csvFile(orgsHeader, `s1,,,"A,school,,`)), func(roster.Org) error { return nil })
	var p *roster.Problem
	if !errors.As(err, &p) || p.File != "orgs.csv" || p.Code != roster.CodeBadQuote || p.Line != 2 || p.Column != 4 {
		t.Fatalf("ReadOrgs = %#v", err)
	}
}
