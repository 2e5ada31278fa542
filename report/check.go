package report

import (
	"hash/maphash"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"industrydata"
	"industrydata/roster"
)

// orgIndex is the orgs.csv files of all flows in memory: usersByOrg's
// rows, each org once, in the order the flows list them, and for each flow
// the row of each org of its own orgs.csv, by sourcedId.
type orgIndex struct {
	orgs   []industrydata.OrgCount
	byFlow []map[string]int
}

// Distinct role values are counted by name up to maxRoles of them, each at
// most maxRoleBytes long; the others are counted together under otherRoles,
// so that a file with a million made-up roles cannot fill memory.
const (
	maxRoles     = 1000
	maxRoleBytes = 64
	otherRoles   = "(other)"
)

// checker is pass 2: it builds each user's entry and counts the summary.
type checker struct {
	flowID string
	byID   map[string]int          // the row in orgs of each org of the flow's orgs.csv
	orgs   []industrydata.OrgCount // usersByOrg, of all flows
	dups   *roster.HashSet
	seed   maphash.Seed
	buf    []byte
	known  []int          // users of each of roster.Roles
	roles  map[string]int // users of each other role value
	arena  []string       // what entries' OrgSourcedIDs are cut from
	mine   []int          // scratch: the known orgs of the current user
	sum    industrydata.UserReportSummary
}

func newChecker(orgs []industrydata.OrgCount, dups *roster.HashSet, seed maphash.Seed) *checker {
	return &checker{
		orgs: orgs, dups: dups, seed: seed,
		known: make([]int, len(roster.Roles)), roles: make(map[string]int),
	}
}

// check returns the entry of u, a user of flow c.flowID, and counts u in
// the summary. The issues are SPEC §10's, in the order of
// industrydata.UserReportIssues.
func (c *checker) check(u *roster.User) industrydata.UserReportEntry {
	c.sum.TotalUsers++
	e := industrydata.UserReportEntry{
		SourcedID: u.SourcedID,
		Username:  u.Username,
		Role:      u.Role,
		IsActive:  IsActive(u),
		FlowID:    c.flowID,
		Seq:       int64(c.sum.TotalUsers),
	}
	if len(u.OrgSourcedIDs) > 0 {
		e.OrgSourcedIDs = c.cloneOrgs(u.OrgSourcedIDs) // the reader reuses its slice
	}
	dup := false
	if c.dups.Len() > 0 { // no need to hash when no username repeats
		key, ok := UsernameKey(c.seed, &c.buf, u.Username)
		dup = ok && c.dups.Has(key)
	}
	var issues [7]industrydata.UserReportIssue
	found := UserIssues(issues[:0], u, dup, c.hasOrg, nil)
	n := len(found)
	c.mine = c.mine[:0]
	for _, id := range u.OrgSourcedIDs {
		if i, ok := c.byID[id]; ok && !slices.Contains(c.mine, i) { // a user listing an org twice counts once
			c.mine = append(c.mine, i)
			c.orgs[i].Count++
		}
	}
	role := roleIndex(u.Role)
	if n > 0 {
		e.Issues = slices.Clone(found)
		c.sum.UsersWithIssues++
	}

	if e.IsActive {
		c.sum.ActiveUsers++
	} else {
		c.sum.InactiveUsers++
	}
	if role >= 0 {
		c.known[role]++
	} else {
		c.countRole(u.Role)
	}
	return e
}

// hasOrg reports whether the flow's orgs.csv has an org of sourcedId id.
func (c *checker) hasOrg(id string) bool {
	_, ok := c.byID[id]
	return ok
}

// IsActive reports whether u is an active user (SPEC §10, §12): its
// enabledUser is true and its status is not tobedeleted. It is the one
// definition the report's entries and summary, and an import's counts of
// users.csv, share.
func IsActive(u *roster.User) bool {
	return u.EnabledUser && u.Status != roster.StatusToBeDeleted
}

// UserIssues appends to dst the issues of u (SPEC §10) in the order of
// industrydata.UserReportIssues, and returns the extended slice: the one
// judgement of a user that the report and roster validation share, so that
// they never disagree. duplicateUsername says whether another user has u's
// username (compare UsernameKey's); hasOrg whether orgs.csv has an org of a
// sourcedId (whatever that org's status); knownRole whether a role is
// allowed, nil meaning roster.Roles (the reader spells those as
// roster.Roles does). With no issue, dst comes back as it was.
func UserIssues(dst []industrydata.UserReportIssue, u *roster.User, duplicateUsername bool,
	hasOrg func(id string) bool, knownRole func(role string) bool) []industrydata.UserReportIssue {
	if strings.TrimSpace(u.Username) == "" {
		dst = append(dst, industrydata.IssueMissingUsername)
	} else if duplicateUsername {
		dst = append(dst, industrydata.IssueDuplicateUsername)
	}
	if email := strings.TrimSpace(u.Email); email == "" {
		if u.Role == "teacher" || u.Role == "administrator" {
			dst = append(dst, industrydata.IssueMissingEmail)
		}
	} else if !plausibleEmail(email) {
		dst = append(dst, industrydata.IssueInvalidEmail)
	}
	for _, id := range u.OrgSourcedIDs {
		if !hasOrg(id) {
			dst = append(dst, industrydata.IssueUnknownOrg)
			break
		}
	}
	if len(u.OrgSourcedIDs) == 0 {
		dst = append(dst, industrydata.IssueNoOrg)
	}
	known := roleIndex(u.Role) >= 0
	if knownRole != nil {
		known = knownRole(u.Role)
	}
	if !known {
		dst = append(dst, industrydata.IssueUnknownRole)
	}
	return dst
}

// roleIndex returns the index of role in roster.Roles, or -1: the reader
// spells every known role as roster.Roles does.
func roleIndex(role string) int {
	for i, r := range roster.Roles {
		if role == r {
			return i
		}
	}
	return -1
}

// cloneOrgs copies ids for an entry: cut from blocks shared by many entries,
// one allocation per block rather than one per user.
func (c *checker) cloneOrgs(ids []string) []string {
	if len(ids) > cap(c.arena)-len(c.arena) {
		c.arena = make([]string, 0, max(1024, len(ids)))
	}
	start := len(c.arena)
	c.arena = append(c.arena, ids...)
	return c.arena[start:len(c.arena):len(c.arena)]
}

// countRole counts one user of a role that is not one of roster.Roles,
// keeping the number of distinct keys bounded.
func (c *checker) countRole(role string) {
	if _, ok := c.roles[role]; ok {
		c.roles[role]++
		return
	}
	if len(c.roles) >= maxRoles || len(role) > maxRoleBytes {
		c.roles[otherRoles]++
		return
	}
	// A new key: clone it, so that the map does not pin the whole row the
	// reader's string belongs to.
	c.roles[strings.Clone(role)] = 1
}

// summary returns the summary counted so far: roles sorted by name, orgs in
// the order of the flows' orgs.csv files.
func (c *checker) summary() industrydata.UserReportSummary {
	s := c.sum
	s.UsersByRole = make([]industrydata.RoleCount, 0, len(c.roles)+len(c.known))
	for i, n := range c.known {
		if n > 0 {
			s.UsersByRole = append(s.UsersByRole, industrydata.RoleCount{Role: roster.Roles[i], Count: n})
		}
	}
	for role, n := range c.roles {
		s.UsersByRole = append(s.UsersByRole, industrydata.RoleCount{Role: role, Count: n})
	}
	slices.SortFunc(s.UsersByRole, func(a, b industrydata.RoleCount) int { return strings.Compare(a.Role, b.Role) })
	s.UsersByOrg = slices.Clone(c.orgs)
	if s.UsersByOrg == nil {
		s.UsersByOrg = []industrydata.OrgCount{}
	}
	return s
}

// UsernameKey returns the hash that decides duplicateUsername: of the
// username trimmed and lower-cased (SPEC §10: case-insensitive), and false
// when the username is empty. ASCII names, the common case, are lowered into
// buf without allocating. Two usernames are the same user's for the report
// when their keys, under one seed, are equal.
func UsernameKey(seed maphash.Seed, buf *[]byte, username string) (uint64, bool) {
	s := strings.TrimSpace(username)
	if s == "" {
		return 0, false
	}
	b := (*buf)[:0]
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= utf8.RuneSelf {
			return maphash.String(seed, strings.ToLower(s)), true
		}
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	*buf = b
	return maphash.Bytes(seed, b), true
}

// plausibleEmail reports whether s is a bare email address: net/mail parses
// it, finds no display name, and gives back exactly s. Most addresses pass
// simpleEmail first, which accepts only what net/mail accepts (a test checks
// it) at a tenth of the cost.
func plausibleEmail(s string) bool {
	if simpleEmail(s) {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// simpleEmail reports whether s is local@domain, each side dot-separated
// runs of ASCII letters and digits, plus - _ + ' on the left and - on the
// right: a subset of RFC 5322's dot-atom addr-spec.
func simpleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && dotAtom(s[:at], "-_+'") && dotAtom(s[at+1:], "-")
}

// dotAtom reports whether s is non-empty runs of letters, digits and the
// bytes of extra, separated by single dots.
func dotAtom(s, extra string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if run == 0 {
				return false
			}
			run = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
		run++
	}
	return run > 0
}
