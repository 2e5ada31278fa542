package rostercheck

import (
	"context"
	"io"
	"strings"
	"time"

	"industrydata"
	"industrydata/roster"
)

// kind is what a column holds, for the checks of checkRows.
type kind int

const (
	text    kind = iota // free text: only required-ness (missingText)
	ref                 // the sourcedId of a row of another file
	refList             // a comma-separated list of such sourcedIds
	enum                // one of a vocabulary
	date                // YYYY-MM-DD
	year                // YYYY
	boolean             // true or false
	grades              // a comma-separated list of grade levels
)

// rule checks one column of a file.
type rule struct {
	column   string
	kind     kind
	required bool
	target   string   // the file a ref or refList refers to
	values   []string // of an enum
	code     string   // an enum's code for values outside values
}

// rules are the checks of the files that checkRows reads. A required
// column's empty value is missingValue (missingText for text), an error
// like the malformed values; a reference is judged when the field is not
// empty.
var rules = map[string][]rule{
	roster.FileAcademicSessions: {
		{column: "title", kind: text, required: true},
		{column: "type", kind: enum, required: true, code: CodeInvalidSession,
			values: []string{"gradingPeriod", "semester", "schoolYear", "term"}},
		{column: "startDate", kind: date, required: true},
		{column: "endDate", kind: date, required: true},
		{column: "schoolYear", kind: year, required: true},
	},
	roster.FileCourses: {
		{column: "schoolYearSourcedId", kind: ref, target: roster.FileAcademicSessions},
		{column: "title", kind: text, required: true},
		{column: "grades", kind: grades},
		{column: "orgSourcedId", kind: ref, required: true, target: roster.FileOrgs},
	},
	roster.FileClasses: {
		{column: "title", kind: text, required: true},
		{column: "grades", kind: grades},
		{column: "courseSourcedId", kind: ref, required: true, target: roster.FileCourses},
		{column: "classType", kind: enum, required: true, code: CodeInvalidClassType,
			values: []string{"homeroom", "scheduled"}},
		{column: "schoolSourcedId", kind: ref, required: true, target: roster.FileOrgs},
		{column: "termSourcedIds", kind: refList, required: true, target: roster.FileAcademicSessions},
	},
	roster.FileEnrollments: {
		{column: "classSourcedId", kind: ref, required: true, target: roster.FileClasses},
		{column: "schoolSourcedId", kind: ref, required: true, target: roster.FileOrgs},
		{column: "userSourcedId", kind: ref, required: true, target: roster.FileUsers},
		{column: "role", kind: enum, required: true, code: CodeInvalidEnrollRole,
			values: []string{"administrator", "proctor", "student", "teacher"}},
		{column: "primary", kind: boolean},
		{column: "beginDate", kind: date},
		{column: "endDate", kind: date},
	},
	roster.FileDemographics: {
		{column: "sourcedId", kind: ref, target: roster.FileUsers}, // a user's demographics
		{column: "birthDate", kind: date},
		{column: "sex", kind: enum, code: CodeInvalidSex, values: []string{"male", "female"}},
		{column: "americanIndianOrAlaskaNative", kind: boolean},
		{column: "asian", kind: boolean},
		{column: "blackOrAfricanAmerican", kind: boolean},
		{column: "nativeHawaiianOrOtherPacificIslander", kind: boolean},
		{column: "white", kind: boolean},
		{column: "demographicRaceTwoOrMoreRaces", kind: boolean},
		{column: "hispanicOrLatinoEthnicity", kind: boolean},
	},
}

// bound is a rule bound to its column's index and, for enums, their set.
type bound struct {
	rule
	k    int
	set  set
	refs *roster.IDSet
}

// checkRows checks a file of the binding other than orgs.csv, users.csv and
// manifest.csv, and keeps its sourcedIds for the files that refer to it.
func (v *validator) checkRows(ctx context.Context, name string, r io.Reader, ropts roster.Options) error {
	cols := roster.Columns(name)
	var bs []bound
	for _, ru := range rules[name] {
		b := bound{rule: ru, k: -1}
		for k, c := range cols {
			if c == ru.column {
				b.k = k
			}
		}
		if ru.kind == enum {
			b.set = newSet(ru.values)
		}
		if ru.target != "" {
			b.refs = v.ids[ru.target]
		}
		bs = append(bs, b)
	}
	rr := roster.NewRowReader(r, name, ropts)
	defer func() { v.rows = rr.Rows() }()
	err := eachRow(ctx, v, name, rr.Next, func(_ int, f []string) {
		if !toBeDeleted(f[1]) { // every file but manifest.csv has status second
			v.active++
		}
		for i := range bs {
			v.checkField(name, rr, &bs[i], f[bs[i].k])
		}
	})
	if err != nil {
		return err
	}
	v.ids[name] = rr.SourcedIDs()
	return nil
}

// checkField checks one field s of the row last read by rr against b.
func (v *validator) checkField(name string, rr *roster.RowReader, b *bound, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		if b.required {
			line, col := rr.Pos(b.k)
			if b.kind == text {
				v.problem(CodeMissingText, name, line, col, "%s is empty; OneRoster requires it", b.column)
			} else {
				v.problem(CodeMissingValue, name, line, col, "%s is empty; OneRoster requires it", b.column)
			}
		}
		return
	}
	switch b.kind {
	case ref:
		v.checkRef(name, rr, b, s)
	case refList:
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" && !v.checkRef(name, rr, b, item) {
				break // one problem a field
			}
		}
	case enum:
		if !b.set.has(s) {
			line, col := rr.Pos(b.k)
			v.problem(b.code, name, line, col, "%s %q is not one of %s", b.column, short(s), strings.Join(b.values, ", "))
		}
	case date:
		if !isDate(s) {
			line, col := rr.Pos(b.k)
			v.problem(CodeInvalidDate, name, line, col, "%s is not a date YYYY-MM-DD", b.column)
		}
	case year:
		if len(s) != 4 || strings.Trim(s, "0123456789") != "" {
			line, col := rr.Pos(b.k)
			v.problem(CodeInvalidSchoolYear, name, line, col, "%s is not a year YYYY", b.column)
		}
	case boolean:
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			line, col := rr.Pos(b.k)
			v.problem(CodeInvalidBoolean, name, line, col, "%s is neither true nor false", b.column)
		}
	case grades:
		if g, ok := v.checkGrades(s); !ok {
			line, col := rr.Pos(b.k)
			v.problem(CodeInvalidGrade, name, line, col, "grade %q is not a grade level (RefGradeLevel)", short(g))
		}
	}
}

// checkRef checks a reference id of the row last read by rr; false when
// it found a problem.
func (v *validator) checkRef(name string, rr *roster.RowReader, b *bound, id string) bool {
	if !v.present[b.target] {
		if key := [2]string{name, b.target}; !v.missing[key] {
			v.missing[key] = true
			line, col := rr.Pos(b.k)
			v.problem(CodeMissingFile, name, line, col, "%s refers to %s, which the roster lacks", b.column, b.target)
		}
		return false
	}
	if v.broken[b.target] || b.refs.Has(id) {
		return true // a broken file's set is partial: its own error says enough
	}
	line, col := rr.Pos(b.k)
	v.problem(CodeUnknownReference, name, line, col, "%s %q is not the sourcedId of a row of %s", b.column, short(id), b.target)
	return false
}

// checkGrades checks a grades field; it returns the first item that is not
// a grade level.
func (v *validator) checkGrades(s string) (string, bool) {
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" && !v.grades.has(item) {
			return item, false
		}
	}
	return "", true
}

// toBeDeleted reports whether a status field says tobedeleted, read as
// package roster reads the status of users and orgs (roster.User.Status):
// ignoring case and surrounding spaces, any other value, valid or not,
// meaning a current record. RowReader checks the field but does not
// return what it read.
func toBeDeleted(status string) bool {
	if status == "" || status == string(roster.StatusActive) { // the usual cases, fast
		return false
	}
	return strings.EqualFold(strings.TrimSpace(status), string(roster.StatusToBeDeleted))
}

// isDate reports whether s is a calendar date YYYY-MM-DD, exactly as
// time.Parse(time.DateOnly, s) accepts it. Checked by hand because it runs
// for every date field of a roster, and the layout-driven parse was a tenth
// of a validation's CPU.
func isDate(s string) bool {
	if len(s) != len(time.DateOnly) || s[4] != '-' || s[7] != '-' {
		return false
	}
	year, ok1 := decimal(s[0:4])
	month, ok2 := decimal(s[5:7])
	day, ok3 := decimal(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 {
		return false
	}
	// The day after the month's last is the first of the next month.
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// decimal reads s, ASCII digits only.
func decimal(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// short cuts an identifier quoted in a message to a readable length.
func short(s string) string { return industrydata.Shorten(s, 64) }
