package sqlcore

import (
	"context"
	"encoding/json"
	"time"

	"industrydata"
)

// User reports (SPEC §10). A report is keyed by its run's seq: the runner
// appends the entries (report_blocks, see entries.go) while it holds the run, and FinishRun
// stores the report itself (user_reports) when the run ends, so that the
// report, entries included, appears in one commit.

const (
	qInsertReport = `INSERT INTO user_reports (report, tenant, run_id, process_id, etag, created_ticks, summary)
	VALUES (?, ?, ?, ?, ?, ?, ?)`
	qGetUserReport = `SELECT run_id, process_id, etag, created_ticks, summary FROM user_reports
	WHERE tenant = ? AND run_id = ?`
	qReportSeq = `SELECT report FROM user_reports WHERE tenant = ? AND run_id = ?`
)

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

// reportRow is a report in stored form, made before FinishRun's write.
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
	err := s.b.QueryRow(ctx, qGetUserReport, string(tenant), runID).Scan(&r.ID, &r.ProcessID, &r.ETag, &created, &summary)
	if err != nil {
		return industrydata.UserReport{}, s.errorf("get user report of run %s: %w", runID, s.translate(err))
	}
	r.CreatedDateTime = industrydata.FromTicks(created)
	if r.Summary, err = decodeSummary(summary); err != nil {
		return industrydata.UserReport{}, s.errorf("get user report of run %s: summary: %w", runID, err)
	}
	return r, nil
}

// reportSeq returns the key of the report of the tenant's run, or
// ErrNotFound when it has none.
func (s *Store) reportSeq(ctx context.Context, tenant industrydata.TenantID, runID string) (int64, error) {
	var seq int64
	if err := s.b.QueryRow(ctx, qReportSeq, string(tenant), runID).Scan(&seq); err != nil {
		return 0, s.errorf("user report of run %s: %w", runID, s.translate(err))
	}
	return seq, nil
}
