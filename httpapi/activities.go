package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// A run's activities and statistics (SPEC §12): runs/{id}/activities, each
// one's activity navigation (the inbound flow it executed), and
// getStatistics, bound to a run and to the runs collection.

// activityRoutes are the routes of runs' activities and statistics. An
// activity is always an inboundFlowActivity, so its type-cast segments
// select them all.
func (a *api) activityRoutes() []route {
	const base = "/industryData/runs/{id}/activities"
	cast := "/" + schema.InboundFlowActivity.FullName()
	rs := []route{
		{"GET", base, readRuns, a.listActivities},
		{"GET", base + "/$count", readRuns, a.countActivities},
		{"GET", base + cast, readRuns, a.listActivities},
		{"GET", base + cast + "/$count", readRuns, a.countActivities},
		{"GET", base + "/{aid}", readRuns, a.getActivity},
		{"GET", base + "/{aid}" + cast, readRuns, a.getActivity},
		{"GET", base + "/{aid}/activity", readRuns, a.getActivityFlow},
	}
	// The function by its short and its qualified name, as the SDKs send it.
	for _, name := range []string{"getStatistics()", "microsoft.graph.industryData.getStatistics()"} {
		rs = append(rs,
			route{"GET", "/industryData/runs/" + name, readRuns, a.latestRunStatistics},
			route{"GET", "/industryData/runs/{id}/" + name, readRuns, a.runStatistics})
	}
	return rs
}

// activitiesPath is the @odata.context path of a run's activities.
func activitiesPath(r *http.Request, runID string) string {
	return setPath(r, "runs") + "('" + strings.ReplaceAll(runID, "'", "''") + "')/activities"
}

func (a *api) listActivities(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := listQuery(r, schema.IndustryDataRunActivity, "activity")
	if err != nil {
		return err
	}
	withFlows := slices.Contains(q.Expand, "activity")
	runID := r.PathValue("id")
	page, err := t.ListActivities(r.Context(), runID, q)
	if err != nil {
		return err
	}
	out := newCollectionPage(q, activitiesPath(r, runID), page)
	if withFlows {
		flows, err := t.ExpandActivityFlows(r.Context(), page.Items)
		if err != nil {
			return err
		}
		for i, f := range flows {
			out.items[i].expand = []schema.Expansion{flowExpansion(f)}
		}
	}
	return a.writeCollection(w, r, out)
}

func (a *api) countActivities(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := countQuery(r, schema.IndustryDataRunActivity)
	if err != nil {
		return err
	}
	n, err := t.CountActivities(r.Context(), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	return writeCount(w, n)
}

func (a *api) getActivity(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := entityOptions(r, schema.IndustryDataRunActivity, "activity")
	if err != nil {
		return err
	}
	withFlow := slices.Contains(q.Expand, "activity")
	runID := r.PathValue("id")
	act, err := t.GetActivity(r.Context(), runID, r.PathValue("aid"))
	if err != nil {
		return err
	}
	var expand []schema.Expansion
	if withFlow {
		flows, err := t.ExpandActivityFlows(r.Context(), []industrydata.RunActivity{act})
		if err != nil {
			return err
		}
		expand = []schema.Expansion{flowExpansion(flows[0])}
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: &act, expand: expand, sel: selection(q),
		context: activitiesPath(r, runID) + selectSuffix(q) + "/$entity"})
}

// getActivityFlow serves runs/{id}/activities/{aid}/activity: the inbound
// flow the activity executed. Like the activity's displayName, it is part
// of the run's record, which the run permissions read.
func (a *api) getActivityFlow(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := entityOptions(r, schema.InboundFlow); err != nil {
		return err
	}
	f, err := t.ActivityFlow(r.Context(), r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		return err
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: f, etag: f.Meta().ETag,
		context: setPath(r, "inboundFlows") + "/$entity"})
}

// flowExpansion is the activity navigation of one activity: its flow, or
// null once the flow has been deleted.
func flowExpansion(f service.Entity) schema.Expansion {
	x := schema.Expansion{Name: "activity", Type: schema.IndustryDataActivity, Single: true}
	if f != nil {
		x.Items = []any{f}
	}
	return x
}

func (a *api) runStatistics(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	st, err := t.RunStatistics(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeStatistics(w, r, &st)
}

func (a *api) latestRunStatistics(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	st, err := t.LatestRunStatistics(r.Context())
	if err != nil {
		return err
	}
	return a.writeStatistics(w, r, &st)
}

// writeStatistics sends an industryDataRunStatistics, the complex value
// getStatistics returns.
func (a *api) writeStatistics(w http.ResponseWriter, r *http.Request, st *industrydata.RunStatistics) error {
	buf := []byte(`{"@odata.context":`)
	buf = schema.AppendString(buf, a.versionRoot(r)+"/$metadata#"+schema.IndustryDataRunStatistics.FullName())
	buf = append(buf, ',')
	buf = schema.AppendComplexMembers(buf, schema.IndustryDataRunStatistics, st)
	buf = append(buf, '}')
	writeJSON(w, http.StatusOK, buf)
	return nil
}
