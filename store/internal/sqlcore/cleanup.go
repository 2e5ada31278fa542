package sqlcore

import (
	"context"
	"fmt"
	"time"

	"industrydata"
)

// The cleanup (industrydata.CleanupStore): what fell out of retention
// before ?1 goes, in batches of ?2 rows a transaction, oldest first. A
// deletion here writes no audit record: the retention that makes it is
// the service's, and auditing it would grow the log it trims.
const (
	// A finished operation no job in progress follows.
	sweepOperations = `FROM operations o WHERE o.status IN ('succeeded', 'failed')
	AND coalesce(o.last_action_ticks, o.created_ticks) < ?1
	AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = o.tenant AND j.operation_id = o.id)`
	qCountOperations = `SELECT count(*), 0 ` + sweepOperations
	qSweepOperations = `DELETE FROM operations WHERE seq IN (SELECT o.seq ` + sweepOperations + `
	ORDER BY coalesce(o.last_action_ticks, o.created_ticks), o.seq LIMIT ?2)`
	// An audit record written before ?1, but never the newest: SQLite
	// numbers a record after the greatest seq stored (audit has no
	// AUTOINCREMENT), which must not go back to one already exported.
	// (+seq: the batch seeks audit_time, not the primary key.)
	sweepAudit  = `FROM audit WHERE time_ticks < ?1 AND +seq < (SELECT max(seq) FROM audit)`
	qCountAudit = `SELECT count(*), coalesce(sum(octet_length(changes)), 0) ` + sweepAudit
	qSweepAudit = `DELETE FROM audit WHERE seq IN (SELECT seq ` + sweepAudit + ` ORDER BY time_ticks, seq LIMIT ?2)
	RETURNING octet_length(changes)`
	sweepUploadSelect = `SELECT c.seq, (SELECT coalesce(sum(p.size), 0) FROM upload_pieces p WHERE p.container = c.seq
		AND NOT EXISTS (SELECT 1 FROM upload_content_pieces cp JOIN upload_contents k ON k.seq = cp.content
			WHERE cp.piece = p.seq AND (EXISTS (SELECT 1 FROM upload_validated v WHERE v.content = k.seq)
				OR EXISTS (SELECT 1 FROM flow_files f WHERE f.content = k.seq))))`
	// An expired upload session whose connector no validation in progress
	// reads, with the bytes of its pieces that no kept content uses.
	sweepUploadSessions = ` FROM upload_containers c WHERE c.expires_ticks <= ?1
	AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = c.tenant AND j.kind = 'validation' AND j.subject = c.connector_id)`
	qCountUploadSessions = `SELECT count(*), coalesce(sum(bytes), 0) FROM (` + sweepUploadSelect + ` AS bytes` + sweepUploadSessions + `) x`
	qSweepUploadSessions = sweepUploadSelect + sweepUploadSessions + ` ORDER BY c.expires_ticks, c.seq LIMIT ?2`
	// A block staged before ?1 and never committed, of a connector no
	// validation in progress reads.
	sweepableBlocks = ` FROM upload_blocks b JOIN upload_containers c ON c.seq = b.container WHERE b.staged_ticks < ?1
	AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = c.tenant AND j.kind = 'validation' AND j.subject = c.connector_id)`
	qCountUploadBlocks = `SELECT count(*), coalesce(sum(b.size), 0)` + sweepableBlocks
	qSweepUploadBlocks = `SELECT b.container, b.blob, b.block_id, b.piece, b.size` + sweepableBlocks + ` ORDER BY b.staged_ticks LIMIT ?2`
	qDropBlock         = `DELETE FROM upload_blocks WHERE container = ? AND blob = ? AND block_id = ?`
)

// Sweepable counts what Sweep would remove (see industrydata.CleanupStore).
func (s *Store) Sweepable(ctx context.Context, kind industrydata.CleanupKind, cutoff industrydata.Cutoff) (industrydata.Swept, error) {
	var (
		q    string
		args = []any{industrydata.Ticks(cutoff.Before)}
	)
	switch kind {
	case industrydata.CleanupOperations:
		q = qCountOperations
	case industrydata.CleanupRuns:
		q, args = qCountRuns, append(args, int64(cutoff.Keep), industrydata.Ticks(cutoff.Now))
	case industrydata.CleanupAudit:
		q = qCountAudit
	case industrydata.CleanupValidatedSets:
		q, args = qCountValidatedSets, nil
	case industrydata.CleanupUploadSessions:
		q = qCountUploadSessions
	case industrydata.CleanupUploadBlocks:
		q = qCountUploadBlocks
	default:
		return industrydata.Swept{}, s.errorf("sweepable: unknown kind %q", kind)
	}
	var out industrydata.Swept
	if err := s.b.QueryRow(ctx, q, args...).Scan(&out.Rows, &out.Bytes); err != nil {
		return industrydata.Swept{}, s.errorf("sweepable %s: %w", kind, err)
	}
	return out, nil
}

// Sweep deletes one batch of kind (see industrydata.CleanupStore).
func (s *Store) Sweep(ctx context.Context, kind industrydata.CleanupKind, cutoff industrydata.Cutoff, limit int) (industrydata.Swept, error) {
	if limit <= 0 {
		return industrydata.Swept{}, s.errorf("sweep %s: limit %d", kind, limit)
	}
	var out industrydata.Swept
	err := s.b.Write(ctx, func(tx Tx) error {
		out = industrydata.Swept{}
		switch kind {
		case industrydata.CleanupOperations:
			return sweepRows(tx, qSweepOperations, []any{industrydata.Ticks(cutoff.Before), limit}, &out)
		case industrydata.CleanupRuns:
			return sweepRuns(tx, cutoff, limit, &out)
		case industrydata.CleanupAudit:
			return sweepSized(tx, qSweepAudit, []any{industrydata.Ticks(cutoff.Before), limit}, &out)
		case industrydata.CleanupValidatedSets:
			return s.sweepValidatedSets(tx, limit, &out)
		case industrydata.CleanupUploadSessions:
			return s.sweepUploadSessions(tx, cutoff.Before, limit, &out)
		case industrydata.CleanupUploadBlocks:
			return sweepUploadBlocks(tx, cutoff.Before, limit, &out)
		}
		return fmt.Errorf("unknown kind %q", kind)
	})
	if err != nil {
		return industrydata.Swept{}, s.errorf("sweep %s: %w", kind, err)
	}
	return out, nil
}

// sweepRows runs a batch DELETE and counts its rows into out.
func sweepRows(tx Tx, q string, args []any, out *industrydata.Swept) error {
	res, err := tx.Exec(q, args...)
	if err != nil {
		return err
	}
	out.Rows, err = res.RowsAffected()
	return err
}

// sweepSized runs a batch DELETE that returns each row's size, and adds
// its rows and their sizes to out.
func sweepSized(tx Tx, q string, args []any, out *industrydata.Swept) error {
	return tx.Each(q, args, func(r Scanner) error {
		var n int64
		err := r.Scan(&n)
		out.Add(industrydata.Swept{Rows: 1, Bytes: n})
		return err
	})
}

// sweepUploadSessions discards a batch of expired containers as a new
// session discards its connector's old ones.
func (s *Store) sweepUploadSessions(tx Tx, cutoff time.Time, limit int, out *industrydata.Swept) error {
	type expired struct{ seq, bytes int64 }
	var batch []expired
	err := tx.Each(qSweepUploadSessions, []any{industrydata.Ticks(cutoff), limit}, func(r Scanner) error {
		var e expired
		if err := r.Scan(&e.seq, &e.bytes); err != nil {
			return err
		}
		batch = append(batch, e)
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range batch {
		if err := s.discardContainer(tx, e.seq); err != nil {
			return err
		}
		out.Add(industrydata.Swept{Rows: 1, Bytes: e.bytes})
	}
	return nil
}

// sweepUploadBlocks deletes a batch of blocks never committed, and their
// pieces (a piece a content uses stays, as when a commit drops a blob's
// other blocks).
func sweepUploadBlocks(tx Tx, cutoff time.Time, limit int, out *industrydata.Swept) error {
	type block struct {
		container   int64
		blob, id    string
		piece, size int64
	}
	var batch []block
	err := tx.Each(qSweepUploadBlocks, []any{industrydata.Ticks(cutoff), limit}, func(r Scanner) error {
		var b block
		if err := r.Scan(&b.container, &b.blob, &b.id, &b.piece, &b.size); err != nil {
			return err
		}
		batch = append(batch, b)
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range batch {
		if _, err := tx.Exec(qDropBlock, b.container, b.blob, b.id); err != nil {
			return err
		}
		if _, err := tx.Exec(qDropPieceUnused, b.piece); err != nil {
			return err
		}
		out.Add(industrydata.Swept{Rows: 1, Bytes: b.size})
	}
	return nil
}
