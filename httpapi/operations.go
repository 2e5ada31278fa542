package httpapi

import (
	"net/http"

	"industrydata/schema"
	"industrydata/service"
)

func (a *api) listOperations(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := listQuery(r, schema.LongRunningOperation)
	if err != nil {
		return err
	}
	page, err := t.ListOperations(r.Context(), q)
	if err != nil {
		return err
	}
	return a.writeCollection(w, r, newCollectionPage(q, setPath(r, "operations"), page))
}

func (a *api) createOperation(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	op, err := t.CreateOperation(r.Context(), body)
	if err != nil {
		return err
	}
	set := setPath(r, "operations")
	w.Header().Set("Location", a.versionRoot(r)+"/"+set+"/"+op.ID)
	return a.writeEntity(w, r, entityResponse{status: http.StatusCreated, entity: &op, etag: op.ETag, context: set + "/$entity"})
}

func (a *api) getOperation(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := entityOptions(r, schema.LongRunningOperation)
	if err != nil {
		return err
	}
	op, err := t.GetOperation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if notModified(w, r, op.ETag) {
		return nil
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: &op, etag: op.ETag,
		context: setPath(r, "operations") + selectSuffix(q) + "/$entity", sel: selection(q)})
}

func (a *api) updateOperation(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	op, err := t.UpdateOperation(r.Context(), r.PathValue("id"), body, parseETags(r.Header, "If-Match"))
	if err != nil {
		return err
	}
	if prefersMinimal(w, r) {
		return noContent(w, op.ETag)
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: &op, etag: op.ETag,
		context: setPath(r, "operations") + "/$entity"})
}

func (a *api) deleteOperation(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := t.DeleteOperation(r.Context(), r.PathValue("id"), parseETags(r.Header, "If-Match")); err != nil {
		return err
	}
	return noContent(w, "")
}
