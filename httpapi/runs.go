package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

func runResponse(status int, run *industrydata.Run, context string) entityResponse {
	return entityResponse{status: status, typ: schema.IndustryDataRun, entity: run, etag: run.ETag, context: context}
}

// processRunsPath is the @odata.context path of a process's runs. Graph
// writes a contained navigation collection as the entity's key segment and
// then the property: users('<id>')/messages, here processes('<id>')/runs.
func processRunsPath(r *http.Request, processID string) string {
	return setPath(r, "processes") + "('" + strings.ReplaceAll(processID, "'", "''") + "')/runs"
}

// listRuns serves GET runs and, underProcess, GET processes/{id}/runs:
// newest first unless $orderby says otherwise (SPEC §2).
func (a *api) listRuns(underProcess bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := a.listRequest(r, schema.IndustryDataRun)
		if err != nil {
			return err
		}
		processID, context := "", setPath(r, "runs")
		if underProcess {
			processID = r.PathValue("id")
			context = processRunsPath(r, processID)
		}
		page, err := a.Service.ListRuns(r.Context(), principal(r).Tenant, processID, req)
		if err != nil {
			return err
		}
		return a.writeCollection(w, r, newCollectionPage(a, r, req.Query, context, page,
			func(*industrydata.Run) *schema.EntityType { return schema.IndustryDataRun }))
	}
}

func (a *api) getRun(w http.ResponseWriter, r *http.Request) error {
	q, err := entityOptions(r, schema.IndustryDataRun)
	if err != nil {
		return err
	}
	run, err := a.Service.GetRun(r.Context(), principal(r).Tenant, r.PathValue("id"))
	if err != nil {
		return err
	}
	if notModified(w, r, run.ETag) {
		return nil
	}
	res := runResponse(http.StatusOK, &run, setPath(r, "runs")+selectSuffix(q)+"/$entity")
	res.sel = selection(q)
	return a.writeEntity(w, r, res)
}

// expandsRuns reports whether q asks for $expand=runs, and refuses it (403)
// to a caller who may read processes but not runs: SPEC §7 grants runs to
// IndustryData-Run.Read.All and IndustryData-Run.Start only.
func expandsRuns(r *http.Request, q *odata.Query) (bool, error) {
	if !slices.Contains(q.Expand, "runs") {
		return false, nil
	}
	if !principal(r).HasAny(readRuns...) {
		return false, industrydata.Errorf(industrydata.CodeAccessDenied,
			"The caller lacks the permission $expand=runs needs: one of %s.", permissionList(readRuns))
	}
	return true, nil
}

// runsExpansions returns, for each process, its runs expansion: the newest
// runs, at most service.MaxExpandedRuns each, read in one query for all.
func (a *api) runsExpansions(r *http.Request, processes []industrydata.Process) ([][]schema.Expansion, error) {
	ids := make([]string, len(processes))
	for i := range processes {
		ids[i] = processes[i].ID
	}
	runs, err := a.Service.RecentRuns(r.Context(), principal(r).Tenant, ids)
	if err != nil {
		return nil, err
	}
	out := make([][]schema.Expansion, len(processes))
	for i := range processes {
		rs := runs[processes[i].ID]
		items := make([]any, len(rs))
		for j := range rs {
			items[j] = &rs[j]
		}
		out[i] = []schema.Expansion{{Name: "runs", Type: schema.IndustryDataRun, Items: items}}
	}
	return out, nil
}
