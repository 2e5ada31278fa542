package httpapi

import (
	"net/http"

	"industrydata"
	"industrydata/schema"
)

func operationResponse(status int, op *industrydata.Operation, context string) entityResponse {
	return entityResponse{status: status, typ: operationSchemaType(op), entity: op, etag: op.ETag, context: context}
}

func operationSchemaType(op *industrydata.Operation) *schema.EntityType {
	if t := schema.LookupEntityType(op.Type); t != nil {
		return t
	}
	return schema.LongRunningOperation
}

func (a *api) listOperations(w http.ResponseWriter, r *http.Request) error {
	req, err := a.listRequest(r, schema.LongRunningOperation)
	if err != nil {
		return err
	}
	page, err := a.Service.ListOperations(r.Context(), principal(r).Tenant, req)
	if err != nil {
		return err
	}
	return a.writeCollection(w, r, newCollectionPage(a, r, req.Query, setPath(r, "operations"), page, operationSchemaType))
}

func (a *api) createOperation(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	op, err := a.Service.CreateOperation(r.Context(), principal(r).Tenant, body)
	if err != nil {
		return err
	}
	set := setPath(r, "operations")
	w.Header().Set("Location", a.versionRoot(r)+"/"+set+"/"+op.ID)
	return a.writeEntity(w, r, operationResponse(http.StatusCreated, &op, set+"/$entity"))
}

func (a *api) getOperation(w http.ResponseWriter, r *http.Request) error {
	q, err := entityOptions(r, schema.LongRunningOperation)
	if err != nil {
		return err
	}
	op, err := a.Service.GetOperation(r.Context(), principal(r).Tenant, r.PathValue("id"))
	if err != nil {
		return err
	}
	if notModified(w, r, op.ETag) {
		return nil
	}
	res := operationResponse(http.StatusOK, &op, setPath(r, "operations")+selectSuffix(q)+"/$entity")
	res.sel = selection(q)
	return a.writeEntity(w, r, res)
}

func (a *api) updateOperation(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	op, err := a.Service.UpdateOperation(r.Context(), principal(r).Tenant, r.PathValue("id"), body, parseETags(r.Header, "If-Match"))
	if err != nil {
		return err
	}
	if prefersMinimal(w, r) {
		return noContent(w, op.ETag)
	}
	return a.writeEntity(w, r, operationResponse(http.StatusOK, &op, setPath(r, "operations")+"/$entity"))
}

func (a *api) deleteOperation(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := a.Service.DeleteOperation(r.Context(), principal(r).Tenant, r.PathValue("id"), parseETags(r.Header, "If-Match")); err != nil {
		return err
	}
	return noContent(w, "")
}
