package service

import (
	"context"
	"errors"
	"regexp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

const referenceDefinitionsSet = "referenceDefinitions"

type refDef = industrydata.ReferenceDefinition

// referenceDefinitions is the set of reference definitions a tenant sees:
// the system's (kept in code, not per tenant) merged with what the tenant
// stored: its own codes of the extensible types, and its changes to system
// definitions (isDisabled, sortIndex), each stored whole under the
// definition's id.
type referenceDefinitions struct{ t *Tenant }

func (r referenceDefinitions) Name() string             { return referenceDefinitionsSet }
func (r referenceDefinitions) Type() *schema.EntityType { return schema.ReferenceDefinition }

// each shows fn the tenant's definitions in Seq order: the system's (with
// the tenant's changes), then the tenant's own codes, until fn returns
// true. A tenant stores at most MaxResourcesPerSet, so they are read first.
func (r referenceDefinitions) each(ctx context.Context, fn func(*refDef) bool) error {
	overrides := map[string]*refDef{}
	var own []*refDef
	err := r.t.s.store.ScanResources(ctx, r.t.id, referenceDefinitionsSet, func(res *industrydata.Resource) error {
		d, err := r.decode(res)
		if err != nil {
			return err
		}
		if d.Source == sourceSystem {
			overrides[d.ID] = d
		} else {
			own = append(own, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range systemDefinitions {
		d := overrides[systemDefinitions[i].ID]
		if d == nil {
			c, _ := systemDefinition(systemDefinitions[i].ID)
			d = &c
		}
		if fn(d) {
			return nil
		}
	}
	for _, d := range own {
		if fn(d) {
			return nil
		}
	}
	return nil
}

// decode reads a stored definition, placing it in the set's order.
func (r referenceDefinitions) decode(res *industrydata.Resource) (*refDef, error) {
	d, err := fromResource[refDef](res)
	if err != nil {
		return nil, err
	}
	if i, ok := systemIndex[d.ID]; ok {
		d.Seq = systemDefinitions[i].Seq
	} else {
		d.Seq += tenantSeqBase
	}
	return d, nil
}

// referenceDefinitionsByID returns every definition the tenant sees.
func (t *Tenant) referenceDefinitionsByID(ctx context.Context) (map[string]*refDef, error) {
	out := map[string]*refDef{}
	err := referenceDefinitions{t}.each(ctx, func(d *refDef) bool { out[d.ID] = d; return false })
	return out, err
}

func (r referenceDefinitions) List(ctx context.Context, q *odata.Query) (Page[Entity], error) {
	return listResources[refDef](ctx, r.t, referenceDefinitionsSet, schema.ReferenceDefinition, q, r.each)
}

func (r referenceDefinitions) Count(ctx context.Context, q *odata.Query) (int64, error) {
	return countResources[refDef](ctx, r.t, referenceDefinitionsSet, schema.ReferenceDefinition, q, r.each)
}

func (r referenceDefinitions) Get(ctx context.Context, id string) (Entity, error) {
	res, err := r.t.s.store.GetResource(ctx, r.t.id, referenceDefinitionsSet, id)
	if errors.Is(err, industrydata.ErrNotFound) {
		if d, ok := systemDefinition(id); ok {
			return &d, nil
		}
	}
	if err != nil {
		return nil, notFound(err, "referenceDefinition", id)
	}
	return r.decode(&res)
}

// codeShape is what a tenant's code may look like: it is half of an id
// that appears in URLs.
var codeShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (r referenceDefinitions) Create(ctx context.Context, body *schema.Body) (Entity, error) {
	patch, err := bindCreate(body, schema.ReferenceDefinition, referenceDefinitionsSet, "isDisabled", "sortIndex")
	if err != nil {
		return nil, err
	}
	now := r.t.s.now()
	d := &refDef{Source: sourceTenant, CreatedDateTime: now, LastModifiedDateTime: now}
	patch.Apply(d)
	if !extensibleTypes[d.ReferenceType] {
		if _, system := systemTypes[d.ReferenceType]; system {
			return nil, industrydata.Errorf(industrydata.CodeAccessDenied,
				"The reference type '%s' is the system's; a tenant may add codes only to %s.", d.ReferenceType, extensibleList)
		}
		return nil, industrydata.BadProperty("referenceType", "'%s' is not a reference type a tenant may add codes to; use one of %s.", clip(d.ReferenceType), extensibleList)
	}
	if !codeShape.MatchString(d.Code) {
		return nil, industrydata.BadProperty("code", "The code must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got '%s'.", clip(d.Code))
	}
	d.ID = industrydata.ReferenceDefinitionID(d.ReferenceType, d.Code)
	res := toResource(referenceDefinitionsSet, schema.ReferenceDefinition, d)
	if _, system := systemIndex[d.ID]; system {
		return nil, industrydata.Errorf(industrydata.CodeConflict, "The referenceDefinition '%s' already exists.", d.ID)
	}
	if err := r.t.s.store.CreateResource(ctx, r.t.id, r.t.actor, &res, MaxResourcesPerSet); err != nil {
		return nil, referenceDefinitionError(err, d.ID)
	}
	d.ETag, d.Seq = res.ETag, res.Seq+tenantSeqBase
	return d, nil
}

// Update changes a definition: the tenant's own codes in displayName,
// isDisabled and sortIndex; the system's in isDisabled and sortIndex only
// (403 for the others). code and referenceType make the id: never changed.
func (r referenceDefinitions) Update(ctx context.Context, id string, body *schema.Body, cond Precondition) (Entity, error) {
	patch, err := body.BindUpdate(schema.ReferenceDefinition)
	if err != nil {
		return nil, err
	}
	if err := checkID(patch, id); err != nil {
		return nil, err
	}
	if err := rejectReadOnly(patch, "id"); err != nil {
		return nil, err
	}
	apply := func(d *refDef) error {
		before := *d
		patch.Apply(d)
		for _, p := range []struct {
			name    string
			changed bool
		}{
			{"code", d.Code != before.Code},
			{"referenceType", d.ReferenceType != before.ReferenceType},
		} {
			if p.changed {
				return industrydata.BadProperty(p.name, "The property '%s' cannot change: the id of a reference definition is made of its referenceType and code.", p.name)
			}
		}
		if d.Source == sourceSystem && !equalStrings(d.DisplayName, before.DisplayName) {
			return &industrydata.Error{Code: industrydata.CodeAccessDenied, Target: "displayName",
				Message: "The displayName of a system reference definition cannot change; a tenant may only disable or re-sort it."}
		}
		d.LastModifiedDateTime = r.t.s.now()
		return nil
	}
	if sys, ok := systemDefinition(id); ok {
		if _, err := r.t.s.store.GetResource(ctx, r.t.id, referenceDefinitionsSet, id); errors.Is(err, industrydata.ErrNotFound) {
			// The tenant's first change to a system definition stores it.
			if err := cond.check(sys.ETag); err != nil {
				return nil, err
			}
			if err := apply(&sys); err != nil {
				return nil, err
			}
			res := toResource(referenceDefinitionsSet, schema.ReferenceDefinition, &sys)
			err := r.t.s.store.CreateResource(ctx, r.t.id, r.t.actor, &res, MaxResourcesPerSet)
			if !errors.Is(err, industrydata.ErrDuplicate) {
				if err != nil {
					return nil, referenceDefinitionError(err, id)
				}
				sys.ETag = res.ETag
				return &sys, nil
			}
			// Another request stored it meanwhile: update that one.
		}
	}
	var out *refDef
	res, err := r.t.s.store.UpdateResource(ctx, r.t.id, r.t.actor, referenceDefinitionsSet, id, func(res *industrydata.Resource) error {
		if err := cond.check(res.ETag); err != nil {
			return err
		}
		d, err := r.decode(res)
		if err != nil {
			return err
		}
		if err := apply(d); err != nil {
			return err
		}
		res.Doc = toResource(referenceDefinitionsSet, schema.ReferenceDefinition, d).Doc
		out = d
		return nil
	})
	if err != nil {
		return nil, referenceDefinitionError(err, id)
	}
	out.ETag = res.ETag
	return out, nil
}

// Delete deletes one of the tenant's own codes; the system's are 403.
func (r referenceDefinitions) Delete(ctx context.Context, id string, cond Precondition) error {
	if _, system := systemIndex[id]; system {
		return industrydata.Errorf(industrydata.CodeAccessDenied,
			"The referenceDefinition '%s' is the system's and cannot be deleted; disable it with PATCH {\"isDisabled\": true}.", id)
	}
	err := r.t.s.store.DeleteResource(ctx, r.t.id, r.t.actor, referenceDefinitionsSet, id, func(res industrydata.Resource) error {
		return cond.check(res.ETag)
	})
	return referenceDefinitionError(err, id)
}

func referenceDefinitionError(err error, id string) error {
	if errors.Is(err, industrydata.ErrDuplicate) {
		return industrydata.Errorf(industrydata.CodeConflict, "The referenceDefinition '%s' already exists.", clip(id))
	}
	if errors.Is(err, industrydata.ErrQuota) {
		return industrydata.Errorf(industrydata.CodeConflict, "The tenant already has %d stored reference definitions, the most it may keep.", MaxResourcesPerSet)
	}
	return notFound(err, "referenceDefinition", id)
}

func equalStrings(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// systemTypes are the reference types the system defines codes of.
var systemTypes = func() map[string]struct{} {
	out := map[string]struct{}{}
	for _, g := range systemCodes {
		out[g.refType] = struct{}{}
	}
	return out
}()

// extensibleList names the extensible types for messages.
const extensibleList = "RefAcademicSubject, RefEthnicity, RefGradeLevel, RefOrgType, RefPersonFlagType, RefRace"
