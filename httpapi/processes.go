package httpapi

import (
	"net/http"

	"industrydata"
	"industrydata/schema"
)

func processSchemaType(p *industrydata.Process) *schema.EntityType {
	if t := schema.LookupEntityType(p.Type); t != nil {
		return t
	}
	return schema.Process
}

// processContext is the @odata.context fragment of one process, addressed
// with or without a type-cast segment.
func processContext(r *http.Request, cast *schema.EntityType) string {
	if cast != nil {
		return setPath(r, "processes") + "/" + cast.FullName() + "/$entity"
	}
	return setPath(r, "processes") + "/$entity"
}

func processResponse(status int, p *industrydata.Process, context string) entityResponse {
	return entityResponse{status: status, typ: processSchemaType(p), entity: p, etag: p.ETag, context: context}
}

func (a *api) listProcesses(cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		page, err := pageOptions(r)
		if err != nil {
			return err
		}
		ps, more, err := a.Service.ListProcesses(r.Context(), principal(r).Tenant, page, cast)
		if err != nil {
			return err
		}
		items := make([]collectionItem, len(ps))
		for i := range ps {
			items[i] = collectionItem{typ: processSchemaType(&ps[i]), entity: &ps[i]}
		}
		next := ""
		if more {
			next = a.nextLink(r, page, ps[len(ps)-1].Seq)
		}
		context := setPath(r, "processes")
		if cast != nil {
			context += "/" + cast.FullName()
		}
		return a.writeCollection(w, r, context, items, next)
	}
}

func (a *api) createProcess(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := a.Service.CreateProcess(r.Context(), principal(r).Tenant, body)
	if err != nil {
		return err
	}
	set := setPath(r, "processes")
	w.Header().Set("Location", a.versionRoot(r)+"/"+set+"/"+p.ID)
	return a.writeEntity(w, r, processResponse(http.StatusCreated, &p, set+"/$entity"))
}

func (a *api) getProcess(cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		p, err := a.Service.GetProcess(r.Context(), principal(r).Tenant, r.PathValue("id"), cast)
		if err != nil {
			return err
		}
		if notModified(w, r, p.ETag) {
			return nil
		}
		return a.writeEntity(w, r, processResponse(http.StatusOK, &p, processContext(r, cast)))
	}
}

func (a *api) updateProcess(cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		p, err := a.Service.UpdateProcess(r.Context(), principal(r).Tenant, r.PathValue("id"), body, parseETags(r.Header, "If-Match"), cast)
		if err != nil {
			return err
		}
		if prefersMinimal(w, r) {
			return noContent(w, p.ETag)
		}
		return a.writeEntity(w, r, processResponse(http.StatusOK, &p, processContext(r, cast)))
	}
}

func (a *api) deleteProcess(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := a.Service.DeleteProcess(r.Context(), principal(r).Tenant, r.PathValue("id"), parseETags(r.Header, "If-Match")); err != nil {
		return err
	}
	return noContent(w, "")
}
