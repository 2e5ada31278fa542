package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"industrydata"
)

const operationColumns = `seq, id, type, etag, created_ticks, last_action_ticks, status, status_detail, resource_location`

const (
	qInsertOperation = `INSERT INTO operations
	(tenant, id, type, etag, created_ticks, last_action_ticks, status, status_detail, resource_location)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qGetOperation = `SELECT ` + operationColumns + ` FROM operations WHERE tenant = ? AND id = ?`
	// The identity columns (tenant, id, seq) are not in the SET list, so
	// SQLite leaves the indexes on them untouched.
	qUpdateOperation = `UPDATE operations SET
	type = ?, etag = ?, created_ticks = ?, last_action_ticks = ?, status = ?, status_detail = ?, resource_location = ?
	WHERE seq = ?`
	qDeleteOperation = `DELETE FROM operations WHERE seq = ?`
	// ?3 = '' disables the type filter and LIMIT -1 means no limit, so one
	// prepared statement serves every ListQuery.
	qListOperations = `SELECT ` + operationColumns + ` FROM operations
	WHERE tenant = ?1 AND seq > ?2 AND (?3 = '' OR type = ?3)
	ORDER BY seq LIMIT ?4`
)

// scanOperation reads one row of operationColumns.
func scanOperation(r scanner) (industrydata.Operation, error) {
	var (
		op         industrydata.Operation
		created    int64
		lastAction sql.NullInt64
		status     string
		detail     sql.NullString
		location   sql.NullString
	)
	if err := r.Scan(&op.Seq, &op.ID, &op.Type, &op.ETag, &created, &lastAction, &status, &detail, &location); err != nil {
		return industrydata.Operation{}, err
	}
	op.CreatedDateTime = industrydata.FromTicks(created)
	if lastAction.Valid {
		t := industrydata.FromTicks(lastAction.Int64)
		op.LastActionDateTime = &t
	}
	op.Status = industrydata.LongRunningOperationStatus(status)
	op.StatusDetail = fromNullString(detail)
	op.ResourceLocation = fromNullString(location)
	return op, nil
}

// operationRow holds an operation's column values in stored form.
type operationRow struct {
	created    int64
	lastAction sql.NullInt64
}

// encodeOperation normalizes op's timestamps in place (UTC, whole ticks) and
// returns their stored form.
func encodeOperation(op *industrydata.Operation) (operationRow, error) {
	var row operationRow
	var err error
	if op.CreatedDateTime, row.created, err = encodeTime("createdDateTime", op.CreatedDateTime); err != nil {
		return row, err
	}
	if op.LastActionDateTime, row.lastAction, err = encodeOptTime("lastActionDateTime", op.LastActionDateTime); err != nil {
		return row, err
	}
	return row, nil
}

// CreateOperation inserts op, assigning op.ETag and op.Seq and normalizing
// its timestamps to UTC whole ticks. An existing id in the tenant is
// ErrDuplicate.
func (s *Store) CreateOperation(ctx context.Context, tenant industrydata.TenantID, op *industrydata.Operation) error {
	if op == nil {
		return errors.New("sqlite: create operation: nil operation")
	}
	next := *op
	row, err := encodeOperation(&next)
	if err != nil {
		return fmt.Errorf("sqlite: create operation %s: %w", op.ID, err)
	}
	next.ETag = newETag()
	err = s.write(ctx, func(tx *batchTx) error {
		res, err := tx.Exec(qInsertOperation, string(tenant), next.ID, next.Type, next.ETag,
			row.created, row.lastAction, string(next.Status), toNullString(next.StatusDetail), toNullString(next.ResourceLocation))
		if err != nil {
			return fmt.Errorf("sqlite: create operation %s: %w", next.ID, translate(err))
		}
		next.Seq, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return err
	}
	*op = next
	return nil
}

// GetOperation returns the tenant's operation id, or ErrNotFound.
func (s *Store) GetOperation(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Operation, error) {
	op, err := scanOperation(s.queryRowR(ctx, qGetOperation, string(tenant), id))
	if err != nil {
		return industrydata.Operation{}, fmt.Errorf("sqlite: get operation %s: %w", id, translate(err))
	}
	return op, nil
}

// ListOperations returns the tenant's operations in insertion order, from
// after q.AfterSeq, at most q.Limit, optionally only those of type q.Type.
func (s *Store) ListOperations(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Operation, error) {
	limit, err := sqlLimit(q.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list operations: %w", err)
	}
	rows, err := s.queryR(ctx, qListOperations, string(tenant), q.AfterSeq, q.Type, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list operations: %w", err)
	}
	defer rows.Close()
	out := make([]industrydata.Operation, 0, initialCap(q.Limit))
	for rows.Next() {
		op, err := scanOperation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list operations: %w", err)
		}
		out = append(out, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list operations: %w", err)
	}
	return out, nil
}

// UpdateOperation loads the operation, lets apply change a copy and, when
// apply returns nil, stores every field with a new ETag, all in one
// transaction. apply's error is returned unchanged and changes nothing. The
// identity (ID, Seq) cannot be changed: apply's changes to it are ignored.
func (s *Store) UpdateOperation(ctx context.Context, tenant industrydata.TenantID, id string, apply func(*industrydata.Operation) error) (industrydata.Operation, error) {
	if apply == nil {
		return industrydata.Operation{}, errors.New("sqlite: update operation: nil apply")
	}
	var out industrydata.Operation
	err := s.write(ctx, func(tx *batchTx) error {
		cur, err := scanOperation(tx.QueryRow(qGetOperation, string(tenant), id))
		if err != nil {
			return fmt.Errorf("sqlite: update operation %s: %w", id, translate(err))
		}
		next := cur
		if err := apply(&next); err != nil {
			return err
		}
		next.ID, next.Seq, next.ETag = cur.ID, cur.Seq, newETag()
		row, err := encodeOperation(&next)
		if err != nil {
			return fmt.Errorf("sqlite: update operation %s: %w", id, err)
		}
		if _, err := tx.Exec(qUpdateOperation, next.Type, next.ETag, row.created, row.lastAction,
			string(next.Status), toNullString(next.StatusDetail), toNullString(next.ResourceLocation), next.Seq); err != nil {
			return fmt.Errorf("sqlite: update operation %s: %w", id, translate(err))
		}
		out = next
		return nil
	})
	if err != nil {
		return industrydata.Operation{}, err
	}
	return out, nil
}

// DeleteOperation loads the operation and deletes it when check (which may
// be nil) returns nil, in one transaction. check's error is returned
// unchanged.
func (s *Store) DeleteOperation(ctx context.Context, tenant industrydata.TenantID, id string, check func(industrydata.Operation) error) error {
	return s.write(ctx, func(tx *batchTx) error {
		cur, err := scanOperation(tx.QueryRow(qGetOperation, string(tenant), id))
		if err != nil {
			return fmt.Errorf("sqlite: delete operation %s: %w", id, translate(err))
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(qDeleteOperation, cur.Seq); err != nil {
			return fmt.Errorf("sqlite: delete operation %s: %w", id, translate(err))
		}
		return nil
	})
}
