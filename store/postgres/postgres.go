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
	"database/sql"
	"errors"
	"fmt"
	"industrydata/metrics"
	"industrydata/store/internal/migrate"
	"industrydata/store/internal/pgschema"
	"industrydata/store/internal/sqlcore"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"industrydata"
)

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
	// Metrics receives each write transaction's latency and outcome and
	// its retries, and exports the pool ("postgres"). Nil reports
	// nothing.
	Metrics metrics.StoreObserver
}

// DefaultMaxConns is the pool's size by default: enough for a 2-core
// replica's requests and workers, small enough that a handful of replicas
// stay well under PostgreSQL's default max_connections of 100.
const DefaultMaxConns = 16

// Store is the PostgreSQL industrydata.Store: the entity methods of
// sqlcore.Store over this package's pool (backend). It is safe for
// concurrent use.
type Store struct {
	*sqlcore.Store
	log  *slog.Logger
	obs  metrics.StoreObserver // nil: report nothing
	pool *pgxpool.Pool
	db   *sql.DB // the same pool through database/sql, for goose
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
	s := &Store{log: cfg.Logger, obs: cfg.Metrics, pool: pool, db: stdlib.OpenDBFromPool(pool)}
	s.Store = sqlcore.New((*backend)(s), dialect, cfg.Clock, cfg.Logger)
	if s.obs != nil {
		if err := s.obs.Pool("postgres", s.poolStats); err != nil {
			s.Close()
			return nil, fmt.Errorf("postgres: metrics: %w", err)
		}
	}
	if err := s.migrate(ctx, cfg.MigrationLockLease); err != nil {
		s.Close()
		return nil, err
	}
	if s.versions, err = pgschema.NewProvider(s.db, s.log, nil); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// poolStats reads the pool's figures for the metrics.
func (s *Store) poolStats() metrics.PoolStats {
	st := s.pool.Stat()
	return metrics.PoolStats{Max: int(st.MaxConns()), InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime()}
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
	p, err := pgschema.NewProvider(s.db, s.log, locker)
	if err != nil {
		return err
	}
	return classify(migrate.Up(ctx, p, s.log, "postgres"))
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
