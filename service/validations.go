package service

import (
	"context"

	"github.com/google/uuid"

	"industrydata"
)

// StartValidation validates what the data connector's upload session holds
// (SPEC §11): it creates a fileValidateOperation, notStarted, and queues
// the validation, which a worker executes. One validation of a connector
// runs at a time: a second is 409 while the first is in progress.
func (t *Tenant) StartValidation(ctx context.Context, connectorID string) (industrydata.Operation, error) {
	now := t.s.now()
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               industrydata.TypeFileValidateOperation,
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	err := t.s.store.StartValidation(ctx, t.id, t.actor, connectorID, &op, func(inProgress bool) error {
		if inProgress {
			return industrydata.Errorf(industrydata.CodeConflict,
				"A validation of the data connector '%s' is in progress; wait for its operation to end.", clip(connectorID))
		}
		return nil
	})
	if err != nil {
		return industrydata.Operation{}, notFound(err, dataConnectors.kind, connectorID)
	}
	if t.s.opts.JobQueued != nil {
		t.s.opts.JobQueued()
	}
	return op, nil
}
