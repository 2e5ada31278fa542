package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

const auditColumns = `seq, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes`

const (
	// qInsertAudit stamps the record with the time given, or the newest
	// record's when that is later, so that time never decreases along seq
	// whatever the clock does. The newest record is the last row of the
	// table's own B-tree, the page the insert goes to anyway.
	qInsertAudit = `INSERT INTO audit
	(tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
	VALUES (?, max(?, coalesce((SELECT time_ticks FROM audit ORDER BY seq DESC LIMIT 1), 0)), ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// qProcessRuns lists the runs DeleteProcess deletes, for their records.
	qProcessRuns = `SELECT ` + runColumns + ` FROM runs WHERE tenant = ? AND process_id = ? ORDER BY seq`
	// Probes of auditStart, by seq.
	qAuditFrom = `SELECT seq, time_ticks FROM audit WHERE seq >= ? ORDER BY seq LIMIT 1`
	qAuditLast = `SELECT seq, time_ticks FROM audit ORDER BY seq DESC LIMIT 1`
)

// audit appends recs, in order, to the audit log inside tx: the records of
// one write, made for actor in tenant, stamped with the store's clock (see
// qInsertAudit). It runs in the write's own job, so a write that fails or
// is rolled back leaves no record.
func (s *Store) audit(tx *batchTx, tenant industrydata.TenantID, actor industrydata.Actor, recs ...industrydata.AuditRecord) error {
	now, ok := industrydata.NormalizeTimestamp(s.clock.Now())
	if !ok {
		return fmt.Errorf("sqlite: audit: the clock's time %v is out of range", s.clock.Now())
	}
	ticks := industrydata.Ticks(now)
	system := 0
	if actor.System {
		system = 1
	}
	var changes []byte
	for _, r := range recs {
		changes = schema.AppendChanges(changes[:0], r.Changes)
		if _, err := tx.Exec(qInsertAudit, string(tenant), ticks, actor.Principal, actor.App, actor.RequestID, system,
			string(r.Action), r.EntityType, r.EntityID, r.ParentID, string(changes)); err != nil {
			return fmt.Errorf("sqlite: audit %s %s: %w", r.Action, r.EntityID, err)
		}
	}
	return nil
}

// processRuns returns the tenant's runs of the process inside tx, in
// insertion order.
func processRuns(tx *batchTx, tenant industrydata.TenantID, processID string) ([]industrydata.Run, error) {
	st, err := tx.stmt(qProcessRuns)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(tx.ctx, string(tenant), processID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []industrydata.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// ListAudit returns the page of the audit log q selects, in log order (see
// industrydata.AuditStore). The one writer commits records in seq order,
// so every committed record is below the watermark, and each record's Txn
// is its Seq: the log order is seq order.
func (s *Store) ListAudit(ctx context.Context, q industrydata.AuditQuery) ([]industrydata.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("sqlite: list audit: negative limit %d", q.Limit)
	}
	// The records after (Txn, Seq) when every record's Txn is its seq.
	from := q.After.Txn + 1
	if q.After.Seq < q.After.Txn {
		from = q.After.Txn
	}
	if !q.Since.IsZero() {
		since, ok := sinceTicks(q.Since)
		if !ok {
			return nil, nil // after the last time a record can have
		}
		start, found, err := s.auditStart(ctx, since, from)
		if err != nil || !found {
			return nil, err
		}
		from = start
	}
	st := auditPage(q.Tenant, from, q.Limit)
	rows, err := s.dyn.query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	var out []industrydata.AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list audit: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	return out, nil
}

// auditPage is the query of at most limit (0: the default) records from
// seq from on, of tenant or, when it is empty, of all: one range scan in
// seq order, of the table or of audit_tenant_seq.
func auditPage(tenant industrydata.TenantID, from int64, limit int) sqlq.Statement {
	if limit == 0 {
		limit = industrydata.DefaultAuditLimit
	}
	if tenant == "" {
		return sqlq.Statement{SQL: `SELECT ` + auditColumns + ` FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?`,
			Args: []any{from, int64(limit)}}
	}
	return sqlq.Statement{SQL: `SELECT ` + auditColumns + ` FROM audit WHERE tenant = ? AND seq >= ? ORDER BY seq LIMIT ?`,
		Args: []any{string(tenant), from, int64(limit)}}
}

// auditStart returns the seq of the first record from seq from on stamped
// at since or later; false when there is none. Time never decreases along
// seq, so a binary search over seq finds it in a few dozen seeks at most,
// with no index on time to keep up on every write. Its first seek answers
// at once for every page of an export but the first.
func (s *Store) auditStart(ctx context.Context, since, from int64) (int64, bool, error) {
	probe := func(query string, args ...any) (seq, ticks int64, ok bool, err error) {
		rows, err := s.dyn.query(ctx, query, args...)
		if err != nil {
			return 0, 0, false, err
		}
		defer rows.Close()
		if rows.Next() {
			err = rows.Scan(&seq, &ticks)
			ok = err == nil
		}
		return seq, ticks, ok, errors.Join(err, rows.Err())
	}
	lo, loTicks, ok, err := probe(qAuditFrom, from)
	if err != nil || !ok {
		return 0, false, wrapAuditErr(err)
	}
	if loTicks >= since {
		return lo, true, nil
	}
	hi, hiTicks, ok, err := probe(qAuditLast)
	if err != nil || !ok || hiTicks < since {
		return 0, false, wrapAuditErr(err)
	}
	// The record at lo is stamped before since, the one at hi not; start
	// is the first record from seq hi on. Seqs may have gaps, so a probe
	// asks for the first record from mid on, and moves lo past it when it
	// is still too early.
	start := hi
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		seq, ticks, ok, err := probe(qAuditFrom, mid)
		if err == nil && !ok {
			err = errors.New("records deleted during the search")
		}
		if err != nil {
			return 0, false, wrapAuditErr(err)
		}
		if ticks >= since {
			hi, start = mid, seq
		} else {
			lo = seq
		}
	}
	return start, true, nil
}

func wrapAuditErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: list audit: %w", err)
}

// scanAudit reads one row of auditColumns.
func scanAudit(r scanner) (industrydata.AuditRecord, error) {
	var (
		rec     industrydata.AuditRecord
		tenant  string
		ticks   int64
		system  int64
		action  string
		changes string
	)
	if err := r.Scan(&rec.Seq, &tenant, &ticks, &rec.Principal, &rec.App, &rec.RequestID, &system, &action,
		&rec.EntityType, &rec.EntityID, &rec.ParentID, &changes); err != nil {
		return rec, err
	}
	rec.Txn, rec.Tenant, rec.Time = rec.Seq, industrydata.TenantID(tenant), industrydata.FromTicks(ticks)
	rec.System, rec.Action = system != 0, industrydata.AuditAction(action)
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
