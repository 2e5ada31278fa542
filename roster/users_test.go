package roster_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata/roster"
)

func TestUserReaderStructure(t *testing.T) {
	u1, u2, u3 := user("u1", "o1", "student", "a", ""), user("u2", "o1", "student", "b", ""), user("u3", "o1", "student", "c", "")
	for _, tc := range []struct {
		name         string
		opts         roster.Options
		in           string
		want         []string
		wantWarnings []string
	}{
		{name: "rows read in order", in: csvFile(usersHeader, u1, u2),
			want: []string{"user u1 @2", "user u2 @3"}},
		{name: "byte order mark skipped", in: "\uFEFF" + csvFile(usersHeader, u1),
			want: []string{"user u1 @2"}},
		{name: "CRLF line ends", in: strings.ReplaceAll(csvFile(usersHeader, u1, u2), "\n", "\r\n"),
			want: []string{"user u1 @2", "user u2 @3"}},
		{name: "no newline at the end", in: usersHeader + "\n" + u1,
			want: []string{"user u1 @2"}},
		{name: "blank lines skipped, lines still counted", in: "\n" + usersHeader + "\n\n" + u1 + "\n\n" + u2 + "\n",
			want: []string{"user u1 @4", "user u2 @6"}},
		{name: "quoted field with a line break", in: csvFile(usersHeader,
			`u1,active,,true,o1,student,a,,"Ada`+"\n"+`Augusta",Lovelace,,,,,,,,`, u2),
			want: []string{"user u1 @2", "user u2 @4"}},
		{name: "header only", in: usersHeader + "\n"},
		{name: "header only without newline", in: usersHeader},
		{name: "empty file", in: "",
			want: []string{"missingHeader 1:0 fatal"}},
		{name: "blank lines only", in: "\n\r\n\n",
			want: []string{"missingHeader 1:0 fatal"}},
		{name: "byte order mark only", in: "\uFEFF",
			want: []string{"missingHeader 1:0 fatal"}},
		{name: "columns in another order, case and spacing",
			in: "Role, USERNAME ,sourcedid,status,dateLastModified,enabledUser,orgSourcedIds,userIds,givenName," +
				"familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
				"teacher,t,u9,,,true,o1,,,,,,,,,,,\n",
			want: []string{"user u9 @2"}},
		{name: "extra columns ignored with a warning", in: csvFile(usersHeader+",metadata.x,extra", u1+",1,2"),
			want:         []string{"user u1 @2"},
			wantWarnings: []string{"unknownColumn 1:19", "unknownColumn 1:20"}},
		{name: "missing columns", in: csvFile(strings.Replace(usersHeader, ",password", "", 1), "u1,,,true,o1,student,a,,,,,,,,,,"),
			want: []string{"missingColumn 1:0 fatal"}},
		{name: "repeated column", in: csvFile(usersHeader + ",Email"),
			want: []string{"duplicateColumn 1:19 fatal"}},
		{name: "bad quote in the header", in: `sourcedId,"status` + "\n",
			want: []string{"badHeader 1:2 fatal"}},
		{name: "too few fields, then on", in: csvFile(usersHeader, "u1,active,,true", u2),
			want: []string{"wrongFieldCount 2:5", "user u2 @3"}},
		{name: "too many fields, then on", in: csvFile(usersHeader, u1+",x", u2),
			want: []string{"wrongFieldCount 2:19", "user u2 @3"}},
		{name: "bare quote, then on", in: csvFile(usersHeader,
			`u1,active,,true,o1,student,a"b,,,,,,,,,,,`, u2),
			want: []string{"badQuote 2:7", "user u2 @3"}},
		{name: "stray quote after a quoted field", in: csvFile(usersHeader,
			`u1,active,,true,"o1"x,student,a,,,,,,,,,,,`, u2),
			want: []string{"badQuote 2:5", "user u2 @3"}},
		{name: "quote never closed", in: csvFile(usersHeader, u1, `u2,active,,true,"o1,student,a,,,,,,,,,,,`),
			want: []string{"user u1 @2", "badQuote 3:5"}},
		{name: "invalid UTF-8, then on", in: csvFile(usersHeader, u1,
			"u2,active,,true,o1,student,b,,Ad\xffa,,,,,,,,,", u3),
			want: []string{"user u1 @2", "invalidUtf8 3:9", "user u3 @4"}},
		{name: "input ending inside a rune", in: usersHeader + "\n" + "u1,,,true,o1,student,a,,,,,,,,,,,\xe2\x82",
			want: []string{"invalidUtf8 2:18"}},
		{name: "empty sourcedId", in: csvFile(usersHeader, user(" ", "o1", "student", "a", ""), u2),
			want: []string{"missingSourcedId 2:1", "user u2 @3"}},
		{name: "duplicate sourcedId", in: csvFile(usersHeader, u1, u2, user(" u1 ", "o2", "teacher", "z", ""), u3),
			want: []string{"user u1 @2", "user u2 @3", "duplicateSourcedId 4:1", "user u3 @5"}},
		{name: "duplicates not checked on a checked file", opts: roster.Options{Checked: true},
			in:   csvFile(usersHeader, u1, u1),
			want: []string{"user u1 @2", "user u1 @3"}},
		{name: "field too long", in: csvFile(usersHeader,
			"u1,,,true,o1,student,a,,"+strings.Repeat("x", roster.MaxFieldBytes+1)+",,,,,,,,,", u2),
			want: []string{"fieldTooLong 2:9", "user u2 @3"}},
		{name: "row too long", in: csvFile(usersHeader, u1,
			`u2,,,true,o1,student,a,,"`+strings.Repeat("x\n", roster.MaxRecordBytes)+`",,,,,,,,,`),
			want: []string{"user u1 @2", "recordTooLong 3:0 fatal"}},
		{name: "too many rows", opts: roster.Options{MaxRows: 2}, in: csvFile(usersHeader, u1, u2, u3),
			want: []string{"user u1 @2", "user u2 @3", "tooManyRows 4:0 fatal"}},
		{name: "value warnings", in: csvFile(usersHeader,
			"u1,deleted,yesterday,yes,o1,student,a,,,,,,,,,,,"),
			want:         []string{"user u1 @2"},
			wantWarnings: []string{"invalidStatus 2:2", "invalidDateLastModified 2:3", "invalidEnabledUser 2:4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := roster.NewUserReader(strings.NewReader(tc.in), tc.opts)
			got := readAll(t, r, userID)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWarnings, warningsOf(r.Warnings())); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserReaderValues(t *testing.T) {
	in := csvFile(usersHeader,
		`u1,active,2024-05-01T08:30:00.123+02:00,true," o1 , o2,,o3 ",Teacher,jdoe,"{LDAP:jdoe},{SIS:42}",`+
			`Jane,Doe,Q,T-42,jdoe@example.edu,+1555,555-0100,"g1,g2","09, 10",s3cret`,
		`u2,tobedeleted,2024-05-01,FALSE,,staff,,,,,,,,,,,,`,
		`u3,,,True,o1,,x,,,,,,,,,,,`)
	r := roster.NewUserReader(strings.NewReader(in), roster.Options{})
	var got []roster.User
	for {
		u, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		u.OrgSourcedIDs = append([]string(nil), u.OrgSourcedIDs...) // the reader reuses them
		u.UserIDs = append([]string(nil), u.UserIDs...)
		u.AgentSourcedIDs = append([]string(nil), u.AgentSourcedIDs...)
		u.Grades = append([]string(nil), u.Grades...)
		got = append(got, u)
	}
	want := []roster.User{{
		Line: 2, SourcedID: "u1", Status: roster.StatusActive,
		DateLastModified: time.Date(2024, 5, 1, 6, 30, 0, 123e6, time.UTC),
		EnabledUser:      true, OrgSourcedIDs: []string{"o1", "o2", "o3"}, Role: "teacher",
		Username: "jdoe", UserIDs: []string{"{LDAP:jdoe}", "{SIS:42}"}, GivenName: "Jane",
		FamilyName: "Doe", MiddleName: "Q", Identifier: "T-42", Email: "jdoe@example.edu",
		SMS: "+1555", Phone: "555-0100", AgentSourcedIDs: []string{"g1", "g2"}, Grades: []string{"09", "10"},
	}, {
		Line: 3, SourcedID: "u2", Status: roster.StatusToBeDeleted,
		DateLastModified: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Role:             "staff",
	}, {
		Line: 4, SourcedID: "u3", EnabledUser: true, OrgSourcedIDs: []string{"o1"},
		Username: "x",
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if n := r.WarningCount(); n != 0 {
		t.Errorf("%d warnings: %v", n, r.Warnings())
	}
}

func TestProblemMessages(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     roster.Problem
	}{
		{"missing column names it", "sourcedId,status\n", roster.Problem{File: "users.csv", Line: 1, Code: roster.CodeMissingColumn,
			Message: "the header row lacks the column(s) dateLastModified, enabledUser, orgSourcedIds, role, username, " +
				"userIds, givenName, familyName, middleName, identifier, email, sms, phone, agentSourcedIds, grades, password; " +
				"OneRoster v1.1 requires all of " + strings.ReplaceAll(usersHeader, ",", ", ")}},
		{"bad quote names the column", csvFile(usersHeader, `u1,,,true,o1,student,a"b,,,,,,,,,,,`),
			roster.Problem{File: "users.csv", Line: 2, Column: 7, Code: roster.CodeBadQuote,
				Message: `username: a field that does not start with a quote contains one (write "" inside a quoted field), at byte 23 of the line`}},
		{"duplicate names the id", csvFile(usersHeader, user("u1", "", "", "", ""), user("u1", "", "", "", "")),
			roster.Problem{File: "users.csv", Line: 3, Column: 1, Code: roster.CodeDuplicateID,
				Message: `sourcedId "u1" is the sourcedId of an earlier row of users.csv`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := roster.ReadUsers(strings.NewReader(tc.in), func(roster.User) error { return nil })
			var p *roster.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a *Problem", err)
			}
			if diff := cmp.Diff(tc.want, *p); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	p := &roster.Problem{File: "users.csv", Line: 3, Column: 7, Code: "badQuote", Message: "m"}
	if got, want := p.Error(), "users.csv:3:7: badQuote: m"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestWarningsCapped(t *testing.T) {
	in := csvFile(usersHeader, "u1,x,,true,o1,student,a,,,,,,,,,,,", "u2,x,,true,o1,student,b,,,,,,,,,,,",
		"u3,x,,true,o1,student,c,,,,,,,,,,,")
	r := roster.NewUserReader(strings.NewReader(in), roster.Options{MaxWarnings: 2, File: "export/users.csv"})
	readAll(t, r, userID)
	if got := warningsOf(r.Warnings()); !cmp.Equal(got, []string{"invalidStatus 2:2", "invalidStatus 3:2"}) {
		t.Errorf("kept %v", got)
	}
	if n := r.WarningCount(); n != 3 {
		t.Errorf("WarningCount() = %d, want 3", n)
	}
	if f := r.Warnings()[0].File; f != "export/users.csv" {
		t.Errorf("File = %q", f)
	}
}

func TestReadUsersStopsAtCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := roster.ReadUsers(strings.NewReader(csvFile(usersHeader, user("u1", "", "", "", ""), user("u2", "", "", "", ""))),
		func(roster.User) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("ReadUsers = %v after %d users", err, n)
	}
}

func TestReadFailure(t *testing.T) {
	broken := errors.New("disk on fire")
	r := roster.NewUserReader(io.MultiReader(strings.NewReader(usersHeader+"\n"), errReader{broken}), roster.Options{})
	_, err := r.Next()
	if !errors.Is(err, broken) || !roster.IsFatal(err) {
		t.Fatalf("Next = %v, want the read error, fatal", err)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next again = %v", again)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
