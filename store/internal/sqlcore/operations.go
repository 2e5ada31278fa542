package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

const operationColumns = `seq, id, type, etag, created_ticks, last_action_ticks, status, status_detail, resource_location, validation`

const (
	qInsertOperation = `INSERT INTO operations
	(tenant, id, type, etag, created_ticks, last_action_ticks, status, status_detail, resource_location, validation)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qGetOperation = `SELECT ` + operationColumns + ` FROM operations WHERE tenant = ? AND id = ?`
	// The identity columns (tenant, id, seq) are not in the SET list, so
	// the indexes on them are left untouched.
	qUpdateOperation = `UPDATE operations SET
	type = ?, etag = ?, created_ticks = ?, last_action_ticks = ?, status = ?, status_detail = ?, resource_location = ?,
	validation = ?
	WHERE seq = ?`
	qDeleteOperation = `DELETE FROM operations WHERE seq = ?`
)

// operationsTable is what sqlq needs to list and count operations. Columns
// are qualified so that they keep naming the operation inside subqueries.
var operationsTable = &sqlq.Table{
	Name:   "operations",
	Select: operationColumns,
	Scope:  "operations.tenant",
	Type:   "operations.type",
	Seq:    "operations.seq",
	Columns: sqlq.Columns{
		"id":                 {SQL: "operations.id", Kind: schema.String},
		"createdDateTime":    {SQL: "operations.created_ticks", Kind: schema.DateTimeOffset},
		"lastActionDateTime": {SQL: "operations.last_action_ticks", Kind: schema.DateTimeOffset, Nullable: true},
		"status":             {SQL: "operations.status", Kind: schema.Enum},
		"statusDetail":       {SQL: "operations.status_detail", Kind: schema.String, Nullable: true},
		"resourceLocation":   {SQL: "operations.resource_location", Kind: schema.String, Nullable: true},
	},
}

// scanOperation reads one row of operationColumns.
func scanOperation(r Scanner) (industrydata.Operation, error) {
	var (
		op         industrydata.Operation
		created    int64
		lastAction sql.NullInt64
		status     string
		detail     sql.NullString
		location   sql.NullString
		validation sql.NullString
	)
	if err := r.Scan(&op.Seq, &op.ID, &op.Type, &op.ETag, &created, &lastAction, &status, &detail, &location, &validation); err != nil {
		return industrydata.Operation{}, err
	}
	if err := decodeValidation(&op, validation); err != nil {
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
	validation sql.NullString
}

// validationJSON is the stored form of a fileValidateOperation's findings.
type validationJSON struct {
	ValidatedFiles []string          `json:"validatedFiles"`
	Errors         []publicErrorJSON `json:"errors"`
	Warnings       []publicErrorJSON `json:"warnings"`
}

// encodeValidation is the validation column of op: NULL but for a
// fileValidateOperation.
func encodeValidation(op *industrydata.Operation) (sql.NullString, error) {
	if op.Type != industrydata.TypeFileValidateOperation {
		return sql.NullString{}, nil
	}
	v := validationJSON{ValidatedFiles: op.ValidatedFiles}
	for i := range op.Errors {
		v.Errors = append(v.Errors, toPublicErrorJSON(&op.Errors[i]))
	}
	for i := range op.Warnings {
		v.Warnings = append(v.Warnings, toPublicErrorJSON(&op.Warnings[i]))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func decodeValidation(op *industrydata.Operation, col sql.NullString) error {
	if !col.Valid {
		return nil
	}
	var v validationJSON
	if err := json.Unmarshal([]byte(col.String), &v); err != nil {
		return fmt.Errorf("operation %s: validation: %w", op.ID, err)
	}
	op.ValidatedFiles = v.ValidatedFiles
	for _, e := range v.Errors {
		op.Errors = append(op.Errors, e.publicError())
	}
	for _, e := range v.Warnings {
		op.Warnings = append(op.Warnings, e.publicError())
	}
	return nil
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
	if row.validation, err = encodeValidation(op); err != nil {
		return row, err
	}
	return row, nil
}

// CreateOperation inserts op, assigning op.ETag and op.Seq and normalizing
// its timestamps to UTC whole ticks. An existing id in the tenant is
// ErrDuplicate.
func (s *Store) CreateOperation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, op *industrydata.Operation) error {
	if op == nil {
		return s.errorf("create operation: nil operation")
	}
	next := *op
	row, err := encodeOperation(&next)
	if err != nil {
		return s.errorf("create operation %s: %w", op.ID, err)
	}
	next.ETag = newETag()
	rec := schema.Audit(industrydata.AuditCreate, nil, &next)
	err = s.b.Write(ctx, func(tx Tx) error {
		var err error
		next.Seq, err = tx.Insert(qInsertOperation, string(tenant), next.ID, next.Type, next.ETag,
			row.created, row.lastAction, string(next.Status), toNullString(next.StatusDetail), toNullString(next.ResourceLocation), row.validation)
		if err != nil {
			return s.errorf("create operation %s: %w", next.ID, s.translate(err))
		}
		return s.audit(tx, tenant, actor, rec)
	})
	if err != nil {
		return err
	}
	*op = next
	return nil
}

// GetOperation returns the tenant's operation id, or ErrNotFound.
func (s *Store) GetOperation(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Operation, error) {
	op, err := scanOperation(s.b.QueryRow(ctx, qGetOperation, string(tenant), id))
	if err != nil {
		return industrydata.Operation{}, s.errorf("get operation %s: %w", id, s.translate(err))
	}
	return op, nil
}

// ListOperations returns the page of the tenant's operations q selects (see
// industrydata.ListQuery). A property that cannot be filtered or sorted on,
// or a cursor that does not fit q.OrderBy, is a badRequest.
func (s *Store) ListOperations(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Operation, error) {
	return list(ctx, s, operationsTable, string(tenant), q, scanOperation)
}

// CountOperations counts the tenant's operations matching q.Filter and q.Type.
func (s *Store) CountOperations(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
	return s.count(ctx, operationsTable, string(tenant), q)
}

// UpdateOperation loads the operation, lets apply change a copy and, when
// apply returns nil, stores every field with a new ETag, all in one
// transaction. apply's error is returned unchanged and changes nothing. The
// identity (ID, Seq) cannot be changed: apply's changes to it are ignored.
func (s *Store) UpdateOperation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, apply func(*industrydata.Operation) error) (industrydata.Operation, error) {
	if apply == nil {
		return industrydata.Operation{}, s.errorf("update operation: nil apply")
	}
	var out industrydata.Operation
	err := s.b.Write(ctx, func(tx Tx) error {
		cur, err := scanOperation(tx.QueryRow(s.q.lockOperation, string(tenant), id))
		if err != nil {
			return s.errorf("update operation %s: %w", id, s.translate(err))
		}
		next := cur
		if err := apply(&next); err != nil {
			return err
		}
		next.ID, next.Seq, next.ETag = cur.ID, cur.Seq, newETag()
		row, err := encodeOperation(&next)
		if err != nil {
			return s.errorf("update operation %s: %w", id, err)
		}
		if _, err := tx.Exec(qUpdateOperation, next.Type, next.ETag, row.created, row.lastAction,
			string(next.Status), toNullString(next.StatusDetail), toNullString(next.ResourceLocation), row.validation, next.Seq); err != nil {
			return s.errorf("update operation %s: %w", id, s.translate(err))
		}
		if err := s.audit(tx, tenant, actor, schema.Audit(industrydata.AuditUpdate, &cur, &next)); err != nil {
			return err
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
func (s *Store) DeleteOperation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, check func(industrydata.Operation) error) error {
	return s.b.Write(ctx, func(tx Tx) error {
		cur, err := scanOperation(tx.QueryRow(s.q.lockOperation, string(tenant), id))
		if err != nil {
			return s.errorf("delete operation %s: %w", id, s.translate(err))
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(qDeleteOperation, cur.Seq); err != nil {
			return s.errorf("delete operation %s: %w", id, s.translate(err))
		}
		return s.audit(tx, tenant, actor, schema.Audit(industrydata.AuditDelete, &cur, nil))
	})
}
