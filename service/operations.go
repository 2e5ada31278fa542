package service

import (
	"context"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/schema"
)

const operationKind = "longRunningOperation"

// CreateOperation creates a longRunningOperation from a POST body. Unsent
// properties default: createdDateTime and lastActionDateTime to now, status
// to notStarted.
func (s *Service) CreateOperation(ctx context.Context, tenant industrydata.TenantID, body *schema.Body) (industrydata.Operation, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Operation{}, err
	}
	patch, err := body.Bind(schema.LongRunningOperation)
	if err != nil {
		return industrydata.Operation{}, err
	}
	if err := rejectReadOnly(patch); err != nil {
		return industrydata.Operation{}, err
	}
	now := s.now()
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               schema.LongRunningOperation.FullName(),
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	patch.Apply(&op)
	if err := s.store.CreateOperation(ctx, tenant, &op); err != nil {
		return industrydata.Operation{}, err
	}
	return op, nil
}

// GetOperation returns one operation of the tenant.
func (s *Service) GetOperation(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Operation, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Operation{}, err
	}
	op, err := s.store.GetOperation(ctx, tenant, id)
	return op, notFound(err, operationKind, id)
}

// ListOperations returns one page of the tenant's operations.
func (s *Service) ListOperations(ctx context.Context, tenant industrydata.TenantID, req ListRequest) (Page[industrydata.Operation], error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return Page[industrydata.Operation]{}, err
	}
	lq, limit := req.storeQuery("")
	return listPage(ctx, tenant, req.Query, lq, limit, s.store.ListOperations, s.store.CountOperations,
		func(o *industrydata.Operation) int64 { return o.Seq })
}

// UpdateOperation applies a PATCH body (seed 003): a partial update of
// createdDateTime, lastActionDateTime, status, statusDetail and
// resourceLocation, where null clears a nullable property. When the status
// changes and the body does not set lastActionDateTime, it becomes now.
func (s *Service) UpdateOperation(ctx context.Context, tenant industrydata.TenantID, id string, body *schema.Body, cond Precondition) (industrydata.Operation, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Operation{}, err
	}
	now := s.now()
	op, err := s.store.UpdateOperation(ctx, tenant, id, func(op *industrydata.Operation) error {
		if err := cond.check(op.ETag); err != nil {
			return err
		}
		patch, err := body.Bind(operationType(op))
		if err != nil {
			return err
		}
		if err := checkID(patch, op.ID); err != nil {
			return err
		}
		if err := rejectReadOnly(patch, "id"); err != nil {
			return err
		}
		before := op.Status
		patch.Apply(op)
		if op.Status != before && !patch.Has("lastActionDateTime") {
			op.LastActionDateTime = &now
		}
		return nil
	})
	return op, notFound(err, operationKind, id)
}

// DeleteOperation deletes an operation when the precondition holds.
func (s *Service) DeleteOperation(ctx context.Context, tenant industrydata.TenantID, id string, cond Precondition) error {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return err
	}
	err := s.store.DeleteOperation(ctx, tenant, id, func(op industrydata.Operation) error {
		return cond.check(op.ETag)
	})
	return notFound(err, operationKind, id)
}

// operationType is the schema type of a stored operation.
func operationType(op *industrydata.Operation) *schema.EntityType {
	if t := schema.LookupEntityType(op.Type); t != nil && t.DerivesFrom(schema.LongRunningOperation) {
		return t
	}
	return schema.LongRunningOperation
}
