package roster

import (
	"io"
	"strings"
	"time"
)

// userColumns are the columns of users.csv, in OneRoster v1.1's order.
var userColumns = []string{
	"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
	"username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
	"sms", "phone", "agentSourcedIds", "grades", "password",
}

const (
	userSourcedID = iota
	userStatus
	userDateLastModified
	userEnabledUser
	userOrgSourcedIDs
	userRole
	userUsername
	userUserIDs
	userGivenName
	userFamilyName
	userMiddleName
	userIdentifier
	userEmail
	userSMS
	userPhone
	userAgentSourcedIDs
	userGrades
	userPassword
)

// Roles lists the roles of OneRoster v1.1.
var Roles = []string{"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}

// User is one row of users.csv. Its slices are reused by the next call to
// Next: copy them to keep them. Its strings may be kept.
//
// The password column must be present, as OneRoster requires, but its value
// is never read: nothing here needs it, and a value never held cannot leak.
type User struct {
	// Line is the line of the file where the row starts.
	Line      int
	SourcedID string // trimmed of surrounding spaces; never empty
	Status    Status
	// DateLastModified is the zero time when the field is empty or invalid.
	DateLastModified time.Time
	// EnabledUser is false when the field is not true (a warning says when
	// it is neither true nor false).
	EnabledUser bool
	// OrgSourcedIDs, UserIDs, AgentSourcedIDs and Grades are the
	// comma-separated lists of their fields, each item trimmed of
	// surrounding spaces, empty items dropped.
	OrgSourcedIDs []string
	// Role is one of Roles when the field is one of them ignoring case;
	// otherwise the field as it is, trimmed. The reader accepts any role:
	// package report flags the unknown ones.
	Role            string
	Username        string
	UserIDs         []string
	GivenName       string
	FamilyName      string
	MiddleName      string
	Identifier      string
	Email           string
	SMS             string
	Phone           string
	AgentSourcedIDs []string
	Grades          []string
}

// UserReader reads users.csv one row at a time, in constant memory but for
// the duplicate-sourcedId set (see the package doc).
type UserReader struct {
	t                           *table
	orgs, userIDs, agents, grad []string
}

// NewUserReader returns a reader of the users.csv file that r reads.
func NewUserReader(r io.Reader, opts Options) *UserReader {
	return &UserReader{t: newTable(r, opts, "users.csv", userColumns, DefaultMaxUsers)}
}

// Next returns the next user, or io.EOF after the last one. A *Problem about
// one row leaves the reader usable: the next call goes on with the next row.
// After a fatal *Problem (see Problem.Fatal) or a failure to read the input,
// Next returns that same error on every call.
func (r *UserReader) Next() (User, error) {
	rec, err := r.t.next()
	if err != nil {
		return User{}, err
	}
	c := r.t.idx
	r.orgs = splitList(r.orgs, rec[c[userOrgSourcedIDs]])
	r.userIDs = splitList(r.userIDs, rec[c[userUserIDs]])
	r.agents = splitList(r.agents, rec[c[userAgentSourcedIDs]])
	r.grad = splitList(r.grad, rec[c[userGrades]])
	role, _ := oneOf(strings.TrimSpace(rec[c[userRole]]), Roles)
	return User{
		Line:             r.t.line,
		SourcedID:        strings.TrimSpace(rec[c[userSourcedID]]),
		Status:           parseStatus(r.t, userStatus, rec[c[userStatus]]),
		DateLastModified: parseDate(r.t, userDateLastModified, rec[c[userDateLastModified]]),
		EnabledUser:      r.parseEnabled(rec[c[userEnabledUser]]),
		OrgSourcedIDs:    r.orgs,
		Role:             role,
		Username:         rec[c[userUsername]],
		UserIDs:          r.userIDs,
		GivenName:        rec[c[userGivenName]],
		FamilyName:       rec[c[userFamilyName]],
		MiddleName:       rec[c[userMiddleName]],
		Identifier:       rec[c[userIdentifier]],
		Email:            rec[c[userEmail]],
		SMS:              rec[c[userSMS]],
		Phone:            rec[c[userPhone]],
		AgentSourcedIDs:  r.agents,
		Grades:           r.grad,
	}, nil
}

// NextUsername is Next for a first pass that needs to know only that the
// file reads without error, and each user's username: it makes the checks
// of Next that find errors and returns the same errors, but skips those
// that only warn, and builds no User.
func (r *UserReader) NextUsername() (string, error) {
	rec, err := r.t.next()
	if err != nil {
		return "", err
	}
	return rec[r.t.idx[userUsername]], nil
}

// Warnings returns the warnings kept so far, in file order.
func (r *UserReader) Warnings() []Problem { return r.t.warns }

// WarningCount returns the number of warnings so far, kept or not.
func (r *UserReader) WarningCount() int { return r.t.nwarn }

// EstimatedRows returns a guess of the number of rows of the file, for
// sizing what a caller keeps per row: from the input's size, when the
// io.Reader given to NewUserReader can tell it (an *os.File, a
// *bytes.Reader...), and, once Next has been called, the length of the first
// rows. It is 0 when the size is unknown.
func (r *UserReader) EstimatedRows() int { return r.t.estimate }

// Rows returns the number of rows taken from the input so far, good or not,
// header excluded. The reader reads up to 64 rows ahead of Next: after
// io.EOF, Rows is the number of rows of the file.
func (r *UserReader) Rows() int { return r.t.rows }

// ReadUsers calls fn with each user of the users.csv file that r reads, and
// stops at the first error: a *Problem, a failure to read, or fn's error.
// The User's slices are valid only during the call.
func ReadUsers(r io.Reader, fn func(User) error) error {
	ur := NewUserReader(r, Options{})
	for {
		u, err := ur.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
}

func (r *UserReader) parseEnabled(s string) bool {
	switch s { // the usual cases, fast
	case "true":
		return true
	case "false":
		return false
	}
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	}
	r.t.fieldWarn(userEnabledUser, CodeInvalidEnabledUser, "enabledUser is neither true nor false; read as false")
	return false
}

// splitList splits a comma-separated list field into dst, reusing its
// memory: items trimmed, empty items dropped.
func splitList(dst []string, s string) []string {
	dst = dst[:0]
	if s == "" {
		return dst
	}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			dst = append(dst, item)
		}
	}
	return dst
}
