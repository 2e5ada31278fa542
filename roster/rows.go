package roster

import (
	"fmt"
	"hash/maphash"
	"io"
	"strings"
)

// The files of the OneRoster v1.1 CSV binding that a roster may hold. Files
// lists them in the order a validator reads them: each after the files its
// rows refer to.
const (
	FileManifest         = "manifest.csv"
	FileOrgs             = "orgs.csv"
	FileAcademicSessions = "academicSessions.csv"
	FileCourses          = "courses.csv"
	FileClasses          = "classes.csv"
	FileUsers            = "users.csv"
	FileEnrollments      = "enrollments.csv"
	FileDemographics     = "demographics.csv"
)

// Files lists the files of the binding, each after those it refers to.
var Files = []string{
	FileManifest, FileOrgs, FileAcademicSessions, FileCourses, FileClasses,
	FileUsers, FileEnrollments, FileDemographics,
}

// columns are the columns of each file, in OneRoster v1.1's order. The
// binding requires every one of them in the header, even when its values
// are optional; all but manifest.csv start with the sourcedId, unique in
// the file, then status and dateLastModified.
var columns = map[string][]string{
	FileManifest: {"propertyName", "value"},
	FileOrgs:     orgColumns,
	FileUsers:    userColumns,
	FileAcademicSessions: {"sourcedId", "status", "dateLastModified", "title", "type",
		"startDate", "endDate", "parentSourcedId", "schoolYear"},
	FileCourses: {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
		"courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
	FileClasses: {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
		"classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
		"subjectCodes", "periods"},
	FileEnrollments: {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
		"userSourcedId", "role", "primary", "beginDate", "endDate"},
	FileDemographics: {"sourcedId", "status", "dateLastModified", "birthDate", "sex",
		"americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
		"nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
		"hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
		"cityOfBirth", "publicSchoolResidenceStatus"},
}

// defaultMaxRows bounds each file's rows, and so the memory of its
// sourcedId set (12 bytes a row; 240 MB at the enrollments' limit).
var defaultMaxRows = map[string]int{
	FileManifest: 1000, FileOrgs: DefaultMaxOrgs, FileUsers: DefaultMaxUsers,
	FileAcademicSessions: 100_000, FileCourses: 1_000_000, FileClasses: 5_000_000,
	FileEnrollments: 20_000_000, FileDemographics: DefaultMaxUsers,
}

// Columns returns the OneRoster v1.1 columns of file, one of Files, in
// OneRoster's order, or nil for another name. The slice is the caller's.
func Columns(file string) []string {
	if c, ok := columns[file]; ok {
		return append([]string(nil), c...)
	}
	return nil
}

// IDSet is the set of the sourcedIds a reader has read, as 64-bit hashes
// (see the package doc): what another file's references are checked
// against. A nil *IDSet is empty.
type IDSet struct {
	set  *HashSet
	seed maphash.Seed
}

// Has reports whether id, trimmed, is the sourcedId of a row read so far.
// A row with an error about its structure or its sourcedId is not counted.
func (s *IDSet) Has(id string) bool {
	if s == nil {
		return false
	}
	return s.set.Has(maphash.String(s.seed, strings.TrimSpace(id)))
}

// Len returns the number of sourcedIds in the set.
func (s *IDSet) Len() int {
	if s == nil {
		return 0
	}
	return s.set.Len()
}

// sourcedIDs returns the table's sourcedId set, or nil when it keeps none
// (Options.Checked, or a file without sourcedIds).
func (t *table) sourcedIDs() *IDSet {
	if t.ids == nil {
		return nil
	}
	return &IDSet{set: t.ids, seed: t.seed}
}

// RowReader reads any file of the binding one row at a time, with the
// checks of the package doc: the structure of the file and of each row,
// sourcedIds (but in manifest.csv, which has none), status and
// dateLastModified. The meaning of the other fields is the caller's.
type RowReader struct {
	t      *table
	fields []string
}

// NewRowReader returns a reader of the file (one of Files) that r reads.
// It panics for another name: the caller chooses the file.
func NewRowReader(r io.Reader, file string, opts Options) *RowReader {
	cols, ok := columns[file]
	if !ok {
		panic(fmt.Sprintf("roster: %q is not a file of the OneRoster v1.1 CSV binding", file))
	}
	return &RowReader{t: newTable(r, opts, file, cols, defaultMaxRows[file]), fields: make([]string, len(cols))}
}

// Next returns the fields of the next row in the order of Columns(file),
// or an error as OrgReader.Next does. The slice is reused by the next call;
// its strings may be kept. Identifiers and enumerated values are not
// trimmed: the caller trims what it compares.
func (r *RowReader) Next() ([]string, error) {
	rec, err := r.t.next()
	if err != nil {
		return nil, err
	}
	for k, at := range r.t.idx {
		r.fields[k] = rec[at]
	}
	if r.t.keyed {
		parseStatus(r.t, 1, rec[r.t.idx[1]])
		parseDate(r.t, 2, rec[r.t.idx[2]])
	}
	return r.fields, nil
}

// Pos returns the line and the 1-based column in the file of field k (an
// index in Columns(file)) of the row last returned by Next.
func (r *RowReader) Pos(k int) (line, col int) { return r.t.fieldPos(k) }

// Line returns the line where the row last returned by Next starts.
func (r *RowReader) Line() int { return r.t.line }

// Rows returns the number of rows taken from the input so far, as
// UserReader.Rows does.
func (r *RowReader) Rows() int { return r.t.rows }

// SourcedIDs returns the set of the sourcedIds read so far; nil for
// manifest.csv or with Options.Checked. It stays valid after the reader is
// dropped.
func (r *RowReader) SourcedIDs() *IDSet { return r.t.sourcedIDs() }

// WarningCount returns the number of warnings so far, kept or not.
func (r *RowReader) WarningCount() int { return r.t.nwarn }

// Warnings returns the warnings kept so far, in file order.
func (r *RowReader) Warnings() []Problem { return r.t.warns }

// columnIndex returns the index in cols of name, or panics: callers name
// the columns of their own file.
func columnIndex(cols []string, name string) int {
	for k, c := range cols {
		if c == name {
			return k
		}
	}
	panic("roster: no column " + name)
}

// Pos returns the line and the 1-based column in users.csv of the column
// named name (as OneRoster spells it) in the user last returned by Next.
func (r *UserReader) Pos(name string) (line, col int) {
	return r.t.fieldPos(columnIndex(userColumns, name))
}

// SourcedIDs returns the set of the sourcedIds read so far (nil with
// Options.Checked).
func (r *UserReader) SourcedIDs() *IDSet { return r.t.sourcedIDs() }

// Pos returns the line and the 1-based column in orgs.csv of the column
// named name in the org last returned by Next.
func (r *OrgReader) Pos(name string) (line, col int) {
	return r.t.fieldPos(columnIndex(orgColumns, name))
}

// SourcedIDs returns the set of the sourcedIds read so far (nil with
// Options.Checked).
func (r *OrgReader) SourcedIDs() *IDSet { return r.t.sourcedIDs() }

// Rows returns the number of rows taken from the input so far, as
// UserReader.Rows does.
func (r *OrgReader) Rows() int { return r.t.rows }
