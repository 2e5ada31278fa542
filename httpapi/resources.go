package httpapi

import (
	"net/http"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// resourceSetRoute is one import-surface set in the route table: its name
// and the permissions that read and write it (SPEC §7).
type resourceSetRoute struct {
	name        string
	read, write []industrydata.Permission
}

// resourceSetRoutes are the import-surface sets the API serves.
var resourceSetRoutes = []resourceSetRoute{
	{"referenceDefinitions", readReferenceDefinitions, writeReferenceDefinitions},
	{"roleGroups", readReferenceDefinitions, writeReferenceDefinitions},
	{"sourceSystems", readSourceSystems, writeSourceSystems},
	{"years", readYears, writeYears},
	{"dataConnectors", readDataConnectors, writeDataConnectors},
	{"inboundFlows", readInboundFlows, writeInboundFlows},
}

// readPermissionsOf is the read permission set of the import-surface set
// name; nil when it is not one.
func readPermissionsOf(name string) []industrydata.Permission {
	for _, s := range resourceSetRoutes {
		if s.name == name {
			return s.read
		}
	}
	return nil
}

// routes are every route of one set: the collection, its $count and
// type casts, one entity, its casts and its navigation segments.
func (a *api) resourceRoutes(s resourceSetRoute, typ *schema.EntityType) []route {
	base := "/industryData/" + s.name
	rs := []route{
		{"GET", base, s.read, a.listResources(s.name, nil)},
		{"POST", base, s.write, a.createResource(s.name)},
		{"GET", base + "/$count", s.read, a.countResources(s.name, nil)},
		{"GET", base + "/{id}", s.read, a.getResource(s.name, nil)},
		{"PATCH", base + "/{id}", s.write, a.updateResource(s.name, nil)},
		{"DELETE", base + "/{id}", s.write, a.deleteResource(s.name)},
	}
	if subtypes := schema.ConcreteSubtypes(typ); len(subtypes) > 1 || typ.Abstract {
		for _, sub := range subtypes {
			cast := "/" + sub.FullName()
			rs = append(rs,
				route{"GET", base + cast, s.read, a.listResources(s.name, sub)},
				route{"GET", base + cast + "/$count", s.read, a.countResources(s.name, sub)},
				route{"GET", base + "/{id}" + cast, s.read, a.getResource(s.name, sub)},
				route{"PATCH", base + "/{id}" + cast, s.write, a.updateResource(s.name, sub)},
			)
		}
	}
	for _, nav := range typ.AllNavigation() {
		if nav.Get == nil {
			continue
		}
		// Reading the target needs the permission to read the target's set.
		target := schema.SetName(nav.Target)
		rs = append(rs, route{"GET", base + "/{id}/" + nav.Name, readPermissionsOf(target), a.navigateResource(s.name, nav)})
	}
	return rs
}

// expandable lists the navigations of typ that $expand may name.
func expandable(typ *schema.EntityType) []string {
	var out []string
	for _, nav := range typ.AllNavigation() {
		if nav.Get != nil {
			out = append(out, nav.Name)
		}
	}
	return out
}

// expansions reads the $expand of entities, once the caller is known to
// be allowed to read every expanded set.
func expansions(r *http.Request, t *service.Tenant, typ *schema.EntityType, items []service.Entity, navs []string) ([][]schema.Expansion, error) {
	if len(navs) == 0 {
		return nil, nil
	}
	for _, name := range navs {
		perms := readPermissionsOf(schema.SetName(typ.NavigationProperty(name).Target))
		if !principal(r).HasAny(perms...) {
			return nil, industrydata.Errorf(industrydata.CodeAccessDenied,
				"The caller lacks the permission $expand=%s needs: one of %s.", name, permissionList(perms))
		}
	}
	return t.Expand(r.Context(), items, navs)
}

// castType is the type a request addresses: the cast, else the set's.
func castType(set service.ResourceSet, cast *schema.EntityType) *schema.EntityType {
	if cast != nil {
		return cast
	}
	return set.Type()
}

// castContext is the @odata.context path of a set, with its cast.
func castContext(r *http.Request, name string, cast *schema.EntityType) string {
	if cast != nil {
		return setPath(r, name) + "/" + cast.FullName()
	}
	return setPath(r, name)
}

// ofType answers 404 for an entity that is not of the cast's type.
func ofType(e service.Entity, cast *schema.EntityType, id string) error {
	if cast != nil && !schema.TypeOf(e).DerivesFrom(cast) {
		return industrydata.Errorf(industrydata.CodeItemNotFound, "No %s with the id '%s' was found.", cast.Name, industrydata.Shorten(id, 64))
	}
	return nil
}

func (a *api) listResources(name string, cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		set := t.Resources(name)
		typ := castType(set, cast)
		q, err := listQuery(r, typ, expandable(typ)...)
		if err != nil {
			return err
		}
		page, err := set.List(r.Context(), q)
		if err != nil {
			return err
		}
		expand, err := expansions(r, t, typ, page.Items, q.Expand)
		if err != nil {
			return err
		}
		out := newCollectionPage(q, castContext(r, name, cast), page)
		for i := range expand {
			out.items[i].expand = expand[i]
		}
		return a.writeCollection(w, r, out)
	}
}

func (a *api) countResources(name string, cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		set := t.Resources(name)
		q, err := countQuery(r, castType(set, cast))
		if err != nil {
			return err
		}
		n, err := set.Count(r.Context(), q)
		if err != nil {
			return err
		}
		return writeCount(w, n)
	}
}

func (a *api) createResource(name string) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		e, err := t.Resources(name).Create(r.Context(), body)
		if err != nil {
			return err
		}
		m := e.Meta()
		w.Header().Set("Location", a.versionRoot(r)+"/"+setPath(r, name)+"/"+m.ID)
		return a.writeEntity(w, r, entityResponse{status: http.StatusCreated, entity: e, etag: m.ETag, context: setPath(r, name) + "/$entity"})
	}
}

func (a *api) getResource(name string, cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		set := t.Resources(name)
		typ := castType(set, cast)
		q, err := entityOptions(r, typ, expandable(typ)...)
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		e, err := set.Get(r.Context(), id)
		if err != nil {
			return err
		}
		if err := ofType(e, cast, id); err != nil {
			return err
		}
		res := entityResponse{status: http.StatusOK, entity: e, etag: e.Meta().ETag,
			context: castContext(r, name, cast) + selectSuffix(q) + "/$entity", sel: selection(q)}
		if len(q.Expand) > 0 {
			// The ETag covers the entity, not what it expands: never 304.
			expand, err := expansions(r, t, typ, []service.Entity{e}, q.Expand)
			if err != nil {
				return err
			}
			res.expand = expand[0]
		} else if notModified(w, r, res.etag) {
			return nil
		}
		return a.writeEntity(w, r, res)
	}
}

func (a *api) updateResource(name string, cast *schema.EntityType) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		set := t.Resources(name)
		id := r.PathValue("id")
		if cast != nil {
			// A cast addresses only entities of its type: 404 otherwise,
			// before the body is applied.
			e, err := set.Get(r.Context(), id)
			if err != nil {
				return err
			}
			if err := ofType(e, cast, id); err != nil {
				return err
			}
		}
		e, err := set.Update(r.Context(), id, body, parseETags(r.Header, "If-Match"))
		if err != nil {
			return err
		}
		if prefersMinimal(w, r) {
			return noContent(w, e.Meta().ETag)
		}
		return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: e, etag: e.Meta().ETag,
			context: castContext(r, name, cast) + "/$entity"})
	}
}

func (a *api) deleteResource(name string) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		if _, err := queryOptions(r); err != nil {
			return err
		}
		if err := t.Resources(name).Delete(r.Context(), r.PathValue("id"), parseETags(r.Header, "If-Match")); err != nil {
			return err
		}
		return noContent(w, "")
	}
}

func (a *api) navigateResource(name string, nav *schema.NavigationProperty) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := entityOptions(r, nav.Target)
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		e, err := t.Navigate(r.Context(), t.Resources(name), id, nav.Name)
		if err != nil {
			return err
		}
		if notModified(w, r, e.Meta().ETag) {
			return nil
		}
		return a.writeEntity(w, r, entityResponse{status: http.StatusOK, entity: e, etag: e.Meta().ETag,
			context: setPath(r, schema.SetName(nav.Target)) + selectSuffix(q) + "/$entity", sel: selection(q)})
	}
}
