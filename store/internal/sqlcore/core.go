// Package sqlcore is the industrydata.Store written once over SQL: every
// entity's reads and writes, their statements and their checks, for any
// database a Backend gives access to.
//
// A store is put together from three parts. The backend package (sqlite,
// postgres) opens the database, migrates it (its schema package holds the
// migrations) and implements Backend: Write runs a function as one write
// transaction (the SQLite writer's group commit, PostgreSQL's transaction
// with its retries), QueryRow and Each read outside one, and AuditPage
// says where the audit log's next page starts, the log's order being the
// order in which the backend commits. Inside a write, Tx runs statements,
// returns an inserted row's seq (LastInsertId or RETURNING seq) and takes
// a named lock where concurrent writers need one. Dialect holds what
// differs in the SQL itself: the row-lock clauses, the few statements
// that cannot be written portably, the driver's "no row" and the mapping
// of its errors. New makes the Store over them; the backend's Store embeds
// it and adds only Ping and Close. A new backend provides exactly these: a
// Backend, a Tx, a Dialect, and a schema with the tables and indexes the
// others have (the plan tests here check the statements use them).
package sqlcore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// Scanner is one row: a *sql.Row or *sql.Rows, a pgx.Row or pgx.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// Result is what Exec returns.
type Result interface {
	RowsAffected() (int64, error)
}

// Tx is one write transaction as the entity methods see it. Queries are
// written with SQLite's placeholders (? and ?N); a backend that needs
// others rewrites them.
type Tx interface {
	Exec(query string, args ...any) (Result, error)
	QueryRow(query string, args ...any) Scanner
	// Each runs query and calls fn with each row until fn returns an
	// error, which Each returns; the rows are closed before it returns.
	Each(query string, args []any, fn func(Scanner) error) error
	// Insert runs an INSERT of one row into a table keyed by seq and
	// returns the row's seq.
	Insert(query string, args ...any) (int64, error)
	// Lock takes the lock named (scope, key) until the transaction ends,
	// for a check no row lock covers (a quota, a connector's one
	// container). A backend whose writes run one at a time does nothing.
	Lock(scope, key string) error
}

// Backend runs the store's statements on its database.
type Backend interface {
	// Write runs fn as one transaction and commits it. fn may run more
	// than once (a retried transaction), so it must set everything it
	// reports from scratch; it must keep no rows past its return.
	Write(ctx context.Context, fn func(Tx) error) error
	// QueryRow and Each read outside any write (see Tx).
	QueryRow(ctx context.Context, query string, args ...any) Scanner
	Each(ctx context.Context, query string, args []any, fn func(Scanner) error) error
	// AuditPage returns the statement that reads the page of the audit log
	// q selects (q.Limit is set), of the records stamped at since (ticks)
	// or later, in log order; its columns are AuditColumns. false: there
	// is no such record. The log order is the backend's: the order in
	// which records commit, such that no record ever commits before one a
	// page has shown.
	AuditPage(ctx context.Context, q industrydata.AuditQuery, since int64) (sqlq.Statement, bool, error)
}

// AuditColumns are the columns of an AuditPage statement, in order; txn
// is the record's place in the log with seq.
const AuditColumns = `seq, txn, tenant, time_ticks, principal, app, request_id, system, action, entity_type, entity_id, parent_id, changes`

// Dialect is what the SQL of one backend spells its own way.
type Dialect struct {
	// Name starts every error message ("sqlite", "postgres").
	Name string
	// SQL builds the list and count queries.
	SQL sqlq.Dialect
	// The row-lock clauses appended to a SELECT (" FOR UPDATE"…), empty
	// where writes run one at a time. SkipLocked claims a job.
	ForUpdate, ForShare, ForKeyShare, SkipLocked string
	// RowOrder is the column that orders a table's rows by insertion where
	// the table has no seq of its own (resource_refs).
	RowOrder string
	// NoRows is the driver's error for a QueryRow that found none.
	NoRows error
	// Translate turns the driver's errors for expected conditions into the
	// root's sentinels: NoRows is ErrNotFound, a unique violation is
	// ErrDuplicate; other errors are returned as they are (or marked).
	Translate func(error) error
	// RawBytes is the scan target of a []byte column that is copied before
	// the next row is read (sql.RawBytes), or p itself.
	RawBytes func(p *[]byte) any
	// InsertAudit inserts one audit record; its parameters are tenant,
	// time_ticks, principal, app, request_id, system, action, entity_type,
	// entity_id, parent_id and changes.
	InsertAudit string
	// RecentRuns selects the runColumns of the newest ?3 runs of each of
	// the processes ?2 of tenant ?1, by process in ?2's order, newest
	// first; ProcessIDs is the form ?2 takes.
	RecentRuns string
	ProcessIDs func(ids []string) (any, error)
}

// Store is an industrydata.Store over a Backend. It is safe for concurrent
// use.
type Store struct {
	b     Backend
	d     Dialect
	clock industrydata.Clock
	log   *slog.Logger
	q     queries
}

// New returns the store over b in dialect d; clock stamps audit records,
// imports and blob commits, and log receives what a caller is not told
// (a staged upload left behind).
func New(b Backend, d Dialect, clock industrydata.Clock, log *slog.Logger) *Store {
	return &Store{b: b, d: d, clock: clock, log: log, q: newQueries(d)}
}

// queries are the statements the dialect completes: those that lock what
// they read, and those that order by RowOrder.
type queries struct {
	lockProcess, shareProcess, lockOperation, lockResource string
	heldJob, heldRunSeq, flowExists, resourceExists        string
	getResource, scanResources                             string
}

func newQueries(d Dialect) queries {
	return queries{
		lockProcess:    qGetProcess + d.ForUpdate,
		shareProcess:   qGetProcess + d.ForShare,
		lockOperation:  qGetOperation + d.ForUpdate,
		lockResource:   qLockResource + d.ForUpdate,
		heldJob:        qHeldJob + d.ForShare,
		heldRunSeq:     qHeldRunSeq + ofTable(d.ForShare, "jobs"),
		flowExists:     `SELECT EXISTS (` + qFlowExists + d.ForKeyShare + `)`,
		resourceExists: qResourceExists + d.ForKeyShare,
		getResource:    qGetResource + d.RowOrder,
		scanResources:  qScanResources + d.RowOrder,
	}
}

// ReadQueries are the statements of d that Store runs on Backend.QueryRow
// and Backend.Each with no change of text, outside the list and count
// queries: those worth preparing once.
func ReadQueries(d Dialect) []string {
	q := newQueries(d)
	return []string{qGetOperation, qGetProcess, qGetRun, d.RecentRuns, qRunSeq, qGetActivity, qFlowData,
		qGetUserReport, qReportSeq, q.getResource, q.scanResources}
}

// ofTable narrows a lock clause to table's rows.
func ofTable(clause, table string) string {
	if clause == "" {
		return ""
	}
	return clause + " OF " + table
}

// errorf is fmt.Errorf with the dialect's name in front.
func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf(s.d.Name+": "+format, args...)
}

func (s *Store) translate(err error) error { return s.d.Translate(err) }

// newETag returns a fresh version token: 128 random bits, base64url without
// padding, so it never needs quoting inside an HTTP ETag.
func newETag() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read crashes instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
