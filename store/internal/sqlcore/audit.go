package sqlcore

import (
	"context"
	"fmt"
	"industrydata"
	"industrydata/schema"
	"time"
)

// qProcessRuns lists the runs DeleteProcess deletes, for their records.
const qProcessRuns = `SELECT ` + runColumns + ` FROM runs WHERE tenant = ? AND process_id = ? ORDER BY seq`

// audit appends recs, in order, to the audit log inside tx: the records of
// one write, made for actor in tenant, stamped with the store's clock (see
// the dialect's InsertAudit). It runs in the write's own transaction, so a
// write that fails or is rolled back leaves no record.
func (s *Store) audit(tx Tx, tenant industrydata.TenantID, actor industrydata.Actor, recs ...industrydata.AuditRecord) error {
	now, ok := industrydata.NormalizeTimestamp(s.clock.Now())
	if !ok {
		return s.errorf("audit: the clock's time %v is out of range", s.clock.Now())
	}
	ticks := industrydata.Ticks(now)
	var changes []byte
	for _, r := range recs {
		changes = schema.AppendChanges(changes[:0], r.Changes)
		if _, err := tx.Exec(s.d.InsertAudit, string(tenant), ticks, actor.Principal, actor.App, actor.RequestID, actor.System,
			string(r.Action), r.EntityType, r.EntityID, r.ParentID, string(changes)); err != nil {
			return s.errorf("audit %s %s: %w", r.Action, r.EntityID, err)
		}
	}
	return nil
}

// processRuns returns the tenant's runs of the process inside tx, in
// insertion order.
func (s *Store) processRuns(tx Tx, tenant industrydata.TenantID, processID string) ([]industrydata.Run, error) {
	var runs []industrydata.Run
	err := tx.Each(qProcessRuns, []any{string(tenant), processID}, func(row Scanner) error {
		r, err := scanRun(row)
		runs = append(runs, r)
		return err
	})
	return runs, err
}

// ListAudit returns the page of the audit log q selects, in log order (see
// industrydata.AuditStore and Backend.AuditPage).
func (s *Store) ListAudit(ctx context.Context, q industrydata.AuditQuery) ([]industrydata.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, s.errorf("list audit: negative limit %d", q.Limit)
	}
	if q.Limit == 0 {
		q.Limit = industrydata.DefaultAuditLimit
	}
	var since int64
	if !q.Since.IsZero() {
		var ok bool
		if since, ok = sinceTicks(q.Since); !ok {
			return nil, nil // after the last time a record can have
		}
	}
	st, ok, err := s.b.AuditPage(ctx, q, since)
	if err != nil {
		return nil, s.errorf("list audit: %w", err)
	}
	if !ok {
		return nil, nil
	}
	var out []industrydata.AuditRecord
	err = s.b.Each(ctx, st.SQL, st.Args, func(row Scanner) error {
		r, err := scanAudit(row)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, s.errorf("list audit: %w", err)
	}
	return out, nil
}

// scanAudit reads one row of AuditColumns.
func scanAudit(r Scanner) (industrydata.AuditRecord, error) {
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
