package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
)

// processRunsPath is the @odata.context path of a process's runs. Graph
// writes a contained navigation collection as the entity's key segment and
// then the property: users('<id>')/messages, here processes('<id>')/runs.
func processRunsPath(r *http.Request, processID string) string {
	return setPath(r, "processes") + "('" + strings.ReplaceAll(processID, "'", "''") + "')/runs"
}

// listRuns serves GET runs and, underProcess, GET processes/{id}/runs:
// newest first unless $orderby says otherwise (SPEC §2).
func (a *api) listRuns(underProcess bool) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := listQuery(r, schema.IndustryDataRun)
		if err != nil {
			return err
		}
		processID, context := "", setPath(r, "runs")
		if underProcess {
			processID = r.PathValue("id")
			context = processRunsPath(r, processID)
		}
		page, err := t.ListRuns(r.Context(), processID, q)
		if err != nil {
			return err
		}
		return a.writeCollection(w, r, newCollectionPage(q, context, page))
	}
}

func (a *api) getRun(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := entityOptions(r, schema.IndustryDataRun)
	if err != nil {
		return err
	}
	run, err := t.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if notModified(w, r, run.ETag) {
		return nil
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: &run, etag: run.ETag,
		context: setPath(r, "runs") + selectSuffix(q) + "/$entity", sel: selection(q)})
}

// startRun serves POST processes/{id}/runs: 202 Accepted, the Location of
// the operation that tracks the run, and the run (SPEC §4).
func (a *api) startRun(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := noParameters(w, r); err != nil {
		return err
	}
	run, op, err := t.StartRun(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.acceptedRun(w, r, &run, &op)
}

// startAllRuns serves POST runs/start, published Graph's action.
func (a *api) startAllRuns(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := noParameters(w, r); err != nil {
		return err
	}
	run, op, err := t.StartAllRuns(r.Context())
	if err != nil {
		return err
	}
	return a.acceptedRun(w, r, &run, &op)
}

func (a *api) acceptedRun(w http.ResponseWriter, r *http.Request, run *industrydata.Run, op *industrydata.Operation) error {
	w.Header().Set("Location", a.versionRoot(r)+"/"+setPath(r, "operations")+"/"+op.ID)
	return a.writeEntity(w, r, entityResponse{status: http.StatusAccepted, entity: run, etag: run.ETag,
		context: processRunsPath(r, run.ProcessID) + "/$entity"})
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
func runsExpansions(r *http.Request, t *service.Tenant, processes []industrydata.Process) ([][]schema.Expansion, error) {
	ids := make([]string, len(processes))
	for i := range processes {
		ids[i] = processes[i].ID
	}
	runs, err := t.RecentRuns(r.Context(), ids)
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
