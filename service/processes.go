package service

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/schema"
)

const processKind = "process"

// processType is the schema type of a stored process.
func processType(p *industrydata.Process) *schema.EntityType {
	if t := schema.LookupEntityType(p.Type); t != nil {
		return t
	}
	return schema.Process
}

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
func (s *Service) CreateProcess(ctx context.Context, tenant industrydata.TenantID, body *schema.Body) (industrydata.Process, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Process{}, err
	}
	name, ok, err := body.ODataType()
	if err != nil {
		return industrydata.Process{}, err
	}
	if !ok {
		return industrydata.Process{}, industrydata.BadProperty("@odata.type",
			"The request body must carry '@odata.type' naming the process type to create: one of %s.", concreteProcessTypes())
	}
	t := schema.LookupEntityType(name)
	if t == nil || t.Abstract || !t.DerivesFrom(schema.Process) {
		return industrydata.Process{}, industrydata.BadProperty("@odata.type",
			"'%s' is not a process type that can be created; use one of %s.", clip(name), concreteProcessTypes())
	}
	patch, err := body.Bind(t)
	if err != nil {
		return industrydata.Process{}, err
	}
	if err := rejectReadOnly(patch); err != nil {
		return industrydata.Process{}, err
	}
	p := industrydata.Process{
		ID:              uuid.NewString(),
		Type:            t.FullName(),
		DisplayName:     industrydata.DefaultUserReportRefreshProcessName,
		ReadinessStatus: industrydata.ReadinessReady,
		CreatedAt:       s.now(),
	}
	patch.Apply(&p)
	if err := s.store.CreateProcess(ctx, tenant, &p); err != nil {
		if errors.Is(err, industrydata.ErrDuplicate) {
			return industrydata.Process{}, industrydata.Errorf(industrydata.CodeConflict,
				"The tenant already has a %s; a tenant has at most one. Delete it before creating another.", t.Name)
		}
		return industrydata.Process{}, err
	}
	return p, nil
}

// GetProcess returns one process of the tenant; with cast set, only if the
// process is of that type (SPEC §1's type-cast segment), else 404.
func (s *Service) GetProcess(ctx context.Context, tenant industrydata.TenantID, id string, cast *schema.EntityType) (industrydata.Process, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Process{}, err
	}
	p, err := s.store.GetProcess(ctx, tenant, id)
	if err != nil {
		return p, notFound(err, processKind, id)
	}
	if cast != nil && !processType(&p).DerivesFrom(cast) {
		return industrydata.Process{}, notFound(industrydata.ErrNotFound, cast.Name, id)
	}
	return p, nil
}

// ListProcesses returns one page of the tenant's processes, of type cast
// (or any type when nil).
func (s *Service) ListProcesses(ctx context.Context, tenant industrydata.TenantID, req ListRequest, cast *schema.EntityType) (Page[industrydata.Process], error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return Page[industrydata.Process]{}, err
	}
	typeName := ""
	if cast != nil {
		typeName = cast.FullName()
	}
	lq, limit := req.storeQuery(typeName)
	return listPage(ctx, tenant, req.Query, lq, limit, s.store.ListProcesses, s.store.CountProcesses,
		func(p *industrydata.Process) int64 { return p.Seq })
}

// UpdateProcess applies a PATCH body (seed 000): displayName and
// readinessStatus are required, and so is the current eTag, in the body or
// in If-Match. A stale eTag is 412 and changes nothing; success stores a new
// eTag.
func (s *Service) UpdateProcess(ctx context.Context, tenant industrydata.TenantID, id string, body *schema.Body, cond Precondition, cast *schema.EntityType) (industrydata.Process, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Process{}, err
	}
	kind := processKind
	if cast != nil {
		kind = cast.Name
	}
	p, err := s.store.UpdateProcess(ctx, tenant, id, func(p *industrydata.Process) error {
		t := processType(p)
		if cast != nil && !t.DerivesFrom(cast) {
			return industrydata.ErrNotFound
		}
		patch, err := body.Bind(t)
		if err != nil {
			return err
		}
		if err := checkID(patch, p.ID); err != nil {
			return err
		}
		if err := rejectReadOnly(patch, "id", "eTag"); err != nil {
			return err
		}
		for _, required := range []string{"displayName", "readinessStatus"} {
			if !patch.Has(required) {
				return industrydata.BadProperty(required,
					"The property '%s' is required when updating a %s.", required, t.Name)
			}
		}
		bodyETag, inBody := patch.ReadOnly["eTag"]
		if !inBody && cond == nil {
			return industrydata.BadProperty("eTag",
				"The current 'eTag' is required when updating a %s: send it in the body or in an If-Match header.", t.Name)
		}
		if inBody && bodyETag != p.ETag {
			return industrydata.Errorf(industrydata.CodePreconditionFailed,
				"The 'eTag' in the request body is not the current one; the %s has changed since it was read.", t.Name)
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
func (s *Service) DeleteProcess(ctx context.Context, tenant industrydata.TenantID, id string, cond Precondition) error {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return err
	}
	err := s.store.DeleteProcess(ctx, tenant, id, func(p industrydata.Process, runInProgress bool) error {
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
