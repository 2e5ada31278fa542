package sqlcore

import (
	"context"
	"database/sql"
	"time"

	"industrydata"
)

// The audit records an archive keeps before they go (ExpiredAudit, then
// DeleteAudit), and the age of the oldest record of each kind kept.
const (
	// The records qSweepAudit would delete next, in its order; the columns
	// are AuditColumns but txn, which SQLite does not store.
	qExpiredAudit = `SELECT seq, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id,
	parent_id, changes ` + sweepAudit + ` ORDER BY time_ticks, seq LIMIT ?2`
	qDeleteAuditRecord = `DELETE FROM audit WHERE seq = ? RETURNING octet_length(changes)`
)

// oldestKept is, for each kind with one, the statement of the time its
// oldest row was written; each reads one end of an index but runs', whose
// table is small. For operations it is the oldest last action of a
// finished one: what their retention counts from.
var oldestKept = map[industrydata.CleanupKind]string{
	industrydata.CleanupOperations: `SELECT min(coalesce(last_action_ticks, created_ticks)) FROM operations
		WHERE status IN ('succeeded', 'failed')`,
	industrydata.CleanupRuns:           `SELECT min(start_ticks) FROM runs`,
	industrydata.CleanupAudit:          `SELECT min(time_ticks) FROM audit`,
	industrydata.CleanupUploadSessions: `SELECT min(expires_ticks) FROM upload_containers`,
	industrydata.CleanupUploadBlocks:   `SELECT min(staged_ticks) FROM upload_blocks`,
}

// withoutTxn scans a row of qExpiredAudit as scanAudit scans one of
// AuditColumns, leaving Txn zero.
type withoutTxn struct{ Scanner }

func (w withoutTxn) Scan(dest ...any) error {
	return w.Scanner.Scan(append(dest[:1:1], dest[2:]...)...)
}

// ExpiredAudit returns the next audit records an audit sweep before
// before would delete (see industrydata.CleanupStore).
func (s *Store) ExpiredAudit(ctx context.Context, before time.Time, limit int) ([]industrydata.AuditRecord, error) {
	var out []industrydata.AuditRecord
	err := s.b.Each(ctx, qExpiredAudit, []any{industrydata.Ticks(before), limit}, func(r Scanner) error {
		rec, err := scanAudit(withoutTxn{r})
		out = append(out, rec)
		return err
	})
	if err != nil {
		return nil, s.errorf("expired audit: %w", err)
	}
	return out, nil
}

// DeleteAudit deletes the audit records of seqs in one transaction.
func (s *Store) DeleteAudit(ctx context.Context, seqs []int64) (industrydata.Swept, error) {
	var out industrydata.Swept
	err := s.b.Write(ctx, func(tx Tx) error {
		out = industrydata.Swept{}
		for _, seq := range seqs {
			if err := sweepSized(tx, qDeleteAuditRecord, []any{seq}, &out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return industrydata.Swept{}, s.errorf("delete audit: %w", err)
	}
	return out, nil
}

// OldestKept is when the oldest row of kind was written (see
// industrydata.CleanupStore).
func (s *Store) OldestKept(ctx context.Context, kind industrydata.CleanupKind) (time.Time, bool, error) {
	q, ok := oldestKept[kind]
	if !ok {
		return time.Time{}, false, nil
	}
	var ticks sql.NullInt64
	if err := s.b.QueryRow(ctx, q).Scan(&ticks); err != nil {
		return time.Time{}, false, s.errorf("oldest %s: %w", kind, err)
	}
	if !ticks.Valid {
		return time.Time{}, false, nil
	}
	return industrydata.FromTicks(ticks.Int64), true, nil
}
