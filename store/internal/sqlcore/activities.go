package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

// The activities of runs (migration 00012): rows of run_activities keyed
// by the run's seq, so that a run's activities are listed under it as a
// report's entries are, and go with it. flows.go keeps what their imports
// do to the flows' data.

const activityColumns = `seq, id, flow_id, display_name, status, blocking_error, counts`

const (
	qInsertActivity = `INSERT INTO run_activities (run, seq, id, flow_id, display_name, status, blocking_error, counts)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qRunSeq      = `SELECT seq FROM runs WHERE tenant = ? AND id = ?`
	qGetActivity = `SELECT a.seq, a.id, a.flow_id, a.display_name, a.status, a.blocking_error, a.counts
	FROM runs r JOIN run_activities a ON a.run = r.seq WHERE r.tenant = ? AND r.id = ? AND a.id = ?`
	// qRunActivity is an activity of run ?1 as its import needs it.
	qRunActivity    = `SELECT seq, flow_id, status FROM run_activities WHERE run = ? AND id = ?`
	qFinishActivity = `UPDATE run_activities SET status = ?, blocking_error = ?, counts = ? WHERE run = ? AND seq = ?`
)

// activitiesTable is what sqlq needs to list and count a run's activities,
// scoped by the run's seq. blockingError and the counts are complex
// values, which $filter and $orderby do not reach.
var activitiesTable = &sqlq.Table{
	Name:   "run_activities",
	Select: activityColumns,
	Scope:  "run_activities.run",
	Seq:    "run_activities.seq",
	Columns: sqlq.Columns{
		"id":          {SQL: "run_activities.id", Kind: schema.String},
		"displayName": {SQL: "run_activities.display_name", Kind: schema.String},
		"status":      {SQL: "run_activities.status", Kind: schema.Enum},
	},
}

// The stored form of InboundCounts: Graph's property names
// (inboundActivityResults, industryDataRunEntityCountMetric), so that the
// JSON does not depend on the root's Go field names.
type (
	inboundCountsJSON struct {
		People        entityCountsJSON `json:"people"`
		Organizations entityCountsJSON `json:"organizations"`
		Groups        entityCountsJSON `json:"groups"`
		Memberships   entityCountsJSON `json:"memberships"`
		Errors        int              `json:"errors"`
		Warnings      int              `json:"warnings"`
	}
	entityCountsJSON struct {
		Active   int `json:"active"`
		Inactive int `json:"inactive"`
		Total    int `json:"total"`
	}
)

func encodeCounts(c industrydata.InboundCounts) string {
	b, _ := json.Marshal(inboundCountsJSON{ // integers always marshal
		People: entityCountsJSON(c.People), Organizations: entityCountsJSON(c.Organizations),
		Groups: entityCountsJSON(c.Groups), Memberships: entityCountsJSON(c.Memberships),
		Errors: c.Errors, Warnings: c.Warnings,
	})
	return string(b)
}

// encodeOptCounts is encodeCounts for optional counts; nil is NULL.
func encodeOptCounts(c *industrydata.InboundCounts) sql.NullString {
	if c == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: encodeCounts(*c), Valid: true}
}

func decodeCounts(s string) (industrydata.InboundCounts, error) {
	var j inboundCountsJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return industrydata.InboundCounts{}, err
	}
	return industrydata.InboundCounts{
		People: industrydata.EntityCounts(j.People), Organizations: industrydata.EntityCounts(j.Organizations),
		Groups: industrydata.EntityCounts(j.Groups), Memberships: industrydata.EntityCounts(j.Memberships),
		Errors: j.Errors, Warnings: j.Warnings,
	}, nil
}

// scanActivity returns a scanner of rows of activityColumns, of the run
// runID (which the rows do not repeat).
func scanActivity(runID string) func(Scanner) (industrydata.RunActivity, error) {
	return func(r Scanner) (industrydata.RunActivity, error) {
		var (
			a                industrydata.RunActivity
			status           string
			blocking, counts sql.NullString
		)
		if err := r.Scan(&a.Seq, &a.ID, &a.FlowID, &a.DisplayName, &status, &blocking, &counts); err != nil {
			return industrydata.RunActivity{}, err
		}
		a.RunID, a.Status = runID, industrydata.ActivityStatus(status)
		if blocking.Valid {
			var e publicErrorJSON
			if err := json.Unmarshal([]byte(blocking.String), &e); err != nil {
				return industrydata.RunActivity{}, fmt.Errorf("activity %s: blocking_error: %w", a.ID, err)
			}
			pe := e.publicError()
			a.BlockingError = &pe
		}
		if counts.Valid {
			c, err := decodeCounts(counts.String)
			if err != nil {
				return industrydata.RunActivity{}, fmt.Errorf("activity %s: counts: %w", a.ID, err)
			}
			a.Counts = &c
		}
		return a, nil
	}
}

// insertActivities inserts the activities of run r (its seq and id), in
// order, numbered from 1, and returns them as stored. An activity needs an
// id and a status; a second activity of one id is ErrDuplicate.
func (s *Store) insertActivities(tx Tx, r *industrydata.Run, activities []industrydata.RunActivity) ([]industrydata.RunActivity, error) {
	out := make([]industrydata.RunActivity, len(activities))
	for i, a := range activities {
		if a.ID == "" || a.Status == "" {
			return nil, fmt.Errorf("activity %d has no id or no status", i+1)
		}
		blocking, err := encodePublicError(a.BlockingError)
		if err != nil {
			return nil, fmt.Errorf("activity %s: %w", a.ID, err)
		}
		a.RunID, a.Seq = r.ID, int64(i+1)
		if _, err := tx.Exec(qInsertActivity, r.Seq, a.Seq, a.ID, a.FlowID, a.DisplayName, string(a.Status),
			blocking, encodeOptCounts(a.Counts)); err != nil {
			return nil, fmt.Errorf("activity %s: %w", a.ID, s.translate(err))
		}
		out[i] = a
	}
	return out, nil
}

// GetActivity returns activity id of the tenant's run runID, or
// ErrNotFound when either is missing.
func (s *Store) GetActivity(ctx context.Context, tenant industrydata.TenantID, runID, id string) (industrydata.RunActivity, error) {
	a, err := scanActivity(runID)(s.b.QueryRow(ctx, qGetActivity, string(tenant), runID, id))
	if err != nil {
		return industrydata.RunActivity{}, s.errorf("get activity %s of run %s: %w", id, runID, s.translate(err))
	}
	return a, nil
}

// ListActivities returns the page of the run's activities q selects, in
// their Seq order unless q.OrderBy says otherwise; ErrNotFound when the
// tenant has no run runID. (The run is looked up first, then its
// activities: should the run be deleted in between, the page is empty.)
func (s *Store) ListActivities(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) ([]industrydata.RunActivity, error) {
	run, err := s.runSeq(ctx, tenant, runID)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, activitiesTable, run, q, scanActivity(runID))
}

// CountActivities counts the run's activities matching q.Filter;
// ErrNotFound when the tenant has no run runID.
func (s *Store) CountActivities(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) (int64, error) {
	run, err := s.runSeq(ctx, tenant, runID)
	if err != nil {
		return 0, err
	}
	return s.count(ctx, activitiesTable, run, industrydata.ListQuery{Filter: q.Filter})
}

// runSeq returns the seq of the tenant's run, which keys its activities,
// or ErrNotFound.
func (s *Store) runSeq(ctx context.Context, tenant industrydata.TenantID, runID string) (int64, error) {
	var seq int64
	if err := s.b.QueryRow(ctx, qRunSeq, string(tenant), runID).Scan(&seq); err != nil {
		return 0, s.errorf("run %s: %w", runID, s.translate(err))
	}
	return seq, nil
}

// activityRow is an activity of a held run, as an import needs it.
type activityRow struct {
	seq    int64
	flowID string
	status industrydata.ActivityStatus
}

// heldActivity returns, inside tx, the seq of c's run while c holds it
// (else ErrLeaseLost) and its activity id (else ErrNotFound).
func (s *Store) heldActivity(tx Tx, c industrydata.JobClaim, id string) (int64, activityRow, error) {
	if c.Kind != industrydata.JobRun {
		return 0, activityRow{}, fmt.Errorf("a %s job is not a run", c.Kind)
	}
	var run int64
	if err := tx.QueryRow(s.q.heldRunSeq, heldArgs(c)...).Scan(&run); err != nil {
		return 0, activityRow{}, s.leaseLost(err)
	}
	var (
		a      activityRow
		status string
	)
	err := tx.QueryRow(qRunActivity, run, id).Scan(&a.seq, &a.flowID, &status)
	if errors.Is(err, s.d.NoRows) {
		return 0, activityRow{}, fmt.Errorf("activity %s: %w", id, industrydata.ErrNotFound)
	}
	if err != nil {
		return 0, activityRow{}, err
	}
	a.status = industrydata.ActivityStatus(status)
	return run, a, nil
}
