package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"industrydata"
	"industrydata/store/internal/sqlcore"
	"industrydata/store/internal/sqlq"
)

// dialect is SQLite's sqlcore.Dialect. Writes run one at a time on the
// writer, so nothing locks rows.
var dialect = sqlcore.Dialect{
	Name:      "sqlite",
	SQL:       sqlq.SQLite,
	RowOrder:  "rowid",
	NoRows:    sql.ErrNoRows,
	Translate: translate,
	RawBytes:  func(p *[]byte) any { return (*sql.RawBytes)(p) },
	// The processes are a JSON array: per process, a backward scan of
	// runs_tenant_process_start that stops after ?3 rows, however long its
	// history. (json_each has an id column too, hence the qualified names.)
	RecentRuns: `SELECT r.seq, r.id, r.process_id, r.operation_id, r.etag, r.display_name,
	r.start_ticks, r.end_ticks, r.status, r.blocking_error
	FROM json_each(?2) AS p JOIN runs AS r ON r.seq IN (
		SELECT s.seq FROM runs AS s WHERE s.tenant = ?1 AND s.process_id = p.value
		ORDER BY s.start_ticks DESC, s.seq DESC LIMIT ?3)
	ORDER BY p.key, r.start_ticks DESC, r.seq DESC`,
	ProcessIDs: func(ids []string) (any, error) {
		b, err := json.Marshal(ids)
		return string(b), err
	},
	InsertAudit: qInsertAudit,
}

// backend is the Store as sqlcore sees it: writes go to the writer
// goroutine, reads to the reader pool.
type backend Store

// Write runs fn as one job of a group commit (see Store.write).
func (b *backend) Write(ctx context.Context, fn func(sqlcore.Tx) error) error {
	return (*Store)(b).write(ctx, fn)
}

// QueryRow runs a reader query returning at most one row, on its prepared
// statement when it has one.
//
// The query runs without ctx's cancellation: a row read by key takes
// microseconds, and a context that can end costs each query a goroutine
// of database/sql's and one of the driver's to watch it, with SQLite's
// progress and busy handlers set and cleared around it — about a third of
// the CPU of reading the row (BenchmarkGetOperationParallel).
func (b *backend) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Scanner {
	if ctx.Done() != nil {
		ctx = context.WithoutCancel(ctx)
	}
	var row *sql.Row
	if st, ok := b.rstmts[query]; ok {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = b.reader.QueryRowContext(ctx, query, args...)
	}
	if b.dur.wal == nil {
		return row
	}
	return durableRow{row, (*Store)(b)}
}

// durableRow is a row read from the file, answered once what it shows is
// durable (Store.awaitDurable): its absence too, which a delete not yet
// synced may be the cause of.
type durableRow struct {
	row *sql.Row
	s   *Store
}

func (r durableRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if derr := r.s.awaitDurable(); derr != nil {
		return derr
	}
	return err
}

// Each runs a reader query and calls fn with each row: on its statement
// prepared in Open, or on one the cache prepares (the list and count
// queries, whose texts depend only on their shapes).
func (b *backend) Each(ctx context.Context, query string, args []any, fn func(sqlcore.Scanner) error) error {
	var (
		rows *sql.Rows
		err  error
	)
	if st, ok := b.rstmts[query]; ok {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = b.dyn.query(ctx, query, args...)
	}
	if err != nil {
		return err
	}
	if err := eachRow(rows, fn); err != nil {
		return err
	}
	return (*Store)(b).awaitDurable()
}

// eachRow calls fn with each of rows and closes them.
func eachRow(rows *sql.Rows, fn func(sqlcore.Scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// Each runs query in the batch's transaction and calls fn for each row.
// The rows are closed before it returns, as a job must leave none open.
func (t *batchTx) Each(query string, args []any, fn func(sqlcore.Scanner) error) error {
	st, err := t.stmt(query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(t.ctx, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, fn)
}

// Insert runs an INSERT of one row and returns its rowid, the table's seq;
// sql.ErrNoRows when it inserted none (an INSERT … SELECT that selected
// nothing).
func (t *batchTx) Insert(query string, args ...any) (int64, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, sql.ErrNoRows
	}
	return res.LastInsertId()
}

// Lock does nothing: the writer runs one write at a time.
func (t *batchTx) Lock(scope, key string) error { return nil }

// translate turns the driver's answers to expected conditions into the
// root's sentinels, so no caller ever needs to know the driver: no row is
// ErrNotFound and a unique violation is ErrDuplicate. Anything else is
// returned as it is, to be reported as an internal error.
func translate(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return industrydata.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return industrydata.ErrDuplicate
		}
	}
	return err
}
