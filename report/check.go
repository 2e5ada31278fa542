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

// orgIndex is orgs.csv in memory: each org's position in the file by
// sourcedId, and the summary's usersByOrg in file order.
type orgIndex struct {
	byID map[string]int
	orgs []industrydata.OrgCount
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
	orgs  *orgIndex
	dups  *roster.HashSet
	seed  maphash.Seed
	buf   []byte
	known []int          // users of each of roster.Roles
	roles map[string]int // users of each other role value
	arena []string       // what entries' OrgSourcedIDs are cut from
	mine  []int          // scratch: the known orgs of the current user
	sum   industrydata.UserReportSummary
}

func newChecker(orgs *orgIndex, dups *roster.HashSet, seed maphash.Seed) *checker {
	return &checker{
		orgs: orgs, dups: dups, seed: seed,
		known: make([]int, len(roster.Roles)), roles: make(map[string]int),
	}
}

// check returns the entry of u and counts u in the summary. The issues are
// SPEC §10's, in the order of industrydata.UserReportIssues.
func (c *checker) check(u *roster.User) industrydata.UserReportEntry {
	e := industrydata.UserReportEntry{
		SourcedID: u.SourcedID,
		Username:  u.Username,
		Role:      u.Role,
		IsActive:  u.EnabledUser && u.Status != roster.StatusToBeDeleted,
	}
	if len(u.OrgSourcedIDs) > 0 {
		e.OrgSourcedIDs = c.cloneOrgs(u.OrgSourcedIDs) // the reader reuses its slice
	}
	var issues [7]industrydata.UserReportIssue
	n := 0
	add := func(i industrydata.UserReportIssue) { issues[n] = i; n++ }

	if strings.TrimSpace(u.Username) == "" {
		add(industrydata.IssueMissingUsername)
	} else if c.dups.Len() > 0 { // no need to hash when no username repeats
		if key, _ := usernameKey(c.seed, &c.buf, u.Username); c.dups.Has(key) {
			add(industrydata.IssueDuplicateUsername)
		}
	}
	if email := strings.TrimSpace(u.Email); email == "" {
		if u.Role == "teacher" || u.Role == "administrator" {
			add(industrydata.IssueMissingEmail)
		}
	} else if !plausibleEmail(email) {
		add(industrydata.IssueInvalidEmail)
	}
	c.mine = c.mine[:0]
	unknownOrg := false
	for _, id := range u.OrgSourcedIDs {
		i, ok := c.orgs.byID[id]
		if !ok {
			unknownOrg = true
		} else if !slices.Contains(c.mine, i) { // a user listing an org twice counts once
			c.mine = append(c.mine, i)
			c.orgs.orgs[i].Count++
		}
	}
	if unknownOrg {
		add(industrydata.IssueUnknownOrg)
	}
	if len(u.OrgSourcedIDs) == 0 {
		add(industrydata.IssueNoOrg)
	}
	role := roleIndex(u.Role)
	if role < 0 {
		add(industrydata.IssueUnknownRole)
	}
	if n > 0 {
		e.Issues = slices.Clone(issues[:n])
		c.sum.UsersWithIssues++
	}

	c.sum.TotalUsers++
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
// the order of orgs.csv.
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
	s.UsersByOrg = slices.Clone(c.orgs.orgs)
	if s.UsersByOrg == nil {
		s.UsersByOrg = []industrydata.OrgCount{}
	}
	return s
}

// usernameKey returns the hash that decides duplicateUsername: of the
// username trimmed and lower-cased (SPEC §10: case-insensitive), and false
// when the username is empty. ASCII names, the common case, are lowered into
// buf without allocating.
func usernameKey(seed maphash.Seed, buf *[]byte, username string) (uint64, bool) {
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
