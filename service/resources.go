package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// MaxResourcesPerSet is the most entities a tenant keeps in one set of the
// import surface. The sets are configuration (a district has a handful of
// source systems, years and flows), listed by reading the whole set, so
// the cap is what keeps a list's cost bounded.
const MaxResourcesPerSet = 1000

// ResourceSet is one entity set of the import surface as one tenant sees
// it (SPEC §11). Entities are pointers to the root package's types
// (*industrydata.SourceSystem…), which schema.TypeOf knows.
type ResourceSet interface {
	// Name is the set's name, as in the URL: "sourceSystems".
	Name() string
	// Type is the set's entity type (its base type, when abstract).
	Type() *schema.EntityType
	Create(ctx context.Context, body *schema.Body) (Entity, error)
	Get(ctx context.Context, id string) (Entity, error)
	List(ctx context.Context, q *odata.Query) (Page[Entity], error)
	Count(ctx context.Context, q *odata.Query) (int64, error)
	Update(ctx context.Context, id string, body *schema.Body, cond Precondition) (Entity, error)
	Delete(ctx context.Context, id string, cond Precondition) error
}

// Entity is an import-surface entity: a pointer to one of the root
// package's types, all of which embed industrydata.ResourceMeta.
type Entity interface {
	Meta() *industrydata.ResourceMeta
}

// entityPtr constrains P to *T with the ResourceMeta methods.
type entityPtr[T any] interface {
	*T
	Entity
}

// resourceSet is the generic set: the rules every set shares (types,
// required properties, references, ETags, paging), with hooks for the
// rules of one set.
type resourceSet[T any, P entityPtr[T]] struct {
	name string
	base *schema.EntityType
	kind string // what an entity is called in messages
	// prepare, when set, gives a new entity its server-managed values
	// before the body applies.
	prepare func(e P)
	// check, when set, judges an entity about to be stored (create or
	// update) by the set's rules across its properties. It must not read
	// anything: updates run it inside the store's transaction.
	check func(e P) error
	// derive, when set, fills in what an entity read from the store shows
	// but does not keep (a flow's readinessStatus), before anything sees
	// it, filters included; memo is shared by the entities of one request.
	derive func(ctx context.Context, t *Tenant, e P, memo map[string]bool) error
}

// view is e as the set shows it: derived values filled in.
func (b boundSet[T, P]) view(ctx context.Context, e P) (P, error) {
	if b.derive == nil {
		return e, nil
	}
	if err := b.derive(ctx, b.t, e, map[string]bool{}); err != nil {
		return nil, err
	}
	return e, nil
}

// source is where List and Count read the set: the store, with derived
// values filled in; nil (the store as it is) when the set derives none.
// The entities are derived once the scan has ended: deriving reads the
// store too, and a read inside a scan holds two of the store's read
// connections at once, so that as many such requests as the store has
// connections would each hold one and wait for another, for ever. A
// tenant holds at most MaxResourcesPerSet entities of a set, which
// bounds what waits between the two.
func (b boundSet[T, P]) source() func(context.Context, func(P) bool) error {
	if b.derive == nil {
		return nil
	}
	return func(ctx context.Context, each func(P) bool) error {
		var all []P
		err := scanStored[T, P](ctx, b.t, b.name, func(e P) bool {
			all = append(all, e)
			return false
		})
		if err != nil {
			return err
		}
		memo := map[string]bool{}
		for _, e := range all {
			if err := b.derive(ctx, b.t, e, memo); err != nil {
				return err
			}
			if each(e) {
				return nil
			}
		}
		return nil
	}
}

// boundSet is a resourceSet for one tenant.
type boundSet[T any, P entityPtr[T]] struct {
	*resourceSet[T, P]
	t *Tenant
}

func (s *resourceSet[T, P]) bind(t *Tenant) ResourceSet { return boundSet[T, P]{s, t} }

func (b boundSet[T, P]) Name() string             { return b.name }
func (b boundSet[T, P]) Type() *schema.EntityType { return b.base }

// bindCreate checks a create body: the type it names (required when the
// set's type is abstract), its properties, and that every required
// property and navigation is there, but for those the service defaults
// (optional).
func bindCreate(body *schema.Body, base *schema.EntityType, set string, optional ...string) (*schema.Patch, error) {
	typ := base
	name, named, err := body.ODataType()
	if err != nil {
		return nil, err
	}
	if named || base.Abstract {
		typ = schema.LookupEntityType(name)
		if typ == nil || typ.Abstract || !typ.DerivesFrom(base) {
			return nil, industrydata.BadProperty("@odata.type",
				"The request body must carry '@odata.type' naming the type to create in %s: one of %s.", set, concreteTypes(base))
		}
	}
	patch, err := body.Bind(typ)
	if err != nil {
		return nil, err
	}
	if err := rejectReadOnly(patch); err != nil {
		return nil, err
	}
	for _, p := range typ.AllProperties() {
		if !p.ReadOnly && !p.Nullable && p.Set != nil && !patch.Has(p.Name) && !slices.Contains(optional, p.Name) {
			return nil, industrydata.BadProperty(p.Name, "The property '%s' is required to create a %s.", p.Name, typ.Name)
		}
	}
	for _, n := range typ.AllNavigation() {
		if n.Set != nil && !n.Nullable && !patch.Has(n.Name) {
			return nil, industrydata.BadProperty(n.Name, "The navigation property '%s' is required to create a %s; set it with '%s@odata.bind'.", n.Name, typ.Name, n.Name)
		}
	}
	return patch, nil
}

// concreteTypes names the types a POST to a set of base may create.
func concreteTypes(base *schema.EntityType) string {
	var names []string
	for _, t := range schema.ConcreteSubtypes(base) {
		names = append(names, "'"+t.ODataType()+"'")
	}
	return strings.Join(names, ", ")
}

func (b boundSet[T, P]) Create(ctx context.Context, body *schema.Body) (Entity, error) {
	patch, err := bindCreate(body, b.base, b.name)
	if err != nil {
		return nil, err
	}
	e := P(new(T))
	e.Meta().ID = uuid.NewString()
	setType(e, patch.Type)
	if b.prepare != nil {
		b.prepare(e)
	}
	patch.Apply(e)
	defs, err := b.definitions(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.judge(defs, e); err != nil {
		return nil, err
	}
	r := toResource(b.name, patch.Type, e)
	if err := b.t.s.store.CreateResource(ctx, b.t.id, b.t.actor, &r, MaxResourcesPerSet); err != nil {
		return nil, b.writeError(err, e.Meta().ID)
	}
	e.Meta().ETag, e.Meta().Seq = r.ETag, r.Seq
	return b.view(ctx, e)
}

// definitions reads what judge needs: the tenant's reference definitions,
// when the set's entities hold reference values.
func (b boundSet[T, P]) definitions(ctx context.Context) (map[string]*refDef, error) {
	if !holdsReferenceValues(b.base) {
		return nil, nil
	}
	return b.t.referenceDefinitionsByID(ctx)
}

// judge checks an entity about to be stored: its reference codes against
// defs, then the set's own rules. It reads nothing, so it may run inside
// a store's transaction.
func (b boundSet[T, P]) judge(defs map[string]*refDef, e P) error {
	if err := checkReferenceCodes(defs, schema.TypeOf(e), e); err != nil {
		return err
	}
	if b.check != nil {
		return b.check(e)
	}
	return nil
}

func (b boundSet[T, P]) Get(ctx context.Context, id string) (Entity, error) {
	r, err := b.t.s.store.GetResource(ctx, b.t.id, b.name, id)
	if err != nil {
		return nil, notFound(err, b.kind, id)
	}
	e, err := fromResource[T, P](&r)
	if err != nil {
		return nil, err
	}
	return b.view(ctx, e)
}

func (b boundSet[T, P]) Update(ctx context.Context, id string, body *schema.Body, cond Precondition) (Entity, error) {
	patch, err := body.BindUpdate(b.base)
	if err != nil {
		return nil, err
	}
	if err := checkID(patch, id); err != nil {
		return nil, err
	}
	if err := rejectReadOnly(patch, "id"); err != nil {
		return nil, err
	}
	// Judging the new version needs the tenant's reference definitions:
	// they are read before the store's transaction, which then does no
	// reading of its own.
	defs, err := b.definitions(ctx)
	if err != nil {
		return nil, err
	}
	var out P
	stored, err := b.t.s.store.UpdateResource(ctx, b.t.id, b.t.actor, b.name, id, func(r *industrydata.Resource) error {
		if err := cond.check(r.ETag); err != nil {
			return err
		}
		e, err := fromResource[T, P](r)
		if err != nil {
			return err
		}
		typ := schema.TypeOf(e)
		if err := patch.CheckType(typ); err != nil {
			return err
		}
		patch.Apply(e)
		if err := b.judge(defs, e); err != nil {
			return err
		}
		next := toResource(b.name, typ, e)
		r.Doc, r.Refs = next.Doc, next.Refs
		out = e
		return nil
	})
	if err != nil {
		return nil, b.writeError(err, id)
	}
	out.Meta().ETag = stored.ETag // the store assigns it after apply
	return b.view(ctx, out)
}

func (b boundSet[T, P]) Delete(ctx context.Context, id string, cond Precondition) error {
	err := b.t.s.store.DeleteResource(ctx, b.t.id, b.t.actor, b.name, id, func(r industrydata.Resource) error {
		return cond.check(r.ETag)
	})
	return b.writeError(err, id)
}

func (b boundSet[T, P]) List(ctx context.Context, q *odata.Query) (Page[Entity], error) {
	return listResources[T, P](ctx, b.t, b.name, b.base, q, b.source())
}

func (b boundSet[T, P]) Count(ctx context.Context, q *odata.Query) (int64, error) {
	return countResources[T, P](ctx, b.t, b.name, b.base, q, b.source())
}

// writeError turns a store's answer to a write into the Graph error.
func (b boundSet[T, P]) writeError(err error, id string) error {
	var missing *industrydata.MissingReferenceError
	var referenced *industrydata.ReferencedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &missing):
		return industrydata.BadProperty(missing.Ref.Property, "'%s' refers to '%s' in %s, which does not exist.",
			missing.Ref.Property, clip(missing.Ref.ID), missing.Ref.Set)
	case errors.As(err, &referenced):
		return industrydata.Errorf(industrydata.CodeConflict, "The %s '%s' cannot be deleted: '%s' in %s refers to it through '%s'.",
			b.kind, clip(id), referenced.ID, referenced.Set, referenced.Property)
	case errors.Is(err, industrydata.ErrDuplicate):
		return industrydata.Errorf(industrydata.CodeConflict, "The %s '%s' already exists.", b.kind, clip(id))
	case errors.Is(err, industrydata.ErrQuota):
		return industrydata.Errorf(industrydata.CodeConflict, "The tenant already has %d entities in %s, the most it may keep; delete some first.", MaxResourcesPerSet, b.name)
	}
	return notFound(err, b.kind, id)
}

// toResource is the stored form of e, an entity of type typ.
func toResource(set string, typ *schema.EntityType, e Entity) industrydata.Resource {
	m := e.Meta()
	return industrydata.Resource{Set: set, ID: m.ID, Type: typ.FullName(), ETag: m.ETag, Seq: m.Seq,
		Doc: schema.EncodeDoc(typ, e), Refs: schema.Refs(typ, e)}
}

// fromResource reads a stored resource back into a *T.
func fromResource[T any, P entityPtr[T]](r *industrydata.Resource) (P, error) {
	e := P(new(T))
	*e.Meta() = industrydata.ResourceMeta{ID: r.ID, ETag: r.ETag, Seq: r.Seq}
	typ := schema.LookupEntityType(r.Type)
	if typ == nil {
		return nil, errors.New("service: resource " + r.Set + "/" + r.ID + " has unknown type " + r.Type)
	}
	setType(e, typ)
	if err := schema.DecodeDoc(typ, r.Doc, r.Refs, e); err != nil {
		return nil, err
	}
	return e, nil
}

// setType records typ on an entity of a polymorphic set (one whose Go
// type keeps its type name).
func setType(e any, typ *schema.EntityType) {
	if t, ok := e.(interface{ SetEntityType(string) }); ok {
		t.SetEntityType(typ.FullName())
	}
}
