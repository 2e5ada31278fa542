package roster

import (
	"io"
	"strings"
	"time"
)

// orgColumns are the columns of orgs.csv, in OneRoster v1.1's order.
var orgColumns = []string{
	"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId",
}

const (
	orgSourcedID = iota
	orgStatus
	orgDateLastModified
	orgName
	orgType
	orgIdentifier
	orgParentSourcedID
)

// OrgTypes lists the org types of OneRoster v1.1.
var OrgTypes = []string{"department", "school", "district", "local", "state", "national"}

// Org is one row of orgs.csv.
type Org struct {
	// Line is the line of the file where the row starts.
	Line      int
	SourcedID string // trimmed of surrounding spaces; never empty
	Status    Status
	// DateLastModified is the zero time when the field is empty or invalid.
	DateLastModified time.Time
	Name             string
	// Type is one of OrgTypes, or the value as the file gives it (trimmed)
	// when it is not one of them; a warning says so.
	Type            string
	Identifier      string
	ParentSourcedID string // trimmed
}

// OrgReader reads orgs.csv one row at a time.
type OrgReader struct {
	t *table
}

// NewOrgReader returns a reader of the orgs.csv file that r reads.
func NewOrgReader(r io.Reader, opts Options) *OrgReader {
	return &OrgReader{t: newTable(r, opts, "orgs.csv", orgColumns, DefaultMaxOrgs)}
}

// Next returns the next org, or io.EOF after the last one. A *Problem about
// one row leaves the reader usable: the next call goes on with the next row.
// After a fatal *Problem (see Problem.Fatal) or a failure to read the input,
// Next returns that same error on every call.
func (r *OrgReader) Next() (Org, error) {
	rec, err := r.t.next()
	if err != nil {
		return Org{}, err
	}
	c := r.t.idx
	o := Org{
		Line:             r.t.line,
		SourcedID:        strings.TrimSpace(rec[c[orgSourcedID]]),
		Status:           parseStatus(r.t, orgStatus, rec[c[orgStatus]]),
		DateLastModified: parseDate(r.t, orgDateLastModified, rec[c[orgDateLastModified]]),
		Name:             rec[c[orgName]],
		Type:             strings.TrimSpace(rec[c[orgType]]),
		Identifier:       rec[c[orgIdentifier]],
		ParentSourcedID:  strings.TrimSpace(rec[c[orgParentSourcedID]]),
	}
	if strings.TrimSpace(o.Name) == "" {
		r.t.fieldWarn(orgName, CodeMissingOrgName, "name is empty; OneRoster requires it")
	}
	if known, ok := oneOf(o.Type, OrgTypes); ok {
		o.Type = known
	} else {
		r.t.fieldWarn(orgType, CodeInvalidOrgType, "type %q is not one of %s", short(o.Type), strings.Join(OrgTypes, ", "))
	}
	return o, nil
}

// Warnings returns the warnings kept so far, in file order.
func (r *OrgReader) Warnings() []Problem { return r.t.warns }

// WarningCount returns the number of warnings so far, kept or not.
func (r *OrgReader) WarningCount() int { return r.t.nwarn }

// ReadOrgs calls fn with each org of the orgs.csv file that r reads, and
// stops at the first error: a *Problem, a failure to read, or fn's error.
func ReadOrgs(r io.Reader, fn func(Org) error) error {
	or := NewOrgReader(r, Options{})
	for {
		o, err := or.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
}

// oneOf returns the member of list that s equals, ignoring case.
func oneOf(s string, list []string) (string, bool) {
	for _, m := range list { // the usual case, fast
		if s == m {
			return m, true
		}
	}
	for _, m := range list {
		if strings.EqualFold(s, m) {
			return m, true
		}
	}
	return s, false
}

// parseStatus reads the status field k; an invalid value is a warning and
// reads as StatusNone.
func parseStatus(t *table, k int, s string) Status {
	switch s { // the usual cases, fast
	case "":
		return StatusNone
	case "active":
		return StatusActive
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return StatusNone
	case strings.EqualFold(s, string(StatusActive)):
		return StatusActive
	case strings.EqualFold(s, string(StatusToBeDeleted)):
		return StatusToBeDeleted
	}
	t.fieldWarn(k, CodeInvalidStatus, "status %q is not empty, active or tobedeleted; read as empty", short(s))
	return StatusNone
}

// parseDate reads the dateLastModified field k: ISO 8601 as OneRoster
// writes it (RFC 3339, with or without fraction) or a bare date. An invalid
// value is a warning and reads as the zero time.
func parseDate(t *table, k int, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if d, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return d.UTC()
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d
	}
	t.fieldWarn(k, CodeInvalidDate, "dateLastModified is not an ISO 8601 date or date-time; read as unknown")
	return time.Time{}
}
