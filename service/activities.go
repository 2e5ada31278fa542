package service

import (
	"context"
	"errors"

	"industrydata"
	"industrydata/odata"
)

const activityKind = "activity"

// ListActivities returns the page of run runID's activities q selects, in
// the order the run executes them unless $orderby says otherwise; 404 when
// the tenant has no such run.
func (t *Tenant) ListActivities(ctx context.Context, runID string, q *odata.Query) (Page[industrydata.RunActivity], error) {
	pg, err := t.activities(ctx, runID)
	if err != nil {
		return Page[industrydata.RunActivity]{}, err
	}
	return pg.page(ctx, q, DefaultPageSize)
}

// CountActivities is the number of run runID's activities q's $filter
// selects.
func (t *Tenant) CountActivities(ctx context.Context, runID string, q *odata.Query) (int64, error) {
	pg, err := t.activities(ctx, runID)
	if err != nil {
		return 0, err
	}
	return pg.total(ctx, q)
}

// GetActivity returns activity id of run runID.
func (t *Tenant) GetActivity(ctx context.Context, runID, id string) (industrydata.RunActivity, error) {
	if _, err := t.GetRun(ctx, runID); err != nil {
		return industrydata.RunActivity{}, err
	}
	a, err := t.s.store.GetActivity(ctx, t.id, runID, id)
	return a, notFound(err, activityKind, id)
}

// ActivityFlow is the inbound flow activity id of run runID executed: its
// activity navigation. 404 once the flow has been deleted.
func (t *Tenant) ActivityFlow(ctx context.Context, runID, id string) (Entity, error) {
	a, err := t.GetActivity(ctx, runID, id)
	if err != nil {
		return nil, err
	}
	f, err := t.Resources(inboundFlows.name).Get(ctx, a.FlowID)
	if errors.Is(err, industrydata.ErrNotFound) || industrydata.ErrorCode(err) == industrydata.CodeItemNotFound {
		return nil, industrydata.Errorf(industrydata.CodeItemNotFound,
			"The inbound flow '%s' that activity '%s' executed has been deleted.", clip(a.FlowID), clip(id))
	}
	return f, err
}

// ExpandActivityFlows returns, for each of activities, its flow ($expand=
// activity), nil for a flow deleted since; each flow is read once.
func (t *Tenant) ExpandActivityFlows(ctx context.Context, activities []industrydata.RunActivity) ([]Entity, error) {
	flows := t.Resources(inboundFlows.name)
	byID := map[string]Entity{}
	out := make([]Entity, len(activities))
	for i, a := range activities {
		f, seen := byID[a.FlowID]
		if !seen {
			var err error
			f, err = flows.Get(ctx, a.FlowID)
			if err != nil && !errors.Is(err, industrydata.ErrNotFound) && industrydata.ErrorCode(err) != industrydata.CodeItemNotFound {
				return nil, err
			}
			byID[a.FlowID] = f
		}
		out[i] = f
	}
	return out, nil
}

// activities is the pager of run runID's activities (404 when the tenant
// has no such run).
func (t *Tenant) activities(ctx context.Context, runID string) (pager[industrydata.RunActivity], error) {
	if _, err := t.GetRun(ctx, runID); err != nil {
		return pager[industrydata.RunActivity]{}, err
	}
	return pager[industrydata.RunActivity]{t: t,
		list: func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.RunActivity, error) {
			return t.s.store.ListActivities(ctx, tenant, runID, q)
		},
		count: func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
			return t.s.store.CountActivities(ctx, tenant, runID, q)
		},
		seq: func(a *industrydata.RunActivity) int64 { return a.Seq }}, nil
}

// RunStatistics is getStatistics of run runID (SPEC §12).
func (t *Tenant) RunStatistics(ctx context.Context, runID string) (industrydata.RunStatistics, error) {
	run, err := t.GetRun(ctx, runID)
	if err != nil {
		return industrydata.RunStatistics{}, err
	}
	return t.statisticsOf(ctx, run)
}

// LatestRunStatistics is getStatistics of the runs collection: the
// statistics of the tenant's latest run (the last started); 404 when it
// has none.
func (t *Tenant) LatestRunStatistics(ctx context.Context) (industrydata.RunStatistics, error) {
	runs, err := t.s.store.ListRuns(ctx, t.id, industrydata.ListQuery{
		OrderBy: []industrydata.OrderKey{{Property: "startDateTime", Desc: true}}, Limit: 1})
	if err != nil {
		return industrydata.RunStatistics{}, err
	}
	if len(runs) == 0 {
		return industrydata.RunStatistics{}, industrydata.Errorf(industrydata.CodeItemNotFound,
			"The tenant has no run yet, so there are no statistics; start one with POST runs/start.")
	}
	return t.statisticsOf(ctx, runs[0])
}

func (t *Tenant) statisticsOf(ctx context.Context, run industrydata.Run) (industrydata.RunStatistics, error) {
	// A run has an activity per flow of its tenant, at most the set's
	// bound of flows: one read.
	acts, err := t.s.store.ListActivities(ctx, t.id, run.ID, industrydata.ListQuery{})
	if err != nil {
		return industrydata.RunStatistics{}, notFound(err, runKind, run.ID)
	}
	return Statistics(run, acts), nil
}

// Statistics is industryDataRunStatistics of run with its activities
// (SPEC §12): each activity's figures, and as totals the active records
// over all of them and the errors and warnings in total.
func Statistics(run industrydata.Run, activities []industrydata.RunActivity) industrydata.RunStatistics {
	st := industrydata.RunStatistics{RunID: run.ID, Status: run.Status,
		Activities: make([]industrydata.ActivityStatistics, len(activities))}
	for i, a := range activities {
		st.Activities[i] = industrydata.ActivityStatistics{ActivityID: a.ID, DisplayName: a.DisplayName, Status: a.Status, Counts: a.Counts}
		if c := a.Counts; c != nil {
			st.Totals.People += c.People.Active
			st.Totals.Organizations += c.Organizations.Active
			st.Totals.Groups += c.Groups.Active
			st.Totals.Memberships += c.Memberships.Active
			st.Totals.Errors += c.Errors
			st.Totals.Warnings += c.Warnings
		}
	}
	return st
}
