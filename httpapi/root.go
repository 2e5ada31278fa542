package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// tenantRoot is the industryDataRoot singleton of a tenant; its id is the
// tenant's.
type tenantRoot struct{ id string }

func (t *tenantRoot) EntityID() string { return t.id }

func (a *api) getRoot(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	etag := rootETag(t.ID())
	if notModified(w, r, etag) {
		return nil
	}
	context := setPath(r, "")
	context = context[:len(context)-1] + "/$entity" // "…industryData/$entity"
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, typ: schema.IndustryDataRoot,
		entity: &tenantRoot{id: string(t.ID())}, context: context, etag: etag})
}

// rootETag is the root's strong validator. The root holds nothing but the
// tenant's id, so its representation changes only with the tenant or with
// the schema: the tag hashes the tenant id with $metadata's own ETag, and
// is the same on every server and across restarts until the schema changes.
func rootETag(tenant industrydata.TenantID) string {
	sum := sha256.Sum256([]byte("industryDataRoot\x00" + string(tenant) + "\x00" + metadataETag()))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// external is the /external singleton (externalConnectors.external): it has
// no properties, and its industryData navigation is not expanded.
type external struct{}

// getExternal answers GET /beta/external as Graph does: the singleton, its
// context $metadata#external. (The route table registers the path under
// both prefixes, so /beta/external/external answers the same.)
func (a *api) getExternal(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	return a.writeEntity(w, r, entityResponse{status: http.StatusOK, typ: schema.External,
		entity: external{}, context: "external"})
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

func (a *api) readyz(w http.ResponseWriter, r *http.Request) {
	if a.Ready != nil {
		if err := a.Ready(r.Context()); err != nil {
			a.Logger.WarnContext(r.Context(), "not ready", "err", err)
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeServiceUnavailable, "The store is not ready."))
			return
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
}
