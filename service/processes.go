package service

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

const processKind = "process"

// concreteProcessTypes names the types a POST to processes may create.
func concreteProcessTypes() string {
	var names []string
	for _, t := range schema.ConcreteSubtypes(schema.Process) {
		names = append(names, "'"+t.ODataType()+"'")
	}
	return strings.Join(names, ", ")
}

// CreateProcess creates a process from a POST body, which must name a
// concrete process type in @odata.type. A system process exists at most once
// per tenant: a second is 409 (SPEC §2).
func (t *Tenant) CreateProcess(ctx context.Context, body *schema.Body) (industrydata.Process, error) {
	name, ok, err := body.ODataType()
	if err != nil {
		return industrydata.Process{}, err
	}
	if !ok {
		return industrydata.Process{}, industrydata.BadProperty("@odata.type",
			"The request body must carry '@odata.type' naming the process type to create: one of %s.", concreteProcessTypes())
	}
	typ := schema.LookupEntityType(name)
	if typ == nil || typ.Abstract || !typ.DerivesFrom(schema.Process) {
		return industrydata.Process{}, industrydata.BadProperty("@odata.type",
			"'%s' is not a process type that can be created; use one of %s.", clip(name), concreteProcessTypes())
	}
	patch, err := body.Bind(typ)
	if err != nil {
		return industrydata.Process{}, err
	}
	if err := rejectReadOnly(patch); err != nil {
		return industrydata.Process{}, err
	}
	p := industrydata.Process{
		ID:              uuid.NewString(),
		Type:            typ.FullName(),
		DisplayName:     industrydata.DefaultUserReportRefreshProcessName,
		ReadinessStatus: industrydata.ReadinessReady,
		CreatedAt:       t.s.now(),
	}
	patch.Apply(&p)
	if err := t.s.store.CreateProcess(ctx, t.id, t.actor, &p); err != nil {
		if errors.Is(err, industrydata.ErrDuplicate) {
			return industrydata.Process{}, industrydata.Errorf(industrydata.CodeConflict,
				"The tenant already has a %s; a tenant has at most one. Delete it before creating another.", typ.Name)
		}
		return industrydata.Process{}, err
	}
	return p, nil
}

// GetProcess returns one process of the tenant; with cast set, only if the
// process is of that type (SPEC §1's type-cast segment), else 404.
func (t *Tenant) GetProcess(ctx context.Context, id string, cast *schema.EntityType) (industrydata.Process, error) {
	p, err := t.s.store.GetProcess(ctx, t.id, id)
	if err != nil {
		return p, notFound(err, processKind, id)
	}
	if cast != nil && !schema.TypeOf(&p).DerivesFrom(cast) {
		return industrydata.Process{}, notFound(industrydata.ErrNotFound, cast.Name, id)
	}
	return p, nil
}

// ListProcesses returns the page of the tenant's processes q selects, of
// type cast (or any type when nil).
func (t *Tenant) ListProcesses(ctx context.Context, q *odata.Query, cast *schema.EntityType) (Page[industrydata.Process], error) {
	return t.processes(cast).page(ctx, q, DefaultPageSize)
}

// CountProcesses is the number of the tenant's processes of type cast (any
// type when nil) q's $filter selects.
func (t *Tenant) CountProcesses(ctx context.Context, q *odata.Query, cast *schema.EntityType) (int64, error) {
	return t.processes(cast).total(ctx, q)
}

func (t *Tenant) processes(cast *schema.EntityType) pager[industrydata.Process] {
	pg := pager[industrydata.Process]{t: t, list: t.s.store.ListProcesses, count: t.s.store.CountProcesses,
		seq: func(p *industrydata.Process) int64 { return p.Seq }}
	if cast != nil {
		pg.typeName = cast.FullName()
	}
	return pg
}

// UpdateProcess applies a PATCH body (seed 000): displayName and
// readinessStatus are required, and so is the current eTag, in the body or
// in If-Match. A stale eTag is 412 and changes nothing; success stores a new
// eTag. With cast set, only a process of that type is found.
func (t *Tenant) UpdateProcess(ctx context.Context, id string, body *schema.Body, cond Precondition, cast *schema.EntityType) (industrydata.Process, error) {
	kind, base := processKind, schema.Process
	if cast != nil {
		kind, base = cast.Name, cast
	}
	patch, err := body.BindUpdate(base)
	if err != nil {
		return industrydata.Process{}, err
	}
	if err := checkID(patch, id); err != nil {
		return industrydata.Process{}, err
	}
	if err := rejectReadOnly(patch, "id", "eTag"); err != nil {
		return industrydata.Process{}, err
	}
	for _, required := range []string{"displayName", "readinessStatus"} {
		if !patch.Has(required) {
			return industrydata.Process{}, industrydata.BadProperty(required,
				"The property '%s' is required when updating a %s.", required, kind)
		}
	}
	bodyETag, inBody := patch.ReadOnly["eTag"]
	if !inBody && cond == nil {
		return industrydata.Process{}, industrydata.BadProperty("eTag",
			"The current 'eTag' is required when updating a %s: send it in the body or in an If-Match header.", kind)
	}
	p, err := t.s.store.UpdateProcess(ctx, t.id, t.actor, id, func(p *industrydata.Process) error {
		typ := schema.TypeOf(p)
		if cast != nil && !typ.DerivesFrom(cast) {
			return industrydata.ErrNotFound
		}
		if err := patch.CheckType(typ); err != nil {
			return err
		}
		if inBody && bodyETag != p.ETag {
			return industrydata.Errorf(industrydata.CodePreconditionFailed,
				"The 'eTag' in the request body is not the current one; the %s has changed since it was read.", typ.Name)
		}
		if err := cond.check(p.ETag); err != nil {
			return err
		}
		patch.Apply(p)
		return nil
	})
	return p, notFound(err, kind, id)
}

// DeleteProcess deletes a process, and its runs with it, when the
// precondition holds. A process with a run in progress is 409: its runner
// holds the run, which must end (SPEC §4: no run stays running) before the
// process can go. A deleted system process can be created again with POST.
func (t *Tenant) DeleteProcess(ctx context.Context, id string, cond Precondition) error {
	err := t.s.store.DeleteProcess(ctx, t.id, t.actor, id, func(p industrydata.Process, runInProgress bool) error {
		if err := cond.check(p.ETag); err != nil {
			return err
		}
		if runInProgress {
			return industrydata.Errorf(industrydata.CodeConflict,
				"The process '%s' has a run in progress; delete it once the run has ended.", clip(id))
		}
		return nil
	})
	return notFound(err, processKind, id)
}
