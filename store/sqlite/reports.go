package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

// User reports (SPEC §10). A report is keyed by its run's seq: the runner
// appends the entries (report_entries) while it holds the run, and FinishRun
// stores the report itself (user_reports) when the run ends, so that the
// report, entries included, appears in one commit.

const entryColumns = `report_entries.n, report_entries.sourced_id, report_entries.username, report_entries.role,
	report_entries.org_ids, report_entries.is_active, report_entries.issues`

const (
	qInsertReport = `INSERT INTO user_reports (report, tenant, run_id, process_id, etag, created_ticks, summary)
	VALUES (?, ?, ?, ?, ?, ?, ?)`
	qGetUserReport = `SELECT run_id, process_id, etag, created_ticks, summary FROM user_reports
	WHERE tenant = ? AND run_id = ?`
	qReportSeq           = `SELECT report FROM user_reports WHERE tenant = ? AND run_id = ?`
	qLastReportEntry     = `SELECT n FROM report_entries WHERE report = ? ORDER BY n DESC LIMIT 1`
	qDeleteReportEntries = `DELETE FROM report_entries WHERE report = ?`
)

// An INSERT of entries takes the report (?1) and the first entry's Seq (?2)
// once, and then entryParams parameters per entry, anonymous so that the
// driver need not look up a name for each: one more Seq is the next
// entry's. Fewer parameters, fewer binds: binding is most of the cost.
const entryParams = 6

// maxEntriesPerInsert is the most entries one INSERT statement writes. An
// append of n entries runs n/maxEntriesPerInsert statements of this many
// and at most one of each smaller power of two for the rest, so that the
// writer prepares at most eight statement texts, once, whatever the batch
// sizes.
const maxEntriesPerInsert = 128

// qInsertEntries[k] inserts 1<<k entries.
var qInsertEntries = func() []string {
	var out []string
	for rows := 1; rows <= maxEntriesPerInsert; rows *= 2 {
		var b strings.Builder
		b.WriteString(`INSERT INTO report_entries (report, n, sourced_id, username, role, org_ids, is_active, issues) VALUES `)
		for i := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(?1, ?2 + %d, ?, ?, ?, ?, ?, ?)", i)
		}
		out = append(out, b.String())
	}
	return out
}()

// reportEntriesTable is what sqlq needs to list and count a report's
// entries: they are scoped by the report (the run's seq), not the tenant,
// which the store checks first, and their Seq is the paging key.
var reportEntriesTable = &sqlq.Table{
	Name:   "report_entries",
	Select: entryColumns,
	Scope:  "report_entries.report",
	Seq:    "report_entries.n",
	Columns: sqlq.Columns{
		"sourcedId": {SQL: "report_entries.sourced_id", Kind: schema.String},
		"username":  {SQL: "report_entries.username", Kind: schema.String},
		"role":      {SQL: "report_entries.role", Kind: schema.String},
		"isActive":  {SQL: "report_entries.is_active", Kind: schema.Boolean},
		"orgSourcedIds": {SQL: "report_entries.org_ids", Kind: schema.String,
			Elements: sqlq.JSONArray(sqlq.SQLite, "report_entries.org_ids")},
		"issues": {SQL: "report_entries.issues", Kind: schema.Enum,
			Elements: sqlq.JSONArray(sqlq.SQLite, "report_entries.issues")},
	},
}

// The stored form of a report's summary: Graph's property names, so that
// the JSON does not depend on the root's Go field names.
type (
	summaryJSON struct {
		TotalUsers      int             `json:"totalUsers"`
		ActiveUsers     int             `json:"activeUsers"`
		InactiveUsers   int             `json:"inactiveUsers"`
		UsersWithIssues int             `json:"usersWithIssues"`
		UsersByRole     []roleCountJSON `json:"usersByRole"`
		UsersByOrg      []orgCountJSON  `json:"usersByOrg"`
	}
	roleCountJSON struct {
		Role  string `json:"role"`
		Count int    `json:"count"`
	}
	orgCountJSON struct {
		OrgSourcedID string `json:"orgSourcedId"`
		OrgName      string `json:"orgName"`
		Count        int    `json:"count"`
	}
)

// convertSlice converts each element of in; nil stays nil and empty stays
// empty, so that both round-trip.
func convertSlice[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func encodeSummary(s industrydata.UserReportSummary) (string, error) {
	b, err := json.Marshal(summaryJSON{
		TotalUsers: s.TotalUsers, ActiveUsers: s.ActiveUsers, InactiveUsers: s.InactiveUsers, UsersWithIssues: s.UsersWithIssues,
		UsersByRole: convertSlice(s.UsersByRole, func(c industrydata.RoleCount) roleCountJSON { return roleCountJSON(c) }),
		UsersByOrg:  convertSlice(s.UsersByOrg, func(c industrydata.OrgCount) orgCountJSON { return orgCountJSON(c) }),
	})
	return string(b), err
}

func decodeSummary(s string) (industrydata.UserReportSummary, error) {
	var j summaryJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return industrydata.UserReportSummary{}, err
	}
	return industrydata.UserReportSummary{
		TotalUsers: j.TotalUsers, ActiveUsers: j.ActiveUsers, InactiveUsers: j.InactiveUsers, UsersWithIssues: j.UsersWithIssues,
		UsersByRole: convertSlice(j.UsersByRole, func(c roleCountJSON) industrydata.RoleCount { return industrydata.RoleCount(c) }),
		UsersByOrg:  convertSlice(j.UsersByOrg, func(c orgCountJSON) industrydata.OrgCount { return industrydata.OrgCount(c) }),
	}, nil
}

// reportRow is a report in stored form, made before FinishRun's job.
type reportRow struct {
	etag      string
	createdAt time.Time // normalized
	created   int64
	summary   string
}

// encodeReport returns r's stored form, with a new ETag. A zero
// CreatedDateTime becomes end, the run's end.
func encodeReport(r *industrydata.UserReport, end time.Time) (*reportRow, error) {
	row := &reportRow{etag: newETag()}
	created := r.CreatedDateTime
	if created.IsZero() {
		created = end
	}
	var err error
	if row.createdAt, row.created, err = encodeTime("createdDateTime", created); err != nil {
		return nil, err
	}
	if row.summary, err = encodeSummary(r.Summary); err != nil {
		return nil, err
	}
	return row, nil
}

// GetUserReport returns the report of the tenant's run runID, or
// ErrNotFound when there is no such run or it has no report.
func (s *Store) GetUserReport(ctx context.Context, tenant industrydata.TenantID, runID string) (industrydata.UserReport, error) {
	var (
		r       industrydata.UserReport
		created int64
		summary string
	)
	err := s.queryRowR(ctx, qGetUserReport, string(tenant), runID).Scan(&r.ID, &r.ProcessID, &r.ETag, &created, &summary)
	if err != nil {
		return industrydata.UserReport{}, fmt.Errorf("sqlite: get user report of run %s: %w", runID, translate(err))
	}
	r.CreatedDateTime = industrydata.FromTicks(created)
	if r.Summary, err = decodeSummary(summary); err != nil {
		return industrydata.UserReport{}, fmt.Errorf("sqlite: get user report of run %s: summary: %w", runID, err)
	}
	return r, nil
}

// reportSeq returns the key of the report of the tenant's run, or
// ErrNotFound when it has none.
func (s *Store) reportSeq(ctx context.Context, tenant industrydata.TenantID, runID string) (int64, error) {
	var seq int64
	if err := s.queryRowR(ctx, qReportSeq, string(tenant), runID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: user report of run %s: %w", runID, translate(err))
	}
	return seq, nil
}

// ListReportEntries returns the page of the report's entries q selects, in
// users.csv order unless q.OrderBy says otherwise; ErrNotFound when the
// tenant's run has no report. (The report is looked up first, then its
// entries: should the process be deleted in between, the page is empty.)
func (s *Store) ListReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
	seq, err := s.reportSeq(ctx, tenant, runID)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, reportEntriesTable, seq, q, scanEntry)
}

// CountReportEntries counts the report's entries matching q.Filter;
// ErrNotFound when the tenant's run has no report.
func (s *Store) CountReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) (int64, error) {
	seq, err := s.reportSeq(ctx, tenant, runID)
	if err != nil {
		return 0, err
	}
	return s.count(ctx, reportEntriesTable, seq, q)
}

// scanEntry reads one row of entryColumns. Empty collections read back nil.
func scanEntry(r scanner) (industrydata.UserReportEntry, error) {
	var (
		e              industrydata.UserReportEntry
		orgs, issues   string
		active         int64
		orgIDs         []string
		issueCodes     []industrydata.UserReportIssue
		errOrg, errIss error
	)
	if err := r.Scan(&e.Seq, &e.SourcedID, &e.Username, &e.Role, &orgs, &active, &issues); err != nil {
		return industrydata.UserReportEntry{}, err
	}
	if orgs != "[]" {
		errOrg = json.Unmarshal([]byte(orgs), &orgIDs)
	}
	if issues != "[]" {
		errIss = json.Unmarshal([]byte(issues), &issueCodes)
	}
	if err := errors.Join(errOrg, errIss); err != nil {
		return industrydata.UserReportEntry{}, fmt.Errorf("entry %d: %w", e.Seq, err)
	}
	if len(orgIDs) > 0 {
		e.OrgSourcedIDs = orgIDs
	}
	if len(issueCodes) > 0 {
		e.Issues = issueCodes
	}
	e.IsActive = active != 0
	return e, nil
}

// entryInsert is one INSERT of entries and its parameters; args[0], the
// report, is filled in by the writer job, which learns it.
type entryInsert struct {
	query string
	args  []any
}

// encodeEntries returns the INSERTs that store entries, which must have
// consecutive Seqs, their parameters ready but for the report. It runs
// before the write job, so that the writer only binds and steps.
func encodeEntries(entries []industrydata.UserReportEntry) ([]entryInsert, error) {
	for i := range entries {
		if i > 0 && entries[i].Seq != entries[i-1].Seq+1 {
			return nil, fmt.Errorf("entry seqs %d and %d are not consecutive", entries[i-1].Seq, entries[i].Seq)
		}
	}
	// The JSON arrays of every entry go into one buffer, made one string,
	// so that each parameter is a substring of it and not an allocation.
	var buf []byte
	ends := make([]int, 0, 2*len(entries))
	for i := range entries {
		buf = appendJSONStrings(buf, entries[i].OrgSourcedIDs)
		ends = append(ends, len(buf))
		buf = appendJSONStrings(buf, entries[i].Issues)
		ends = append(ends, len(buf))
	}
	arrays := string(buf)
	active := [2]any{int64(0), int64(1)}

	var out []entryInsert
	statements := len(entries)/maxEntriesPerInsert + len(qInsertEntries)
	args := make([]any, 0, 2*statements+entryParams*len(entries))
	start := 0 // of the next array in arrays
	for done := 0; done < len(entries); {
		k := len(qInsertEntries) - 1
		for 1<<k > len(entries)-done {
			k--
		}
		from := len(args)
		args = append(args, nil, entries[done].Seq)
		for i := done; i < done+1<<k; i++ {
			e := &entries[i]
			orgs, issues := jsonArg(arrays[start:ends[2*i]]), jsonArg(arrays[ends[2*i]:ends[2*i+1]])
			start = ends[2*i+1]
			isActive := active[0]
			if e.IsActive {
				isActive = active[1]
			}
			args = append(args, e.SourcedID, e.Username, e.Role, orgs, isActive, issues)
		}
		out = append(out, entryInsert{query: qInsertEntries[k], args: args[from:len(args):len(args)]})
		done += 1 << k
	}
	return out, nil
}

// emptyJSONArray is the parameter of most entries' issues: one value, not
// an allocation per entry.
var emptyJSONArray any = "[]"

func jsonArg(s string) any {
	if s == "[]" {
		return emptyJSONArray
	}
	return s
}

// appendJSONStrings appends ss as a JSON array of strings.
func appendJSONStrings[S ~string](b []byte, ss []S) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(s))
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string. Almost every value (ids,
// issue codes) needs no escaping; the others go through encoding/json,
// which also replaces invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return appendMarshalled(b, s)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return appendMarshalled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMarshalled(b []byte, s string) []byte {
	j, _ := json.Marshal(s) // a string always marshals
	return append(b, j...)
}

// AppendReportEntries stores entries after those already stored for c's
// run, while c holds it (else ErrLeaseLost), in one transaction. The
// entries' Seqs must be consecutive and continue the stored ones (the first
// entry is 1); anything else is an error that stores nothing.
func (s *Store) AppendReportEntries(ctx context.Context, c industrydata.RunClaim, entries []industrydata.UserReportEntry) error {
	inserts, err := encodeEntries(entries)
	if err != nil {
		return fmt.Errorf("sqlite: append report entries of run %s: %w", c.RunID, err)
	}
	err = s.write(ctx, func(tx *batchTx) error {
		var seq int64
		if err := tx.QueryRow(qHeldRunSeq, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt)).Scan(&seq); err != nil {
			return leaseLost(err)
		}
		if len(entries) == 0 {
			return nil
		}
		var last int64
		if err := tx.QueryRow(qLastReportEntry, seq).Scan(&last); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if first := entries[0].Seq; first != last+1 {
			return fmt.Errorf("entry seq %d does not follow the last stored, %d", first, last)
		}
		for _, in := range inserts {
			in.args[0] = seq
			if _, err := tx.Exec(in.query, in.args...); err != nil {
				return translate(err)
			}
			// A batch is thousands of rows: step aside between statements
			// so that requests need not wait for a preemption slice.
			runtime.Gosched()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: append report entries of run %s: %w", c.RunID, err)
	}
	return nil
}

// ResetReportEntries deletes the entries stored for c's run while c holds
// it (else ErrLeaseLost).
func (s *Store) ResetReportEntries(ctx context.Context, c industrydata.RunClaim) error {
	err := s.write(ctx, func(tx *batchTx) error {
		var seq int64
		if err := tx.QueryRow(qHeldRunSeq, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt)).Scan(&seq); err != nil {
			return leaseLost(err)
		}
		_, err := tx.Exec(qDeleteReportEntries, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: reset report entries of run %s: %w", c.RunID, err)
	}
	return nil
}
