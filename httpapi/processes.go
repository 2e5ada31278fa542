package httpapi

import (
	"net/http"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// processContext is the @odata.context fragment of one process, addressed
// with or without a type-cast segment.
func processContext(r *http.Request, cast *schema.EntityType, sel string) string {
	if cast != nil {
		return setPath(r, "processes") + "/" + cast.FullName() + sel + "/$entity"
	}
	return setPath(r, "processes") + sel + "/$entity"
}

func (a *api) listProcesses(cast *schema.EntityType) handler {
	typ := schema.Process
	if cast != nil {
		typ = cast
	}
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := listQuery(r, typ, "runs")
		if err != nil {
			return err
		}
		withRuns, err := expandsRuns(r, q)
		if err != nil {
			return err
		}
		page, err := t.ListProcesses(r.Context(), q, cast)
		if err != nil {
			return err
		}
		var expand [][]schema.Expansion
		if withRuns {
			if expand, err = runsExpansions(r, t, page.Items); err != nil {
				return err
			}
		}
		context := setPath(r, "processes")
		if cast != nil {
			context += "/" + cast.FullName()
		}
		out := newCollectionPage(q, context, page)
		for i := range expand {
			out.items[i].expand = expand[i]
		}
		return a.writeCollection(w, r, out)
	}
}

func (a *api) createProcess(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := t.CreateProcess(r.Context(), body)
	if err != nil {
		return err
	}
	set := setPath(r, "processes")
	w.Header().Set("Location", a.versionRoot(r)+"/"+set+"/"+p.ID)
	return a.writeEntity(w, r, entityResponse{status: http.StatusCreated, entity: &p, etag: p.ETag, context: set + "/$entity"})
}

func (a *api) getProcess(cast *schema.EntityType) handler {
	typ := schema.Process
	if cast != nil {
		typ = cast
	}
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := entityOptions(r, typ, "runs")
		if err != nil {
			return err
		}
		withRuns, err := expandsRuns(r, q)
		if err != nil {
			return err
		}
		p, err := t.GetProcess(r.Context(), r.PathValue("id"), cast)
		if err != nil {
			return err
		}
		res := entityResponse{status: http.StatusOK, entity: &p, etag: p.ETag, context: processContext(r, cast, selectSuffix(q)), sel: selection(q)}
		if withRuns {
			// The ETag header stays the process's own version (what PATCH's
			// If-Match compares), but it does not cover the runs, so an
			// expanded GET is never answered 304.
			expand, err := runsExpansions(r, t, []industrydata.Process{p})
			if err != nil {
				return err
			}
			res.expand = expand[0]
		} else if notModified(w, r, p.ETag) {
			return nil
		}
		return a.writeEntity(w, r, res)
	}
}

func (a *api) updateProcess(cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		p, err := t.UpdateProcess(r.Context(), r.PathValue("id"), body, parseETags(r.Header, "If-Match"), cast)
		if err != nil {
			return err
		}
		if prefersMinimal(w, r) {
			return noContent(w, p.ETag)
		}
		return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: &p, etag: p.ETag, context: processContext(r, cast, "")})
	}
}

func (a *api) deleteProcess(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := t.DeleteProcess(r.Context(), r.PathValue("id"), parseETags(r.Header, "If-Match")); err != nil {
		return err
	}
	return noContent(w, "")
}
