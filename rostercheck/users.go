package rostercheck

import (
	"context"
	"hash/maphash"
	"io"
	"math/bits"
	"strings"

	"industrydata"
	"industrydata/report"
	"industrydata/roster"
)

// checkOrgs checks orgs.csv: package roster's checks, and the org's type
// against Options.OrgTypes.
func (v *validator) checkOrgs(ctx context.Context, r io.Reader, ropts roster.Options) error {
	name := roster.FileOrgs
	or := roster.NewOrgReader(r, ropts)
	defer func() { v.rows = or.Rows() }()
	err := eachRow(ctx, v, name, or.Next, func(_ int, o roster.Org) {
		if o.Status != roster.StatusToBeDeleted {
			v.active++
		}
		if !v.types.has(o.Type) {
			line, col := or.Pos("type")
			what := "is empty"
			if o.Type != "" {
				what = "is not an org type (RefOrgType)"
			}
			v.problem(roster.CodeInvalidOrgType, name, line, col, "type %q %s", short(o.Type), what)
		}
	})
	if err != nil {
		return err
	}
	v.ids[name] = or.SourcedIDs()
	return nil
}

// issueColumns is the column each issue of the user report is about.
var issueColumns = map[industrydata.UserReportIssue]string{
	industrydata.IssueMissingUsername:   "username",
	industrydata.IssueDuplicateUsername: "username",
	industrydata.IssueMissingEmail:      "email",
	industrydata.IssueInvalidEmail:      "email",
	industrydata.IssueUnknownOrg:        "orgSourcedIds",
	industrydata.IssueNoOrg:             "orgSourcedIds",
	industrydata.IssueUnknownRole:       "role",
}

// issueMessages say what each issue means, quoting no personal data.
var issueMessages = map[industrydata.UserReportIssue]string{
	industrydata.IssueMissingUsername:   "username is empty",
	industrydata.IssueDuplicateUsername: "another user has the same username (ignoring case)",
	industrydata.IssueMissingEmail:      "a teacher or administrator has no email",
	industrydata.IssueInvalidEmail:      "email is not a plain email address",
	industrydata.IssueUnknownOrg:        "an orgSourcedId is not the sourcedId of an org of orgs.csv",
	industrydata.IssueNoOrg:             "orgSourcedIds is empty",
	industrydata.IssueUnknownRole:       "role is not a OneRoster role (RefRole)",
}

// checkUsers checks users.csv: package roster's checks, grades, required
// names, and the user report's issues as warnings, judged by
// report.UserIssues. duplicateUsername needs every user seen: the first
// user with a username is flagged when a second one turns up.
func (v *validator) checkUsers(ctx context.Context, r io.Reader, ropts roster.Options) error {
	name := roster.FileUsers
	ur := roster.NewUserReader(r, ropts)
	defer func() { v.rows = ur.Rows() }()
	orgs := v.ids[roster.FileOrgs]
	hasOrg := orgs.Has
	if v.broken[roster.FileOrgs] || !v.present[roster.FileOrgs] {
		hasOrg = func(string) bool { return true } // the set is partial: orgs.csv's own error says enough
	}
	knownRole := func(role string) bool { return v.roles.has(role) }
	seed := maphash.MakeSeed()
	var names firstLines
	var buf []byte
	var issues []industrydata.UserReportIssue
	err := eachRow(ctx, v, name, ur.Next, func(n int, u roster.User) {
		if n == 0 {
			names.reserve(ur.EstimatedRows())
		}
		if report.IsActive(&u) {
			v.active++
		}
		for _, g := range u.Grades {
			if !v.grades.has(g) {
				line, col := ur.Pos("grades")
				v.problem(CodeInvalidGrade, name, line, col, "grade %q is not a grade level (RefGradeLevel)", short(g))
				break
			}
		}
		if strings.TrimSpace(u.GivenName) == "" {
			v.missingName(ur, "givenName")
		}
		if strings.TrimSpace(u.FamilyName) == "" {
			v.missingName(ur, "familyName")
		}
		issues = report.UserIssues(issues[:0], &u, false, hasOrg, knownRole)
		for _, is := range issues {
			v.userIssue(ur, is)
		}
		if key, ok := report.UsernameKey(seed, &buf, u.Username); ok {
			line, col := ur.Pos("username")
			if first, flag := names.see(key, line); flag {
				if first != 0 { // the first user with this username, not flagged yet
					v.problem(string(industrydata.IssueDuplicateUsername), name, first, col, "%s", issueMessages[industrydata.IssueDuplicateUsername])
				}
				v.userIssue(ur, industrydata.IssueDuplicateUsername)
			}
		}
	})
	if err != nil {
		return err
	}
	v.ids[name] = ur.SourcedIDs()
	return nil
}

// missingName adds missingText for an empty name column of the user last
// read by ur.
func (v *validator) missingName(ur *roster.UserReader, column string) {
	line, col := ur.Pos(column)
	v.problem(CodeMissingText, roster.FileUsers, line, col, "%s is empty; OneRoster requires it", column)
}

// userIssue adds the warning of an issue of the user last read by ur.
func (v *validator) userIssue(ur *roster.UserReader, is industrydata.UserReportIssue) {
	line, col := ur.Pos(issueColumns[is])
	v.problem(string(is), roster.FileUsers, line, col, "%s", issueMessages[is])
}

// firstLines maps the hash of each username (report.UsernameKey) to the
// line of the first user that has it: an open-addressing table with linear
// probing, 16 bytes a slot, at most 4/5 full, about 20 MB at a million
// users. The hash 0 is stored as 1.
type firstLines struct {
	slots []nameSlot
	n     int
}

type nameSlot struct {
	hash    uint64
	line    uint32
	flagged bool // the first user has been reported as a duplicate
}

func (t *firstLines) reserve(n int) {
	if size := (n+1)*5/4 + 1; size > len(t.slots) {
		t.resize(size)
	}
}

// see records that a user at line has the username of hash. It reports
// whether an earlier user has it too (flag) and, the first time so, that
// user's line (first); first is 0 once that user has been reported.
func (t *firstLines) see(hash uint64, line int) (first int, flag bool) {
	hash = max(hash, 1)
	if (t.n+1)*5 > len(t.slots)*4 {
		t.resize(max(64, 2*len(t.slots)))
	}
	for i := t.home(hash); ; {
		s := &t.slots[i]
		switch s.hash {
		case hash:
			if s.flagged {
				return 0, true
			}
			s.flagged = true
			return int(s.line), true
		case 0:
			*s = nameSlot{hash: hash, line: uint32(min(line, 1<<32-1))}
			t.n++
			return 0, false
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

func (t *firstLines) home(h uint64) int {
	hi, _ := bits.Mul64(h*0x9E3779B97F4A7C15, uint64(len(t.slots)))
	return int(hi)
}

func (t *firstLines) resize(size int) {
	old := t.slots
	t.slots = make([]nameSlot, size)
	for _, s := range old {
		if s.hash == 0 {
			continue
		}
		i := t.home(s.hash)
		for t.slots[i].hash != 0 {
			if i++; i == size {
				i = 0
			}
		}
		t.slots[i] = s
	}
}
