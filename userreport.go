package industrydata

import "time"

// UserReportIssue is the code of one thing a user report finds wrong with a
// user of the roster (SPEC §10).
type UserReportIssue string

// The values of UserReportIssue, in the fixed order in which an entry lists
// them (SPEC §10).
const (
	// IssueMissingUsername: the username is empty.
	IssueMissingUsername UserReportIssue = "missingUsername"
	// IssueDuplicateUsername: another user has the same username, compared
	// case-insensitively.
	IssueDuplicateUsername UserReportIssue = "duplicateUsername"
	// IssueMissingEmail: a teacher or an administrator has no email.
	IssueMissingEmail UserReportIssue = "missingEmail"
	// IssueInvalidEmail: the email is not a plain email address.
	IssueInvalidEmail UserReportIssue = "invalidEmail"
	// IssueUnknownOrg: an orgSourcedId is not the sourcedId of an org of
	// orgs.csv.
	IssueUnknownOrg UserReportIssue = "unknownOrg"
	// IssueNoOrg: orgSourcedIds is empty.
	IssueNoOrg UserReportIssue = "noOrg"
	// IssueUnknownRole: role is not one of the OneRoster v1.1 roles.
	IssueUnknownRole UserReportIssue = "unknownRole"
)

// UserReportIssues lists every issue code in the order entries list them.
var UserReportIssues = []string{
	string(IssueMissingUsername), string(IssueDuplicateUsername), string(IssueMissingEmail),
	string(IssueInvalidEmail), string(IssueUnknownOrg), string(IssueNoOrg), string(IssueUnknownRole),
}

// UserReportSummary is the summary of a user report (SPEC §10).
type UserReportSummary struct {
	TotalUsers int
	// ActiveUsers counts the users whose enabledUser is true and whose
	// status is not tobedeleted; InactiveUsers counts the others.
	ActiveUsers     int
	InactiveUsers   int
	UsersWithIssues int
	// UsersByRole has one entry per role value seen, sorted by role.
	UsersByRole []RoleCount
	// UsersByOrg has one entry per org of orgs.csv, in the file's order,
	// zero counts included.
	UsersByOrg []OrgCount
}

// RoleCount is the number of users with one role: the shape of Graph's
// microsoft.graph.industryData.industryDataRunRoleCountMetric.
type RoleCount struct {
	Role  string
	Count int
}

// OrgCount is the number of users who belong to one org.
type OrgCount struct {
	OrgSourcedID string
	OrgName      string
	Count        int
}

// UserReportEntry is one user of a user report: what the roster says about
// the user and what is wrong with it.
type UserReportEntry struct {
	SourcedID     string
	Username      string
	Role          string
	OrgSourcedIDs []string
	IsActive      bool
	// Issues lists the user's issues in the order of UserReportIssues; nil
	// when there are none.
	Issues []UserReportIssue
	// FlowID is the inbound flow whose current data lists the user (SPEC
	// §12).
	FlowID string
	// Seq is the entry's position in the report, from 1: the flows in
	// their creation order, each in users.csv order. It is the order of
	// the entries and the key of keyset paging.
	Seq int64
}

// UserReport is the user report a run of a userReportRefreshProcess stores
// (SPEC §10): its id is the run's, and its entries are kept beside it.
type UserReport struct {
	// ID is the id of the run that produced the report.
	ID              string
	ProcessID       string
	CreatedDateTime time.Time
	Summary         UserReportSummary
	// ETag is the stored version, served as the ETag header. A report does
	// not change once stored.
	ETag string
}

// UserReportLocation is where the report of run runID of process processID
// is served, as a path from the service's root (SPEC §10): what a finished
// run's operation stores as its resourceLocation. The HTTP layer makes it
// absolute for each reader.
func UserReportLocation(processID, runID string) string {
	return "/beta/industryData/processes/" + processID + "/runs/" + runID + "/userReport"
}

// RunLocation is where run runID is served, as a path from the service's
// root: the resourceLocation of a run that built no report.
func RunLocation(runID string) string {
	return "/beta/industryData/runs/" + runID
}
