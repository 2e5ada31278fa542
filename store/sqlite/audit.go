package sqlite

import (
	"context"
	"errors"
	"fmt"

	"industrydata"
	"industrydata/store/internal/sqlcore"
	"industrydata/store/internal/sqlq"
)

// auditColumns are sqlcore.AuditColumns: each record's txn is its seq.
const auditColumns = `seq, seq AS txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes`

const (
	// qInsertAudit stamps the record with the time given, or the newest
	// record's when that is later, so that time never decreases along seq
	// whatever the clock does. The newest record is the last row of the
	// table's own B-tree, the page the insert goes to anyway.
	qInsertAudit = `INSERT INTO audit
	(tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
	VALUES (?, max(?, coalesce((SELECT time_ticks FROM audit ORDER BY seq DESC LIMIT 1), 0)), ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// Probes of auditStart, by seq.
	qAuditFrom = `SELECT seq, time_ticks FROM audit WHERE seq >= ? ORDER BY seq LIMIT 1`
	qAuditLast = `SELECT seq, time_ticks FROM audit ORDER BY seq DESC LIMIT 1`
)

// AuditPage is the statement of the page of the audit log q selects, in
// log order (see sqlcore.Backend). The one writer commits records in seq
// order, so every committed record is below the watermark, and each
// record's Txn is its Seq: the log order is seq order.
func (b *backend) AuditPage(ctx context.Context, q industrydata.AuditQuery, since int64) (sqlq.Statement, bool, error) {
	// The records after (Txn, Seq) when every record's Txn is its seq.
	from := q.After.Txn + 1
	if q.After.Seq < q.After.Txn {
		from = q.After.Txn
	}
	if since > 0 {
		start, found, err := b.auditStart(ctx, since, from)
		if err != nil || !found {
			return sqlq.Statement{}, false, err
		}
		from = start
	}
	return auditPage(q.Tenant, from, q.Limit), true, nil
}

// auditPage is the query of at most limit records from seq from on, of
// tenant or, when it is empty, of all: one range scan in seq order, of the
// table or of audit_tenant_seq.
func auditPage(tenant industrydata.TenantID, from int64, limit int) sqlq.Statement {
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
func (b *backend) auditStart(ctx context.Context, since, from int64) (int64, bool, error) {
	probe := func(query string, args ...any) (seq, ticks int64, ok bool, err error) {
		err = b.Each(ctx, query, args, func(row sqlcore.Scanner) error {
			ok = true
			return row.Scan(&seq, &ticks)
		})
		return seq, ticks, ok && err == nil, err
	}
	lo, loTicks, ok, err := probe(qAuditFrom, from)
	if err != nil || !ok {
		return 0, false, err
	}
	if loTicks >= since {
		return lo, true, nil
	}
	hi, hiTicks, ok, err := probe(qAuditLast)
	if err != nil || !ok || hiTicks < since {
		return 0, false, err
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
			return 0, false, fmt.Errorf("audit start: %w", err)
		}
		if ticks >= since {
			hi, start = mid, seq
		} else {
			lo = seq
		}
	}
	return start, true, nil
}
