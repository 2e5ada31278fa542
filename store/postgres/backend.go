package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"industrydata"
	"industrydata/store/internal/sqlcore"
	"industrydata/store/internal/sqlq"
)

// dialect is PostgreSQL's sqlcore.Dialect. Writes are concurrent
// transactions at READ COMMITTED, so each takes the row locks its check
// needs (see the package comment).
var dialect = sqlcore.Dialect{
	Name:        "postgres",
	SQL:         sqlq.Postgres,
	ForUpdate:   " FOR UPDATE",
	ForShare:    " FOR SHARE",
	ForKeyShare: " FOR KEY SHARE",
	SkipLocked:  " FOR UPDATE SKIP LOCKED",
	RowOrder:    "seq",
	NoRows:      pgx.ErrNoRows,
	Translate:   translate,
	RawBytes:    func(p *[]byte) any { return p },
	// The processes are an array: per process (a lateral subquery), a
	// backward scan of runs_tenant_process_start that stops after $3 rows,
	// however long its history.
	RecentRuns: `SELECT r.seq, r.id, r.process_id, r.operation_id, r.etag, r.display_name,
	r.start_ticks, r.end_ticks, r.status, r.blocking_error
	FROM unnest($2::text[]) WITH ORDINALITY AS p (id, n) CROSS JOIN LATERAL (
		SELECT s.* FROM runs AS s WHERE s.tenant = $1 AND s.process_id = p.id COLLATE "C"
		ORDER BY s.start_ticks DESC, s.seq DESC LIMIT $3) AS r
	ORDER BY p.n, r.start_ticks DESC, r.seq DESC`,
	ProcessIDs: func(ids []string) (any, error) { return ids, nil },
	// The record is stamped with the writing transaction's id, its place
	// in the log (see AuditPage).
	InsertAudit: `INSERT INTO audit
	(txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes)
	VALUES (pg_current_xact_id()::text::bigint, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
}

// auditWatermark is the oldest transaction still running (or the next one
// to start): every transaction below it has ended, so no record can commit
// below it any more.
const auditWatermark = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`

// backend is the Store as sqlcore sees it: transactions and reads on the
// pool.
type backend Store

// maxAttempts bounds how often Write runs a transaction that died of a
// deadlock or a serialization failure.
const maxAttempts = 5

// Write runs fn in a transaction and commits it. fn may run more than
// once (after a deadlock or a serialization failure), so it must set
// everything it reports from scratch. A failure to reach the database is
// ErrUnavailable.
func (b *backend) Write(ctx context.Context, fn func(sqlcore.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = b.observed(ctx, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return classify(err)
		}
		if b.obs != nil {
			b.obs.Retry(retryReason(err))
		}
	}
}

// observed is writeOnce, its latency and outcome reported when the store
// has metrics.
func (b *backend) observed(ctx context.Context, fn func(sqlcore.Tx) error) error {
	if b.obs == nil {
		return b.writeOnce(ctx, fn)
	}
	began := time.Now()
	err := b.writeOnce(ctx, fn)
	b.obs.Transaction("write", time.Since(began), err)
	return err
}

func (b *backend) writeOnce(ctx context.Context, fn func(sqlcore.Tx) error) (err error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(&txn{ctx: ctx, tx: tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// QueryRow runs a read outside any write transaction.
func (b *backend) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Scanner {
	return classifiedRow{b.pool.QueryRow(ctx, sqlq.Rebind(query), args...)}
}

type classifiedRow struct{ r pgx.Row }

func (r classifiedRow) Scan(dest ...any) error { return classify(r.r.Scan(dest...)) }

// Each runs a read outside any write transaction and calls fn with each
// row; a failure to reach the database is ErrUnavailable.
func (b *backend) Each(ctx context.Context, query string, args []any, fn func(sqlcore.Scanner) error) error {
	rows, err := b.pool.Query(ctx, sqlq.Rebind(query), args...)
	if err != nil {
		return classify(err)
	}
	return classify(eachRow(rows, fn))
}

// eachRow calls fn with each of rows and closes them.
func eachRow(rows pgx.Rows, fn func(sqlcore.Scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AuditPage is the statement of the page of the audit log q selects, in
// log order (txn, seq): the records after q.After of the transactions below
// the watermark, the oldest transaction still running. A transaction still
// running has an id at or above it, and every transaction to come a larger
// one, so a record never commits at a position before one shown. Since
// filters by time alone: with concurrent writers, time does not follow the
// log order.
func (b *backend) AuditPage(_ context.Context, q industrydata.AuditQuery, since int64) (sqlq.Statement, bool, error) {
	query := `SELECT ` + sqlcore.AuditColumns + ` FROM audit WHERE (txn, seq) > ($1, $2) AND txn < ` + auditWatermark
	args := []any{q.After.Txn, q.After.Seq}
	if q.Tenant != "" {
		args = append(args, string(q.Tenant))
		query += fmt.Sprintf(" AND tenant = $%d", len(args))
	}
	if since > 0 {
		args = append(args, since)
		query += fmt.Sprintf(" AND time_ticks >= $%d", len(args))
	}
	args = append(args, int64(q.Limit))
	query += fmt.Sprintf(" ORDER BY txn, seq LIMIT $%d", len(args))
	return sqlq.Statement{SQL: query, Args: args}, true, nil
}

// txn is one write transaction, as sqlcore sees it.
type txn struct {
	ctx context.Context
	tx  pgx.Tx
}

// result is what Exec returns.
type result struct{ tag pgconn.CommandTag }

// RowsAffected is the number of rows the statement changed.
func (r result) RowsAffected() (int64, error) { return r.tag.RowsAffected(), nil }

// Exec runs a statement in the transaction.
func (t *txn) Exec(query string, args ...any) (sqlcore.Result, error) {
	tag, err := t.tx.Exec(t.ctx, sqlq.Rebind(query), args...)
	return result{tag}, err
}

// QueryRow runs a query returning at most one row in the transaction.
func (t *txn) QueryRow(query string, args ...any) sqlcore.Scanner {
	return t.tx.QueryRow(t.ctx, sqlq.Rebind(query), args...)
}

// Each runs query in the transaction and calls fn for each row; the rows
// are closed before it returns.
func (t *txn) Each(query string, args []any, fn func(sqlcore.Scanner) error) error {
	rows, err := t.tx.Query(t.ctx, sqlq.Rebind(query), args...)
	if err != nil {
		return err
	}
	return eachRow(rows, fn)
}

// returning caches the INSERTs of Insert with their RETURNING clause.
var returning sync.Map

// Insert runs an INSERT of one row and returns its seq; pgx.ErrNoRows
// when it inserted none (an INSERT … SELECT that selected nothing).
func (t *txn) Insert(query string, args ...any) (int64, error) {
	q, ok := returning.Load(query)
	if !ok {
		q, _ = returning.LoadOrStore(query, sqlq.Rebind(query+" RETURNING seq"))
	}
	var seq int64
	err := t.tx.QueryRow(t.ctx, q.(string), args...).Scan(&seq)
	return seq, err
}

// Lock takes, until the transaction ends, the lock of one (scope, key): a
// row of locks, upserted. It serializes the writes that check something no
// row they read can carry (a set's size against its quota, a connector's
// one container) without a session-level or advisory lock.
func (t *txn) Lock(scope, key string) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO locks (scope, key) VALUES ($1, $2)
	ON CONFLICT (scope, key) DO UPDATE SET scope = excluded.scope`, scope, key)
	return err
}
