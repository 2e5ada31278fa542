// Package roster reads the OneRoster v1.1 CSV files of a school roster,
// orgs.csv and users.csv (SPEC §10), one row at a time, in constant memory
// whatever the file's size (but for the duplicate-sourcedId set below), and
// says where each problem is: file, line and column.
//
// encoding/csv does the parsing (RFC 4180 quoting, CRLF or LF line ends,
// the header's field count required of every row). A UTF-8 byte order mark
// is skipped. The header row must name every column OneRoster v1.1 defines
// for the file, as OneRoster requires, in any order, matched ignoring case
// and surrounding spaces; columns it does not define are ignored. On top of
// encoding/csv the readers apply OneRoster's rules and sort what they find
// into two kinds:
//
//   - Errors, returned by Next as a *Problem: the file's structure is wrong,
//     so the row (or the whole file) cannot be read as OneRoster says. These
//     are a missing or empty header row, a missing or repeated column, a row
//     with another number of fields than the header, bad quoting, invalid
//     UTF-8, a file that is not text at all (notText: a zip archive, UTF-16,
//     binary bytes in its first kilobyte), a byte order mark after the
//     start, a field longer than MaxFieldBytes, a row longer than
//     MaxRecordBytes, more rows than the reader's MaxRows, an empty sourcedId
//     and a sourcedId that an earlier row of the same file already has.
//   - Warnings, kept by the reader (Warnings, WarningCount): the row is read,
//     but a value is outside what OneRoster allows and the reader uses a safe
//     default. These are a column OneRoster does not define (ignored), a
//     status other than empty, active or tobedeleted (read as empty), an
//     enabledUser other than true or false (read as false), a
//     dateLastModified that is not ISO 8601 (read as unknown), and an org
//     with an empty name or a type outside OneRoster's list.
//
// After an error about one row, Next goes on with the next row, so that a
// validator can list many; a fatal error (Problem.Fatal) ends the file.
//
// Everything else is data that package report judges (an empty username, an
// unknown role, an orgSourcedId that orgs.csv lacks...): the reader passes it
// on as it is, because a roster with such rows is valid OneRoster.
// Identifiers and enumerated values (sourcedIds, list items, status, role,
// type...) are trimmed of surrounding spaces; free-text fields (names,
// username, email...) are passed on as the file has them.
//
// Duplicate sourcedIds are found with a set of 64-bit hashes of the
// sourcedIds seen so far (hash/maphash, with a random seed per reader, in a
// HashSet sized from the file's size when known): about 12 bytes a row, 11
// MB for a million users, rather than the ids themselves. Two different ids
// sharing a hash would be reported as a duplicate; for a million rows the
// odds of that are about 3 in 100 million. The reader reads 64 rows ahead so
// that their ids go into the set in one tight loop, several times faster
// than one at a time between rows at that size.
package roster

import (
	"errors"
	"fmt"
	"io"
)

// Limits on what a reader accepts, so that memory stays bounded whatever
// the input.
const (
	// MaxFieldBytes is the longest field a row may hold.
	MaxFieldBytes = 64 << 10
	// MaxRecordBytes is the longest row (all its fields, quotes and commas
	// included, give or take the size of the read buffer).
	MaxRecordBytes = 1 << 20
	// DefaultMaxUsers is the default limit on the rows of users.csv.
	DefaultMaxUsers = 5_000_000
	// DefaultMaxOrgs is the default limit on the rows of orgs.csv.
	DefaultMaxOrgs = 200_000
	// DefaultMaxWarnings is how many warnings a reader keeps by default;
	// it counts the others.
	DefaultMaxWarnings = 100
)

// Problem codes. An error's code is one of the first group; a warning's one
// of the second.
const (
	CodeMissingHeader    = "missingHeader"      // the file has no header row
	CodeBadHeader        = "badHeader"          // the header row cannot be parsed
	CodeMissingColumn    = "missingColumn"      // the header lacks OneRoster columns
	CodeDuplicateColumn  = "duplicateColumn"    // the header names a column twice
	CodeFieldCount       = "wrongFieldCount"    // a row's field count differs from the header's
	CodeBadQuote         = "badQuote"           // a quote where RFC 4180 allows none
	CodeInvalidUTF8      = "invalidUtf8"        // a field is not valid UTF-8
	CodeFieldTooLong     = "fieldTooLong"       // a field is longer than MaxFieldBytes
	CodeRecordTooLong    = "recordTooLong"      // a row is longer than MaxRecordBytes
	CodeTooManyRows      = "tooManyRows"        // more rows than the reader's MaxRows
	CodeMissingSourcedID = "missingSourcedId"   // sourcedId is empty
	CodeDuplicateID      = "duplicateSourcedId" // an earlier row has the same sourcedId
	CodeNotText          = "notText"            // the file is binary (an archive, UTF-16...), not CSV text
	CodeMisplacedBOM     = "misplacedBom"       // a byte order mark inside the file, not at its start

	CodeUnknownColumn      = "unknownColumn"           // a column OneRoster does not define
	CodeInvalidStatus      = "invalidStatus"           // status is not empty, active or tobedeleted
	CodeInvalidEnabledUser = "invalidEnabledUser"      // enabledUser is not true or false
	CodeInvalidDate        = "invalidDateLastModified" // dateLastModified is not ISO 8601
	CodeInvalidOrgType     = "invalidOrgType"          // an org's type is not one of OrgTypes
	CodeMissingOrgName     = "missingOrgName"          // an org's name is empty
)

// fatalCodes are the errors after which a reader cannot go on.
var fatalCodes = map[string]bool{
	CodeMissingHeader: true, CodeBadHeader: true, CodeMissingColumn: true,
	CodeDuplicateColumn: true, CodeRecordTooLong: true, CodeTooManyRows: true,
	CodeNotText: true,
}

// Problem is an error or a warning about one place in a roster file.
type Problem struct {
	// File is the file's name, such as users.csv.
	File string
	// Line is the 1-based line of the file where the problem is; a row
	// spanning several lines (a quoted field with line breaks) is reported
	// at the line where the field at fault starts.
	Line int
	// Column is the 1-based position of the field at fault in its row (the
	// CSV column, not a byte offset), or 0 when the problem is about the
	// whole row or the whole header.
	Column int
	// Code says what is wrong: one of the Code constants.
	Code string
	// Message says it in words, naming the column. It never quotes the
	// field's value unless the value is an identifier (a sourcedId or a
	// header name): rows hold personal data.
	Message string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Column, p.Code, p.Message)
}

// Fatal reports whether the problem ends the file: after a fatal problem a
// reader's Next returns it again on every call. After any other problem,
// Next goes on with the following row.
func (p *Problem) Fatal() bool { return fatalCodes[p.Code] }

// IsFatal reports whether err ends a reader's stream: a fatal *Problem or
// any error that is not a *Problem (such as a failure to read the input).
// io.EOF is not fatal: it is the normal end.
func IsFatal(err error) bool {
	var p *Problem
	if errors.As(err, &p) {
		return p.Fatal()
	}
	return err != nil && !errors.Is(err, io.EOF)
}

// Status is the status column of a OneRoster row.
type Status string

// The values of Status. An empty status means the row is current.
const (
	StatusNone        Status = ""
	StatusActive      Status = "active"
	StatusToBeDeleted Status = "tobedeleted"
)

// Options tune a reader; the zero value gives the defaults.
type Options struct {
	// File is the name problems give; the default is orgs.csv or users.csv.
	File string
	// MaxRows is the largest number of rows (not counting the header) the
	// reader accepts; 0 means DefaultMaxOrgs or DefaultMaxUsers.
	MaxRows int
	// MaxWarnings is how many warnings the reader keeps; 0 means
	// DefaultMaxWarnings, a negative value keeps none. All are counted.
	MaxWarnings int
	// Checked says that these very bytes have been read through before
	// without an error, as in the second pass of a report: the reader then
	// skips the checks that cannot fail again (UTF-8, field length, empty
	// and duplicate sourcedIds) and the memory of the sourcedId set.
	// encoding/csv's own checks, the limits and the warnings remain.
	Checked bool
	// Warn, when set, receives every warning instead of the reader keeping
	// it (Warnings is then empty; WarningCount still counts them), so that
	// a validator can keep its own number of each kind.
	Warn func(Problem)
}
