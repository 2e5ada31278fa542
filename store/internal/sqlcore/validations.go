package sqlcore

import (
	"context"

	"industrydata"
	"industrydata/schema"
)

const (
	qConnectorExists = `SELECT EXISTS (SELECT 1 FROM resources WHERE tenant = ? AND set_name = 'dataConnectors' AND id = ?)`
	qValidating      = `SELECT EXISTS (SELECT 1 FROM jobs WHERE tenant = ? AND kind = 'validation' AND subject = ?)`
	qValidationDone  = `UPDATE operations SET status = ?, status_detail = ?, last_action_ticks = ?, validation = ?, etag = ?
	WHERE tenant = ? AND id = ?`
)

// StartValidation inserts a validation's operation and queues its job, in
// one transaction, when the connector exists and check allows it (see
// industrydata.ValidationStore).
func (s *Store) StartValidation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, connectorID string, op *industrydata.Operation, payload []byte, check func(inProgress bool) error) error {
	if op == nil || op.Type != industrydata.TypeFileValidateOperation {
		return s.errorf("start validation: the operation must be a fileValidateOperation")
	}
	next := *op
	row, err := encodeOperation(&next)
	if err != nil {
		return s.errorf("start validation of %s: %w", connectorID, err)
	}
	next.ETag = newETag()
	err = s.b.Write(ctx, func(tx Tx) error {
		var exists, running bool
		if err := tx.QueryRow(qConnectorExists, string(tenant), connectorID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return industrydata.ErrNotFound
		}
		// One start at a time per connector: the second sees the first's
		// job.
		if err := tx.Lock("validation", string(tenant)+"/"+connectorID); err != nil {
			return err
		}
		if err := tx.QueryRow(qValidating, string(tenant), connectorID).Scan(&running); err != nil {
			return err
		}
		if check != nil {
			if err := check(running); err != nil {
				return err
			}
		}
		var err error
		next.Seq, err = tx.Insert(qInsertOperation, string(tenant), next.ID, next.Type, next.ETag, row.created, row.lastAction,
			string(next.Status), toNullString(next.StatusDetail), toNullString(next.ResourceLocation), row.validation)
		if err != nil {
			return s.translate(err)
		}
		if _, err := tx.Exec(qInsertJob, string(tenant), string(industrydata.JobValidation), next.ID, connectorID, next.ID, payload); err != nil {
			return s.translate(err)
		}
		return s.audit(tx, tenant, actor, schema.Audit(industrydata.AuditCreate, nil, &next))
	})
	if err != nil {
		return s.errorf("start validation of %s: %w", connectorID, err)
	}
	*op = next
	return nil
}

// FinishValidation writes a validation's outcome, and the connector's new
// validated set, and takes its job off the queue, in one transaction,
// while c holds the job.
func (s *Store) FinishValidation(ctx context.Context, c industrydata.JobClaim, out industrydata.ValidationOutcome) error {
	if c.Kind != industrydata.JobValidation {
		return s.errorf("finish validation: a %s job is not a validation", c.Kind)
	}
	if out.OperationStatus != industrydata.OperationSucceeded && out.OperationStatus != industrydata.OperationFailed {
		return s.errorf("finish validation %s: operation status %q is not final", c.ID, out.OperationStatus)
	}
	_, actionTicks, err := encodeTime("lastActionDateTime", out.LastActionDateTime)
	if err != nil {
		return s.errorf("finish validation %s: %w", c.ID, err)
	}
	findings := industrydata.Operation{Type: industrydata.TypeFileValidateOperation,
		ValidatedFiles: out.ValidatedFiles, Errors: out.Errors, Warnings: out.Warnings}
	validation, err := encodeValidation(&findings)
	if err != nil {
		return s.errorf("finish validation %s: %w", c.ID, err)
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		var opID string
		if err := tx.QueryRow(qFinishJob, heldArgs(c)...).Scan(&opID); err != nil {
			return s.leaseLost(err)
		}
		// No row: the client deleted the operation; the outcome still holds.
		if _, err := tx.Exec(qValidationDone, string(out.OperationStatus), out.StatusDetail, actionTicks, validation,
			newETag(), string(c.Tenant), opID); err != nil {
			return err
		}
		if out.Files != nil {
			return s.setValidatedFiles(tx, c.Tenant, c.ConnectorID, out.Files)
		}
		return nil
	})
	if err != nil {
		return s.errorf("finish validation %s: %w", c.ID, err)
	}
	return nil
}
