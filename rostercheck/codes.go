package rostercheck

import (
	"industrydata"
	"industrydata/roster"
)

// The severities of a code.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// The codes of this package's own rules; package roster's codes and the
// user report's issues (industrydata.UserReportIssues) are the others.
const (
	CodeMissingFile       = "missingFile"           // orgs.csv or users.csv absent, or a file that others refer to or manifest.csv announces
	CodeMissingValue      = "missingValue"          // a required identifier, enumerated value or date is empty
	CodeMissingText       = "missingText"           // a required title or name is empty
	CodeInvalidDate       = "invalidDate"           // a date column is not YYYY-MM-DD
	CodeInvalidSchoolYear = "invalidSchoolYear"     // academicSessions' schoolYear is not a year (YYYY)
	CodeInvalidBoolean    = "invalidBoolean"        // a boolean column is not true or false
	CodeInvalidGrade      = "invalidGrade"          // a grades item is not one of Options.GradeLevels
	CodeInvalidSession    = "invalidSessionType"    // academicSessions' type is not gradingPeriod, semester, schoolYear or term
	CodeInvalidClassType  = "invalidClassType"      // classes' classType is not homeroom or scheduled
	CodeInvalidEnrollRole = "invalidEnrollmentRole" // enrollments' role is not administrator, proctor, student or teacher
	CodeInvalidSex        = "invalidSex"            // demographics' sex is not male or female
	CodeInvalidManifest   = "invalidManifestValue"  // a manifest.csv value outside its vocabulary
	CodeDuplicateProperty = "duplicateProperty"     // manifest.csv names a property twice
	CodeUnknownReference  = "unknownReference"      // a reference to a sourcedId that the file referred to lacks
	CodeManifestMismatch  = "manifestMismatch"      // manifest.csv says absent of a file that is present
)

// CodeInfo describes one code.
type CodeInfo struct {
	Code     string
	Severity string
	Meaning  string
}

// Codes lists every code Validate reports, errors first.
var Codes = []CodeInfo{
	{roster.CodeNotText, SeverityError, "the file is not CSV text: a zip or gzip archive, UTF-16, or control bytes in its first kilobyte (one error at line 1, the file is not read further)"},
	{roster.CodeMissingHeader, SeverityError, "the file is empty"},
	{roster.CodeBadHeader, SeverityError, "the header row cannot be read (quoting, invalid UTF-8)"},
	{roster.CodeMissingColumn, SeverityError, "the header lacks columns of the file (OneRoster requires every column, even optional ones)"},
	{roster.CodeDuplicateColumn, SeverityError, "the header names a column twice"},
	{roster.CodeFieldCount, SeverityError, "a ragged row: another number of fields than the header"},
	{roster.CodeBadQuote, SeverityError, "a quote where RFC 4180 allows none, or an unclosed quoted field"},
	{roster.CodeInvalidUTF8, SeverityError, "a field is not valid UTF-8"},
	{roster.CodeMisplacedBOM, SeverityError, "a byte order mark after the start of the file (one at the start is allowed)"},
	{roster.CodeFieldTooLong, SeverityError, "a field longer than 64 KiB"},
	{roster.CodeRecordTooLong, SeverityError, "a row longer than 1 MiB (the file is not read further)"},
	{roster.CodeTooManyRows, SeverityError, "more rows than the file's limit (the file is not read further)"},
	{roster.CodeMissingSourcedID, SeverityError, "sourcedId is empty"},
	{roster.CodeDuplicateID, SeverityError, "an earlier row of the file has the same sourcedId"},
	{roster.CodeInvalidStatus, SeverityError, "status is not empty, active or tobedeleted"},
	{roster.CodeInvalidDate, SeverityError, "dateLastModified is not an ISO 8601 date or date-time"},
	{roster.CodeInvalidEnabledUser, SeverityError, "users.csv's enabledUser is not true or false"},
	{roster.CodeInvalidOrgType, SeverityError, "orgs.csv's type is not a RefOrgType code"},
	{CodeInvalidDate, SeverityError, "a date column (startDate, endDate, beginDate, birthDate) is not YYYY-MM-DD"},
	{CodeInvalidSchoolYear, SeverityError, "academicSessions.csv's schoolYear is not a year YYYY"},
	{CodeInvalidBoolean, SeverityError, "a boolean column (enrollments' primary, demographics' race columns) is not true or false"},
	{CodeInvalidGrade, SeverityError, "an item of a grades column is not a RefGradeLevel code"},
	{CodeInvalidSession, SeverityError, "academicSessions.csv's type is not gradingPeriod, semester, schoolYear or term"},
	{CodeInvalidClassType, SeverityError, "classes.csv's classType is not homeroom or scheduled"},
	{CodeInvalidEnrollRole, SeverityError, "enrollments.csv's role is not administrator, proctor, student or teacher"},
	{CodeInvalidSex, SeverityError, "demographics.csv's sex is not male or female"},
	{CodeMissingValue, SeverityError, "a required identifier, reference or date is empty"},
	{CodeMissingFile, SeverityError, "orgs.csv or users.csv is absent, or a file that rows refer to or manifest.csv announces (bulk, delta) is absent"},
	{CodeInvalidManifest, SeverityError, "manifest.csv: a file.* value other than bulk, delta or absent, or oneroster.version other than 1.1"},
	{CodeDuplicateProperty, SeverityError, "manifest.csv names a property twice"},

	{string(industrydata.IssueMissingUsername), SeverityWarning, "the user report's: username is empty"},
	{string(industrydata.IssueDuplicateUsername), SeverityWarning, "the user report's: another user has the same username (ignoring case); every one of them is flagged"},
	{string(industrydata.IssueMissingEmail), SeverityWarning, "the user report's: a teacher or administrator without email"},
	{string(industrydata.IssueInvalidEmail), SeverityWarning, "the user report's: email is not a plain address"},
	{string(industrydata.IssueUnknownOrg), SeverityWarning, "the user report's: an orgSourcedId that orgs.csv lacks"},
	{string(industrydata.IssueNoOrg), SeverityWarning, "the user report's: orgSourcedIds is empty"},
	{string(industrydata.IssueUnknownRole), SeverityWarning, "the user report's: role is not a RefRole code"},
	{CodeUnknownReference, SeverityWarning, "a reference to a sourcedId that the referred file lacks (classes to courses, orgs, academicSessions; courses to orgs, academicSessions; enrollments to classes, orgs, users; demographics to users)"},
	{CodeMissingText, SeverityWarning, "a required title or name (givenName, familyName, title) is empty"},
	{roster.CodeMissingOrgName, SeverityWarning, "orgs.csv's name is empty"},
	{roster.CodeUnknownColumn, SeverityWarning, "a column OneRoster does not define for the file; it is ignored"},
	{CodeManifestMismatch, SeverityWarning, "manifest.csv says absent of a file that is present; it is checked anyway"},
}

var severities = func() map[string]string {
	m := make(map[string]string, len(Codes))
	for _, c := range Codes {
		m[c.Code] = c.Severity
	}
	return m
}()

// Severity returns SeverityError or SeverityWarning for a code of Codes;
// an unknown code is an error.
func Severity(code string) string {
	if s, ok := severities[code]; ok {
		return s
	}
	return SeverityError
}
