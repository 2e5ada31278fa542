// Package postgres is the industrydata.Store on PostgreSQL (pgx v5,
// pgxpool), for several replicas of the service on one database.
//
// Unlike the SQLite store, which funnels every write through one writer,
// writes here are concurrent transactions at READ COMMITTED: each method
// runs in a transaction of its own, and takes the row locks its check
// needs (SELECT … FOR UPDATE of the row it read-modify-writes, FOR SHARE
// of a job it holds, FOR UPDATE SKIP LOCKED to claim a job), so that
// replicas never interleave a read and the write that depends on it. A
// transaction that dies of a deadlock or a serialization failure is run
// again, a few times at most.
//
// Nothing depends on session state: no SET, no session advisory lock, no
// named prepared statement (the pool runs in QueryExecModeCacheDescribe,
// which describes a statement once per connection through the unnamed
// statement and then sends Parse/Bind/Execute in one round trip). So the
// store works behind PgBouncer in transaction pooling mode. Migrations are
// serialized across replicas by goose's table locker (a row with a lease in
// goose_lock), not by an advisory lock.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"industrydata"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Config configures Open.
type Config struct {
	// URL is the connection string: postgres://user:pass@host:port/db?…
	// pgxpool's pool_max_conns, pool_min_conns… are honoured.
	URL string
	// MaxConns is the pool's size when URL sets no pool_max_conns; 0
	// means DefaultMaxConns.
	MaxConns int32
	// Logger receives the store's diagnostics (migrations). Nil discards.
	Logger *slog.Logger
	// Clock stamps audit records, imports and blob commits; nil is the
	// system clock.
	Clock industrydata.Clock
	// MigrationLockLease is how long a replica's hold on the migration
	// lock lasts unless renewed (a replica that died while migrating
	// holds it that long); 0 means 30s.
	MigrationLockLease time.Duration
}

// DefaultMaxConns is the pool's size by default: enough for a 2-core
// replica's requests and workers, small enough that a handful of replicas
// stay well under PostgreSQL's default max_connections of 100.
const DefaultMaxConns = 16

// Store is the PostgreSQL industrydata.Store. It is safe for concurrent use.
type Store struct {
	log   *slog.Logger
	clock industrydata.Clock
	pool  *pgxpool.Pool
	db    *sql.DB // the same pool through database/sql, for goose
	// versions answers Ping's "is the schema migrated".
	versions *goose.Provider

	closeOnce sync.Once
}

var _ industrydata.Store = (*Store)(nil)

// Open connects to the database cfg names and applies the pending
// migrations, one replica at a time.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres: Config.URL is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = industrydata.SystemClock{}
	}
	if cfg.MigrationLockLease == 0 {
		cfg.MigrationLockLease = 30 * time.Second
	}
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: --database-url: %w", err)
	}
	if !strings.Contains(cfg.URL, "pool_max_conns") {
		pc.MaxConns = DefaultMaxConns
		if cfg.MaxConns > 0 {
			pc.MaxConns = cfg.MaxConns
		}
	}
	// No named prepared statements: see the package comment.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{log: cfg.Logger, clock: cfg.Clock, pool: pool, db: stdlib.OpenDBFromPool(pool)}
	if err := s.migrate(ctx, cfg.MigrationLockLease); err != nil {
		s.Close()
		return nil, err
	}
	if s.versions, err = newProvider(s.db, s.log, nil); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// migrate applies the embedded migrations under goose's table lock, and
// logs one line if it applied any.
func (s *Store) migrate(ctx context.Context, lease time.Duration) error {
	locker, err := lock.NewPostgresTableLocker(
		lock.WithTableLeaseDuration(lease),
		lock.WithTableHeartbeatInterval(lease/6),
		// Another replica migrating: look again every 200ms, for as long
		// as a dead replica's lease could last and then some.
		lock.WithTableLockTimeout(200*time.Millisecond, uint64(10*lease/time.Second)+50),
		lock.WithTableUnlockTimeout(200*time.Millisecond, 50),
		lock.WithTableLogger(s.log))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := newProvider(s.db, s.log, locker)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return classify(fmt.Errorf("postgres: migrate: %w", err))
	}
	if len(results) == 0 {
		return nil
	}
	took := results[0].Duration
	for _, r := range results[1:] {
		took += r.Duration
	}
	version := results[len(results)-1].Source.Version
	s.log.Info(fmt.Sprintf("postgres: migrated to version %d", version), "version", version,
		"migrations", len(results), "duration", took)
	return nil
}

// newProvider returns a goose provider of the embedded migrations on db,
// locking with locker when it is not nil. Provider.Close closes db, so the
// store never calls it.
func newProvider(db *sql.DB, log *slog.Logger, locker lock.Locker) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithSlog(log)}
	if locker != nil {
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// Ping reports whether the database answers and every migration is
// applied.
func (s *Store) Ping(ctx context.Context) error {
	pending, err := s.versions.HasPending(ctx)
	if err != nil {
		return classify(fmt.Errorf("postgres: ping: %w", err))
	}
	if pending {
		return errors.New("postgres: ping: schema migrations are pending")
	}
	return nil
}

// Close closes the pool. A second call does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.db != nil {
			_ = s.db.Close()
		}
		s.pool.Close()
	})
	return nil
}

// maxAttempts bounds how often write runs a transaction that died of a
// deadlock or a serialization failure.
const maxAttempts = 5

// txn is one write transaction, as the methods see it.
type txn struct {
	ctx context.Context
	tx  pgx.Tx
}

// result is what Exec returns.
type result struct{ tag pgconn.CommandTag }

// RowsAffected is the number of rows the statement changed.
func (r result) RowsAffected() (int64, error) { return r.tag.RowsAffected(), nil }

// Exec runs a statement in the transaction.
func (t *txn) Exec(query string, args ...any) (result, error) {
	tag, err := t.tx.Exec(t.ctx, rebind(query), args...)
	return result{tag}, err
}

// QueryRow runs a query returning at most one row in the transaction.
func (t *txn) QueryRow(query string, args ...any) pgx.Row {
	return t.tx.QueryRow(t.ctx, rebind(query), args...)
}

// each runs query in the transaction and calls fn for each row; the rows
// are closed before it returns.
func (t *txn) each(query string, args []any, fn func(pgx.Rows) error) error {
	rows, err := t.tx.Query(t.ctx, rebind(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// write runs fn in a transaction and commits it. fn may run more than once
// (after a deadlock or a serialization failure), so it must set everything
// it reports from scratch. A failure to reach the database is
// ErrUnavailable.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return classify(err)
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *txn) error) (err error) {
	tx, err := s.pool.Begin(ctx)
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

// retryable reports whether a transaction that failed with err may simply
// be run again: PostgreSQL chose it as a deadlock's victim, or could not
// serialize it.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	return false
}

// unreachable reports whether err says the database could not be reached
// or the connection to it was lost, rather than that it refused the
// statement.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P0x: the server is shutting
		// down, crashed or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, os.ErrDeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "closed pool") ||
		strings.Contains(msg, "unexpected EOF")
}

// classify marks an error that says the database is out of reach as
// ErrUnavailable (errors.Is finds both it and the cause).
func classify(err error) error {
	if err == nil || errors.Is(err, industrydata.ErrUnavailable) || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", industrydata.ErrUnavailable, err)
}

// queryRow runs a read outside any write transaction.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	return classifiedRow{s.pool.QueryRow(ctx, rebind(query), args...)}
}

type classifiedRow struct{ r pgx.Row }

func (r classifiedRow) Scan(dest ...any) error { return classify(r.r.Scan(dest...)) }

// query runs a read outside any write transaction; its rows' Err is
// classified.
func (s *Store) query(ctx context.Context, query string, args ...any) (pgx.Rows, error) {
	rows, err := s.pool.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, classify(err)
	}
	return classifiedRows{rows}, nil
}

type classifiedRows struct{ pgx.Rows }

func (r classifiedRows) Err() error { return classify(r.Rows.Err()) }

// rebinds caches rebind's answers: the queries are constants, a few
// dozen, and the list queries' texts depend only on their shapes.
var rebinds sync.Map

// rebind turns the SQLite-style placeholders the queries are written
// with (? numbered in order, ?N numbered) into PostgreSQL's ($N). A ?
// after a ?N is numbered one past the largest number so far, as SQLite
// does. Queries already in $N form are left as they are.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	max := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' { // a string literal: copied as it is
			j := strings.IndexByte(q[i+1:], '\'')
			if j < 0 {
				b.WriteString(q[i:])
				break
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
			continue
		}
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		n := max + 1
		if j > i+1 {
			n, _ = strconv.Atoi(q[i+1 : j])
		}
		if n > max {
			max = n
		}
		b.WriteString("$" + strconv.Itoa(n))
		i = j - 1
	}
	out := b.String()
	rebinds.Store(q, out)
	return out
}

// translate turns the driver's answers to expected conditions into the
// root's sentinels: no row is ErrNotFound and a unique violation is
// ErrDuplicate. An unreachable database is ErrUnavailable. Anything else
// is returned as it is, to be reported as an internal error.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, sql.ErrNoRows) {
		return industrydata.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return industrydata.ErrDuplicate
	}
	return classify(err)
}

// newETag returns a fresh version token: 128 random bits, base64url without
// padding, so it never needs quoting inside an HTTP ETag.
func newETag() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read crashes instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// lockKey takes, until tx ends, the lock of one (scope, key): a row of
// locks, upserted. It serializes the writes that check something no row
// they read can carry (a set's size against its quota, a connector's one
// container) without a session-level or advisory lock.
func lockKey(tx *txn, scope, key string) error {
	_, err := tx.Exec(`INSERT INTO locks (scope, key) VALUES ($1, $2)
	ON CONFLICT (scope, key) DO UPDATE SET scope = excluded.scope`, scope, key)
	return err
}
