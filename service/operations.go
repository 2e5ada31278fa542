package service

import (
	"context"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

const operationKind = "longRunningOperation"

// CreateOperation creates a longRunningOperation from a POST body. Unsent
// properties default: createdDateTime and lastActionDateTime to now, status
// to notStarted.
func (t *Tenant) CreateOperation(ctx context.Context, body *schema.Body) (industrydata.Operation, error) {
	patch, err := body.Bind(schema.LongRunningOperation)
	if err != nil {
		return industrydata.Operation{}, err
	}
	if err := rejectReadOnly(patch); err != nil {
		return industrydata.Operation{}, err
	}
	now := t.s.now()
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               schema.LongRunningOperation.FullName(),
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	patch.Apply(&op)
	if err := t.s.store.CreateOperation(ctx, t.id, t.actor, &op); err != nil {
		return industrydata.Operation{}, err
	}
	return op, nil
}

// GetOperation returns one operation of the tenant.
func (t *Tenant) GetOperation(ctx context.Context, id string) (industrydata.Operation, error) {
	op, err := t.s.store.GetOperation(ctx, t.id, id)
	return op, notFound(err, operationKind, id)
}

// ListOperations returns the page of the tenant's operations q selects.
func (t *Tenant) ListOperations(ctx context.Context, q *odata.Query) (Page[industrydata.Operation], error) {
	return t.operations().page(ctx, q, DefaultPageSize)
}

// CountOperations is the number of the tenant's operations q's $filter
// selects.
func (t *Tenant) CountOperations(ctx context.Context, q *odata.Query) (int64, error) {
	return t.operations().total(ctx, q)
}

func (t *Tenant) operations() pager[industrydata.Operation] {
	return pager[industrydata.Operation]{t: t, list: t.s.store.ListOperations, count: t.s.store.CountOperations,
		seq: func(o *industrydata.Operation) int64 { return o.Seq }}
}

// UpdateOperation applies a PATCH body (seed 003): a partial update of
// createdDateTime, lastActionDateTime, status, statusDetail and
// resourceLocation, where null clears a nullable property. When the status
// changes and the body does not set lastActionDateTime, it becomes now.
func (t *Tenant) UpdateOperation(ctx context.Context, id string, body *schema.Body, cond Precondition) (industrydata.Operation, error) {
	patch, err := body.BindUpdate(schema.LongRunningOperation)
	if err != nil {
		return industrydata.Operation{}, err
	}
	if err := checkID(patch, id); err != nil {
		return industrydata.Operation{}, err
	}
	if err := rejectReadOnly(patch, "id"); err != nil {
		return industrydata.Operation{}, err
	}
	now := t.s.now()
	op, err := t.s.store.UpdateOperation(ctx, t.id, t.actor, id, func(op *industrydata.Operation) error {
		if err := cond.check(op.ETag); err != nil {
			return err
		}
		if err := patch.CheckType(schema.TypeOf(op)); err != nil {
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
func (t *Tenant) DeleteOperation(ctx context.Context, id string, cond Precondition) error {
	err := t.s.store.DeleteOperation(ctx, t.id, t.actor, id, func(op industrydata.Operation) error {
		return cond.check(op.ETag)
	})
	return notFound(err, operationKind, id)
}
