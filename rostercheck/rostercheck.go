// Package rostercheck validates a school roster against the OneRoster v1.1
// CSV binding (SPEC §11, "Validation"): the eight files of the binding, each
// rule with a stable code, each problem at its file, line and column, the
// first MaxPerCode of each code kept and all of them counted. The service's
// validation and `industrydata roster validate` run the same Validate. The
// Result also counts each file's active and inactive records
// (FileSummary), the figures an inbound flow's import reports
// (Result.InboundCounts).
//
// It does no I/O but through the open function it is given, and its memory
// is bounded whatever the input: package roster reads each file a row at a
// time under its limits (row and field lengths, rows per file), sourcedIds
// are kept as sets of 64-bit hashes (about 12 bytes a row) for the checks
// of references between files, and usernames as 16 bytes a user for
// duplicateUsername.
//
// Severity follows the contract. Errors make the files unusable: their
// structure (package roster's errors: header, columns, quoting, ragged rows,
// encoding, lengths), duplicate sourcedIds, malformed booleans and dates,
// values outside the enumerations the user report does not judge, empty
// required identifiers, and files that are missing. Warnings leave the
// roster usable: everything the user report flags, with the report's own
// codes and judged by the report's own function (report.UserIssues), so
// that the two never disagree; references to rows another file lacks;
// empty required names and titles; columns OneRoster does not define.
//
// package roster reads status, enabledUser, dateLastModified and an org's
// type leniently, as warnings with a safe default, because a report can be
// built in spite of them; validation is stricter, as the contract says, and
// counts those codes as errors (see Severity). An org's type is judged here
// rather than by the reader, against Options.OrgTypes, which a tenant's
// reference definitions may extend.
package rostercheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"industrydata"
	"industrydata/roster"
)

// DefaultMaxPerCode is how many problems of each code a Result keeps.
const DefaultMaxPerCode = 1000

// checkEvery is how many rows a check reads between two looks at ctx.
const checkEvery = 1024

// Options tune Validate; the zero value validates against OneRoster's own
// vocabularies.
type Options struct {
	// Roles are the allowed values of users.csv's role (RefRole codes);
	// nil means roster.Roles. Matched ignoring case.
	Roles []string
	// OrgTypes are the allowed values of orgs.csv's type (RefOrgType
	// codes); nil means roster.OrgTypes.
	OrgTypes []string
	// GradeLevels are the allowed items of the grades columns
	// (RefGradeLevel codes); nil means DefaultGradeLevels.
	GradeLevels []string
	// MaxPerCode is how many problems of each code the Result keeps; 0
	// means DefaultMaxPerCode. All are counted.
	MaxPerCode int
	// MaxRows bounds the rows of the files it names (roster.Options.MaxRows);
	// the others keep package roster's limits.
	MaxRows map[string]int
}

// DefaultGradeLevels are OneRoster v1.1's grade levels (CEDS), the system
// codes of RefGradeLevel.
var DefaultGradeLevels = []string{"IT", "PR", "PK", "TK", "KG", "01", "02", "03", "04", "05", "06",
	"07", "08", "09", "10", "11", "12", "13", "PS", "UG", "Other"}

// Problem is one error or warning about a place in a file.
type Problem struct {
	// Code names the rule: see Codes.
	Code string `json:"code"`
	// Message says what is wrong, naming the column; it quotes no personal
	// data (only identifiers such as sourcedIds and header names).
	Message string `json:"message"`
	// File is the file's name, such as users.csv.
	File string `json:"file"`
	// Line is the 1-based line where the problem is, or 0 for the whole
	// file (a missing file).
	Line int `json:"line"`
	// Column is the 1-based CSV column (field position), or 0 for the whole
	// row, header or file.
	Column int `json:"column"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s: %s", p.File, p.Line, p.Column, Severity(p.Code), p.Code, p.Message)
}

// FileSummary says what was read of one file.
type FileSummary struct {
	Name  string `json:"name"`
	Rows  int    `json:"rows"`  // rows after the header, good or not
	Bytes int64  `json:"bytes"` // bytes read: the whole file, unless a fatal error ended it
	// Active counts the rows whose record is active (SPEC §12): a user
	// whose enabledUser is true and whose status is not tobedeleted
	// (report.IsActive, the user report's own judgement), any other record
	// whose status is not tobedeleted. A row with an error is counted by
	// what its fields say, as the report would read them.
	//
	// Inactive counts the other rows, so that Active+Inactive is Rows: rows
	// with errors count in the total too, and a row the reader skipped (a
	// ragged row, a duplicate sourcedId...) is inactive, having no status
	// to read. manifest.csv, whose rows are properties and not records, has
	// neither.
	Active   int `json:"active"`
	Inactive int `json:"inactive"`
}

// Counts returns the file's rows as an import counts them.
func (f FileSummary) Counts() industrydata.EntityCounts {
	return industrydata.EntityCounts{Active: f.Active, Inactive: f.Inactive, Total: f.Rows}
}

// Result is what Validate found.
type Result struct {
	// Errors and Warnings are the problems kept, at most MaxPerCode of each
	// code, in the order of roster.Files, then line and column.
	Errors   []Problem `json:"errors"`
	Warnings []Problem `json:"warnings"`
	// ErrorCount and WarningCount count every problem, kept or not.
	ErrorCount   int `json:"errorCount"`
	WarningCount int `json:"warningCount"`
	// Counts is the number of problems of each code found.
	Counts map[string]int `json:"counts"`
	// Files lists the files present, in the order of roster.Files.
	Files []FileSummary `json:"files"`
}

// Valid reports whether the roster has no error: warnings do not make it
// invalid.
func (r *Result) Valid() bool { return r.ErrorCount == 0 }

// InboundCounts returns what an import of the roster counts (SPEC §12):
// People are the rows of users.csv, Organizations of orgs.csv, Groups of
// classes.csv and Memberships of enrollments.csv, each zero when the file
// is absent; Errors and Warnings count the problems.
func (r *Result) InboundCounts() industrydata.InboundCounts {
	c := industrydata.InboundCounts{Errors: r.ErrorCount, Warnings: r.WarningCount}
	for _, f := range r.Files {
		switch f.Name {
		case roster.FileUsers:
			c.People = f.Counts()
		case roster.FileOrgs:
			c.Organizations = f.Counts()
		case roster.FileClasses:
			c.Groups = f.Counts()
		case roster.FileEnrollments:
			c.Memberships = f.Counts()
		}
	}
	return c
}

// Summary says in one line how many problems of each kind there are, as a
// statusDetail: "2 errors (duplicateSourcedId 2); 3 warnings (noOrg 1,
// unknownRole 2)", or "no problems".
func (r *Result) Summary() string {
	part := func(n int, what string, sev string) string {
		var codes []string
		for code := range r.Counts {
			if Severity(code) == sev {
				codes = append(codes, code)
			}
		}
		sort.Strings(codes)
		for i, code := range codes {
			codes[i] = fmt.Sprintf("%s %d", code, r.Counts[code])
		}
		if n != 1 {
			what += "s"
		}
		return fmt.Sprintf("%d %s (%s)", n, what, strings.Join(codes, ", "))
	}
	var parts []string
	if r.ErrorCount > 0 {
		parts = append(parts, part(r.ErrorCount, "error", SeverityError))
	}
	if r.WarningCount > 0 {
		parts = append(parts, part(r.WarningCount, "warning", SeverityWarning))
	}
	if len(parts) == 0 {
		return "no problems"
	}
	return strings.Join(parts, "; ")
}

// Validate checks the roster that open gives access to. open returns a
// file of roster.Files by name, or an error satisfying
// errors.Is(err, fs.ErrNotExist) when the roster has no such file; each
// file is opened once and closed before Validate returns. orgs.csv and
// users.csv are required, the other files are checked when present.
//
// The error is for what stops the validation itself (ctx, a failure to open
// or read a file); what is wrong with the files is in the Result.
func Validate(ctx context.Context, open func(name string) (io.ReadCloser, error), opts Options) (*Result, error) {
	v := newValidator(opts)
	for _, name := range roster.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := open(name)
		if errors.Is(err, fs.ErrNotExist) {
			if name == roster.FileOrgs || name == roster.FileUsers {
				v.add(Problem{Code: CodeMissingFile, File: name,
					Message: name + " is missing: OneRoster rosters here need orgs.csv and users.csv"})
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		in := newCounter(f)
		v.present[name] = true
		err = v.check(ctx, name, in)
		sum := FileSummary{Name: name, Rows: v.rows, Bytes: in.n}
		if name != roster.FileManifest {
			sum.Active, sum.Inactive = v.active, v.rows-v.active
		}
		v.res.Files = append(v.res.Files, sum)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", name, cerr)
		}
		if err != nil {
			return nil, err
		}
	}
	v.checkManifest()
	v.finish()
	return v.res, nil
}

// validator holds what the checks of one roster share.
type validator struct {
	opts    Options
	max     int
	res     *Result
	present map[string]bool
	broken  map[string]bool          // files that ended on a fatal error: their sets are partial
	ids     map[string]*roster.IDSet // each file's sourcedIds, for references
	missing map[[2]string]bool       // (file, referenced file) pairs already reported missingFile
	roles   set
	types   set
	grades  set
	rows    int            // of the file last checked
	active  int            // of its rows, those whose record is active
	declare []declaration  // manifest.csv's file.* properties
	order   map[string]int // of roster.Files
}

func newValidator(opts Options) *validator {
	v := &validator{
		opts: opts, max: cmp.Or(opts.MaxPerCode, DefaultMaxPerCode),
		res:     &Result{Errors: []Problem{}, Warnings: []Problem{}, Counts: map[string]int{}, Files: []FileSummary{}},
		present: map[string]bool{}, broken: map[string]bool{}, ids: map[string]*roster.IDSet{},
		missing: map[[2]string]bool{}, order: map[string]int{},
		roles:  newSet(orDefault(opts.Roles, roster.Roles)),
		types:  newSet(orDefault(opts.OrgTypes, roster.OrgTypes)),
		grades: newSet(orDefault(opts.GradeLevels, DefaultGradeLevels)),
	}
	for i, f := range roster.Files {
		v.order[f] = i
	}
	return v
}

// check checks one file.
func (v *validator) check(ctx context.Context, name string, r io.Reader) error {
	v.rows, v.active = 0, 0
	ropts := roster.Options{MaxRows: v.opts.MaxRows[name], Warn: v.addRoster}
	switch name {
	case roster.FileOrgs:
		return v.checkOrgs(ctx, r, ropts)
	case roster.FileUsers:
		return v.checkUsers(ctx, r, ropts)
	case roster.FileManifest:
		return v.readManifest(ctx, r, ropts)
	}
	return v.checkRows(ctx, name, r, ropts)
}

// add counts p and keeps it if fewer than max of its code are kept.
func (v *validator) add(p Problem) {
	v.res.Counts[p.Code]++
	n := v.res.Counts[p.Code]
	if Severity(p.Code) == SeverityError {
		v.res.ErrorCount++
		if n <= v.max {
			v.res.Errors = append(v.res.Errors, p)
		}
		return
	}
	v.res.WarningCount++
	if n <= v.max {
		v.res.Warnings = append(v.res.Warnings, p)
	}
}

// addRoster adds a problem package roster found. An org's type is judged
// by checkOrgs instead, against Options.OrgTypes.
func (v *validator) addRoster(p roster.Problem) {
	if p.Code == roster.CodeInvalidOrgType {
		return
	}
	v.add(Problem{Code: p.Code, Message: p.Message, File: p.File, Line: p.Line, Column: p.Column})
}

// eachRow calls fn with each row next reads, and its number from 0, until
// the file ends: ctx is checked every checkEvery rows, a row that cannot
// be read is reported (readError) and skipped, and a fatal one ends the
// file. The error is ctx's, or a read's that is not a problem of the file.
func eachRow[T any](ctx context.Context, v *validator, name string, next func() (T, error), fn func(n int, row T)) error {
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if done, stop := v.readError(name, err); done {
				return stop
			}
			continue
		}
		fn(n, row)
	}
}

// readError handles an error from a reader's Next: a *roster.Problem is
// added, and a fatal one marks the file broken. It reports whether the
// file is done (fatal) and returns the error that stops Validate, if any.
func (v *validator) readError(name string, err error) (done bool, stop error) {
	var p *roster.Problem
	if !errors.As(err, &p) {
		return true, err
	}
	v.addRoster(*p)
	if p.Fatal() {
		v.broken[name] = true
		return true, nil
	}
	return false, nil
}

// problem adds a problem at a place.
func (v *validator) problem(code, file string, line, col int, format string, args ...any) {
	v.add(Problem{Code: code, Message: fmt.Sprintf(format, args...), File: file, Line: line, Column: col})
}

// finish puts the kept problems in file, line and column order.
func (v *validator) finish() {
	less := func(a, b Problem) int {
		return cmp.Or(cmp.Compare(v.order[a.File], v.order[b.File]), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column), strings.Compare(a.Code, b.Code))
	}
	slices.SortStableFunc(v.res.Errors, less)
	slices.SortStableFunc(v.res.Warnings, less)
}

// orDefault returns codes, or def when codes is nil.
func orDefault(codes, def []string) []string {
	if codes == nil {
		return def
	}
	return codes
}

// set is a set of codes matched ignoring case.
type set map[string]bool

func newSet(codes []string) set {
	s := make(set, len(codes))
	for _, c := range codes {
		s[strings.ToLower(c)] = true
	}
	return s
}

func (s set) has(v string) bool {
	if s[v] { // the usual, lower-case spelling
		return true
	}
	return s[strings.ToLower(v)]
}

// counter counts the bytes read through it, and passes on the size of
// what it reads when that is known, for package roster's sizing.
type counter struct {
	r    io.Reader
	n    int64
	size int64
}

func newCounter(r io.Reader) *counter {
	c := &counter{r: r}
	switch s := r.(type) {
	case interface{ Size() int64 }:
		c.size = s.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
			c.size = fi.Size()
		}
	}
	return c
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Size is the size of what c reads, or 0 when unknown.
func (c *counter) Size() int64 { return c.size }
