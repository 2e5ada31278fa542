package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// UserReport is microsoft.graph.industryData.userReport: what a run of the
// userReportRefreshProcess found in the tenant's roster.
type UserReport struct {
	Entity
	CreatedDateTime time.Time         `json:"createdDateTime"`
	Summary         UserReportSummary `json:"summary"`
}

// UserReportSummary is microsoft.graph.industryData.userReportSummary.
type UserReportSummary struct {
	TotalUsers      int64       `json:"totalUsers"`
	ActiveUsers     int64       `json:"activeUsers"`
	InactiveUsers   int64       `json:"inactiveUsers"`
	UsersWithIssues int64       `json:"usersWithIssues"`
	UsersByRole     []RoleCount `json:"usersByRole"`
	UsersByOrg      []OrgCount  `json:"usersByOrg"`
}

// RoleCount is microsoft.graph.industryData.industryDataRunRoleCountMetric.
type RoleCount struct {
	Role  string `json:"role"`
	Count int64  `json:"count"`
}

// OrgCount is microsoft.graph.industryData.userReportOrgCountMetric.
type OrgCount struct {
	OrgSourcedID string `json:"orgSourcedId"`
	OrgName      string `json:"orgName"`
	Count        int64  `json:"count"`
}

// UserReportEntry is microsoft.graph.industryData.userReportEntry: one
// user of the roster and its issues.
type UserReportEntry struct {
	ODataType     string   `json:"@odata.type,omitempty"`
	SourcedID     string   `json:"sourcedId"`
	Username      string   `json:"username"`
	Role          string   `json:"role"`
	OrgSourcedIDs []string `json:"orgSourcedIds"`
	IsActive      bool     `json:"isActive"`
	Issues        []string `json:"issues"`
	InboundFlowID string   `json:"inboundFlowId"`
}

// ReportRef names a user report: the process and the run that made it.
type ReportRef struct{ ProcessID, RunID string }

// path is the report's path below the root.
func (r ReportRef) path() string {
	return "processes/" + segment(r.ProcessID) + "/runs/" + segment(r.RunID) + "/userReport"
}

// ParseReportLocation reads the report a finished run's operation names in
// its resourceLocation (…/processes/{pid}/runs/{rid}/userReport).
func ParseReportLocation(location string) (ReportRef, error) {
	u, err := url.Parse(location)
	if err == nil {
		segs := strings.Split(strings.Trim(u.Path, "/"), "/")
		n := len(segs)
		if n >= 5 && segs[n-1] == "userReport" && segs[n-3] == "runs" && segs[n-5] == "processes" {
			pid, err1 := url.PathUnescape(segs[n-4])
			rid, err2 := url.PathUnescape(segs[n-2])
			if err1 == nil && err2 == nil && pid != "" && rid != "" {
				return ReportRef{ProcessID: pid, RunID: rid}, nil
			}
		}
	}
	return ReportRef{}, fmt.Errorf("client: %q is not the location of a user report", location)
}

// UserReport reads a report; a run still going or one that failed has
// none (a 404 *Error).
func (c *Client) UserReport(ctx context.Context, r ReportRef) (UserReport, error) {
	var rep UserReport
	h, err := c.getJSON(ctx, r.path(), "", &rep)
	setVersion(&rep, h)
	return rep, err
}

// UserReportEntries iterates over a report's entries, with q's options
// ($filter=issues/any(i: i eq 'missingEmail'), $orderby, …).
func (c *Client) UserReportEntries(ctx context.Context, r ReportRef, q *Query) iter.Seq2[UserReportEntry, error] {
	return list[UserReportEntry](c, ctx, r.path()+"/entries", q)
}

// CountUserReportEntries is the number of a report's entries that filter
// ("" for all) matches.
func (c *Client) CountUserReportEntries(ctx context.Context, r ReportRef, filter string) (int64, error) {
	return count(c, ctx, r.path()+"/entries", filter)
}

// UserReportCSV downloads a report's entries as one CSV file, streamed:
// the caller reads and closes it. Of q only Filter and OrderBy apply (the
// file is the whole list). A download cut midway ends with a read error,
// never a short file read as whole.
func (c *Client) UserReportCSV(ctx context.Context, r ReportRef, q *Query) (io.ReadCloser, error) {
	var opts *Query
	if q != nil {
		opts = &Query{Filter: q.Filter, OrderBy: q.OrderBy}
	}
	resp, err := c.do(ctx, call{method: http.MethodGet, ref: r.path() + "/entries", query: opts.encode(), accept: "text/csv"})
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		resp.Body.Close()
		return nil, fmt.Errorf("client: the CSV download answered %q", ct)
	}
	return resp.Body, nil
}
