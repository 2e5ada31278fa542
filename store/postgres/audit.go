package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"industrydata"
	"industrydata/schema"
)

const auditColumns = `seq, txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes`

const (
	// qInsertAudit stamps the record with the writing transaction's id,
	// its place in the log (see ListAudit).
	qInsertAudit = `INSERT INTO audit
	(txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
	VALUES (pg_current_xact_id()::text::bigint, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	// qProcessRuns lists the runs DeleteProcess deletes, for their records.
	qProcessRuns = `SELECT ` + runColumns + ` FROM runs WHERE tenant = ? AND process_id = ? ORDER BY seq`
	// auditWatermark is the oldest transaction still running (or the next
	// one to start): every transaction below it has ended, so no record
	// can commit below it any more.
	auditWatermark = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`
)

// audit appends recs, in order, to the audit log inside tx: the records of
// one write, made for actor in tenant, stamped with the store's clock. A
// write that fails or is rolled back leaves no record.
func (s *Store) audit(tx *txn, tenant industrydata.TenantID, actor industrydata.Actor, recs ...industrydata.AuditRecord) error {
	now, ok := industrydata.NormalizeTimestamp(s.clock.Now())
	if !ok {
		return fmt.Errorf("postgres: audit: the clock's time %v is out of range", s.clock.Now())
	}
	ticks := industrydata.Ticks(now)
	var changes []byte
	for _, r := range recs {
		changes = schema.AppendChanges(changes[:0], r.Changes)
		if _, err := tx.Exec(qInsertAudit, string(tenant), ticks, actor.Principal, actor.App, actor.RequestID, actor.System,
			string(r.Action), r.EntityType, r.EntityID, r.ParentID, string(changes)); err != nil {
			return fmt.Errorf("postgres: audit %s %s: %w", r.Action, r.EntityID, err)
		}
	}
	return nil
}

// processRuns returns the tenant's runs of the process inside tx, in
// insertion order.
func processRuns(tx *txn, tenant industrydata.TenantID, processID string) ([]industrydata.Run, error) {
	var runs []industrydata.Run
	err := tx.each(qProcessRuns, []any{string(tenant), processID}, func(rows pgx.Rows) error {
		r, err := scanRun(rows)
		runs = append(runs, r)
		return err
	})
	return runs, err
}

// ListAudit returns the page of the audit log q selects, in log order
// (txn, seq): the records after q.After of the transactions below the
// watermark, the oldest transaction still running. A transaction still
// running has an id at or above it, and every transaction to come a
// larger one, so a record never commits at a position before one shown.
// Since filters by time alone: with concurrent writers, time does not
// follow the log order.
func (s *Store) ListAudit(ctx context.Context, q industrydata.AuditQuery) ([]industrydata.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("postgres: list audit: negative limit %d", q.Limit)
	}
	limit := q.Limit
	if limit == 0 {
		limit = industrydata.DefaultAuditLimit
	}
	query := `SELECT ` + auditColumns + ` FROM audit WHERE (txn, seq) > ($1, $2) AND txn < ` + auditWatermark
	args := []any{q.After.Txn, q.After.Seq}
	if q.Tenant != "" {
		args = append(args, string(q.Tenant))
		query += fmt.Sprintf(" AND tenant = $%d", len(args))
	}
	if !q.Since.IsZero() {
		since, ok := sinceTicks(q.Since)
		if !ok {
			return nil, nil // after the last time a record can have
		}
		args = append(args, since)
		query += fmt.Sprintf(" AND time_ticks >= $%d", len(args))
	}
	args = append(args, int64(limit))
	query += fmt.Sprintf(" ORDER BY txn, seq LIMIT $%d", len(args))
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit: %w", err)
	}
	defer rows.Close()
	var out []industrydata.AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list audit: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list audit: %w", err)
	}
	return out, nil
}

// scanAudit reads one row of auditColumns.
func scanAudit(r scanner) (industrydata.AuditRecord, error) {
	var (
		rec     industrydata.AuditRecord
		tenant  string
		ticks   int64
		action  string
		changes string
	)
	if err := r.Scan(&rec.Seq, &rec.Txn, &tenant, &ticks, &rec.Principal, &rec.App, &rec.RequestID, &rec.System, &action,
		&rec.EntityType, &rec.EntityID, &rec.ParentID, &changes); err != nil {
		return rec, err
	}
	rec.Tenant, rec.Time = industrydata.TenantID(tenant), industrydata.FromTicks(ticks)
	rec.Action = industrydata.AuditAction(action)
	var err error
	if rec.Changes, err = schema.ParseChanges([]byte(changes)); err != nil {
		return rec, fmt.Errorf("record %d: changes: %w", rec.Seq, err)
	}
	return rec, nil
}

// sinceTicks is the stored form of the earliest time a record may have to
// be at or after t: t rounded up to a whole tick (records are stamped in
// whole ticks). false when no stored time can be that late.
func sinceTicks(t time.Time) (int64, bool) {
	const tick = 100 * time.Nanosecond
	t = t.UTC()
	up := t.Truncate(tick)
	if up.Before(t) {
		up = up.Add(tick)
	}
	if up.Year() < 1 {
		return industrydata.Ticks(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)), true
	}
	n, ok := industrydata.NormalizeTimestamp(up)
	if !ok {
		return 0, false
	}
	return industrydata.Ticks(n), true
}
