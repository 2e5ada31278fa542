// Package sqlite is the industrydata.Store on SQLite (modernc.org/sqlite,
// pure Go, no cgo).
//
// Reads go to a pool of read-only connections. Every write goes through one
// writer goroutine that runs the writes queued by concurrent callers in a
// single transaction, each inside its own savepoint so that a failed write
// undoes only itself, and commits them together (group commit); a syncer
// goroutine makes each batch durable with one fdatasync of the WAL while
// the writer runs the next, and only then answers its callers: every
// acknowledged write is on disk, and concurrent writers share the cost of
// making it so (durable.go).
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"industrydata/metrics"
	"industrydata/store/internal/migrate"
	"industrydata/store/internal/sqlcore"
	"industrydata/store/internal/sqliteschema"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"industrydata"
)

// ErrClosed is returned by writes made after Close.
var ErrClosed = errors.New("sqlite: store closed")

// busyTimeoutMS bounds how long a connection waits for a lock held by another
// connection (a reader in memory mode, or another process on the same file)
// before failing with SQLITE_BUSY.
const busyTimeoutMS = "5000"

// Config configures Open.
type Config struct {
	// Path is the database file; it is created when missing. Ignored when
	// Memory is set.
	Path string
	// Memory keeps the database in process memory, shared by the store's
	// connections and lost on Close. It is for tests and benchmark
	// baselines: nothing is durable.
	Memory bool
	// Logger receives the store's own diagnostics (migrations, panicking
	// write jobs). Nil discards them.
	Logger *slog.Logger
	// MaxBatch is the most writes committed in one transaction; 0 means 256.
	MaxBatch int
	// ReadConns is the size of the read-only connection pool; 0 means 4.
	ReadConns int
	// ReadCacheMiB is the page cache of each read-only connection; 0 means
	// 32. SQLite's default of 2 MiB makes a $count over a quarter of a
	// million operations read most pages from the OS again each time (27 ms
	// instead of 17 ms in BenchmarkQueryMillion). The cache grows only as
	// pages are read, so a small database never uses it all.
	ReadCacheMiB int
	// Clock stamps when a tenant was provisioned and when each audit record
	// was written; nil means the system clock.
	Clock industrydata.Clock
	// Metrics receives each group commit's size and its transaction's
	// latency, and exports the writer and reader pools ("writer",
	// "readers"). Nil reports nothing.
	Metrics metrics.StoreObserver
}

// Store is the SQLite industrydata.Store: the entity methods of
// sqlcore.Store over this package's writer and reader pool (backend). It
// is safe for concurrent use.
type Store struct {
	*sqlcore.Store
	log *slog.Logger
	obs metrics.StoreObserver // nil: report nothing

	writer *sql.DB // one connection, held by wtx
	reader *sql.DB // query_only connections for Get and List
	// wtx is the writer connection, held for the store's lifetime and used
	// only by the writer goroutine. Holding it also keeps a memory database
	// alive: a memdb database disappears when its last connection closes.
	wtx *batchTx
	// versions answers Ping's "is the schema migrated" on the reader pool.
	versions *goose.Provider
	ckpt     *checkpointer // nil in memory

	rstmts map[string]*sql.Stmt // prepared on the reader pool
	dyn    *stmtCache           // list and count statements, prepared on demand

	// jobs carries writes to the writer goroutine. mu makes "not closed,
	// then send" atomic with respect to Close, which closes jobs.
	mu       sync.RWMutex
	closed   bool
	jobs     chan *job
	maxBatch int
	wctx     context.Context // jobs run under it; never cancelled
	dur      durability      // the syncer's, shared with the writer and readers
	done     chan struct{}   // closed when every accepted write is answered

	// Counters for tests and benchmarks: commits made and writes in them.
	batches atomic.Int64
	writes  atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

var _ industrydata.Store = (*Store)(nil)

// Open opens (creating if needed) the database cfg describes, applies any
// pending migrations and starts the writer.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.MaxBatch < 0 || cfg.ReadConns < 0 || cfg.ReadCacheMiB < 0 {
		return nil, fmt.Errorf("sqlite: MaxBatch (%d), ReadConns (%d) and ReadCacheMiB (%d) must not be negative",
			cfg.MaxBatch, cfg.ReadConns, cfg.ReadCacheMiB)
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 256
	}
	if cfg.ReadConns == 0 {
		cfg.ReadConns = 4
	}
	if cfg.ReadCacheMiB == 0 {
		cfg.ReadCacheMiB = 32
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = industrydata.SystemClock{}
	}
	writerDSN, readerDSN, err := dsns(cfg)
	if err != nil {
		return nil, err
	}

	s := &Store{
		log:      cfg.Logger,
		obs:      cfg.Metrics,
		jobs:     make(chan *job, cfg.MaxBatch),
		maxBatch: cfg.MaxBatch,
		wctx:     context.WithoutCancel(ctx),
		done:     make(chan struct{}),
	}
	s.Store = sqlcore.New((*backend)(s), dialect, cfg.Clock, cfg.Logger)
	s.initDurability(cfg.MaxBatch)
	if err := s.open(ctx, cfg, writerDSN, readerDSN); err != nil {
		_ = s.closeDBs()
		return nil, err
	}
	go s.run()
	go s.syncLoop()
	return s, nil
}

// open does Open's fallible work; on error the caller closes what was opened.
func (s *Store) open(ctx context.Context, cfg Config, writerDSN, readerDSN string) error {
	var err error
	if s.writer, err = sql.Open("sqlite", writerDSN); err != nil {
		return fmt.Errorf("sqlite: open writer: %w", err)
	}
	// One connection: SQLite has one writer at a time anyway, and the writer
	// goroutine is its only user.
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	if err := incrementalVacuum(ctx, s.writer, s.log); err != nil {
		return err
	}
	if err := migrateDB(ctx, s.writer, s.log); err != nil {
		return err
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: writer connection: %w", err)
	}
	s.wtx = &batchTx{ctx: s.wctx, conn: conn, stmts: make(map[string]*sql.Stmt)}
	if !cfg.Memory {
		abs, err := filepath.Abs(cfg.Path)
		if err != nil {
			return fmt.Errorf("sqlite: database path: %w", err)
		}
		if err := s.openWAL(conn, abs); err != nil {
			return err
		}
	}

	if s.reader, err = sql.Open("sqlite", readerDSN); err != nil {
		return fmt.Errorf("sqlite: open reader: %w", err)
	}
	s.reader.SetMaxOpenConns(cfg.ReadConns)
	s.reader.SetMaxIdleConns(cfg.ReadConns)

	if s.versions, err = sqliteschema.NewProvider(s.reader, s.log); err != nil {
		return err
	}

	if s.rstmts, err = prepare(ctx, s.reader, sqlcore.ReadQueries(dialect)); err != nil {
		return fmt.Errorf("sqlite: prepare reader statements: %w", err)
	}
	s.dyn = newStmtCache(s.reader, stmtCacheSize)
	if !cfg.Memory {
		if s.ckpt, err = startCheckpointer(writerDSN, s.log); err != nil {
			return err
		}
	}
	if s.obs != nil {
		if err := s.obs.Pool("writer", poolStats(s.writer)); err != nil {
			return fmt.Errorf("sqlite: metrics: %w", err)
		}
		if err := s.obs.Pool("readers", poolStats(s.reader)); err != nil {
			return fmt.Errorf("sqlite: metrics: %w", err)
		}
	}
	return nil
}

// poolStats reads db's pool figures for the metrics.
func poolStats(db *sql.DB) func() metrics.PoolStats {
	return func() metrics.PoolStats {
		st := db.Stats()
		return metrics.PoolStats{Max: st.MaxOpenConnections, InUse: st.InUse, Idle: st.Idle,
			WaitCount: st.WaitCount, WaitDuration: st.WaitDuration}
	}
}

// migrateDB applies the migrations, and logs one line if it applied
// any. It runs on the writer before the writer goroutine starts, so nothing
// else can be writing.
func migrateDB(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	p, err := sqliteschema.NewProvider(db, log)
	if err != nil {
		return err
	}
	return migrate.Up(ctx, p, log, "sqlite")
}

// dsns returns the writer's and the readers' data source names.
func dsns(cfg Config) (writer, reader string, err error) {
	var base string
	w := url.Values{}
	if cfg.Memory {
		// A memdb name that starts with "/" is shared by every connection of
		// this process that opens it, and the random part keeps stores apart.
		var b [16]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read crashes instead)
		base = "file:/industrydata-" + hex.EncodeToString(b[:])
		w.Set("vfs", "memdb")
		w.Set("_synchronous", "OFF")
	} else {
		if cfg.Path == "" {
			return "", "", errors.New("sqlite: Config.Path is required unless Memory is set")
		}
		abs, err := filepath.Abs(cfg.Path)
		if err != nil {
			return "", "", fmt.Errorf("sqlite: database path: %w", err)
		}
		// A file: URI, escaped, so that a '?' or '#' in the path stays part
		// of the path. The path must start with "/" (C:/x becomes /C:/x).
		p := filepath.ToSlash(abs)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		base = "file:" + (&url.URL{Path: p}).EscapedPath()
		w.Set("_journal_mode", "WAL")
		// NORMAL: a COMMIT writes the WAL without waiting for the disk, and
		// the syncer makes it durable before any write of it is
		// acknowledged (durable.go); checkpoints still sync the WAL first.
		w.Set("_synchronous", "NORMAL")
		// A backstop: the checkpointer checkpoints (checkpoint.go).
		w.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(walBackstopPages)+")")
	}
	w.Set("_busy_timeout", busyTimeoutMS)
	// A new database is made for incremental vacuum (see vacuum.go); the
	// driver sets it before anything writes the file's header.
	w.Set("_auto_vacuum", "INCREMENTAL")
	w.Set("_foreign_keys", "on")
	// Transactions take the write lock at BEGIN, so none fails half-way
	// trying to upgrade a read lock. This covers the migrations' transactions;
	// the writer goroutine issues BEGIN IMMEDIATE itself.
	w.Set("_txlock", "immediate")
	// Every job runs in a savepoint, whose sub-journal (the pages as they
	// were when it began) would otherwise be a temporary file written with
	// a system call per page: a tenth of the time of a large job, such as
	// a batch of report entries. It holds only the pages one job changes.
	w.Add("_pragma", "temp_store(memory)")

	r := url.Values{}
	if cfg.Memory {
		r.Set("vfs", "memdb")
	}
	r.Set("_busy_timeout", busyTimeoutMS)
	r.Set("_query_only", "1")
	// A negative cache_size is in KiB.
	r.Set("_pragma", "cache_size(-"+strconv.Itoa(cfg.ReadCacheMiB*1024)+")")
	return base + "?" + w.Encode(), base + "?" + r.Encode(), nil
}

// prepare prepares each query on db.
func prepare(ctx context.Context, db *sql.DB, queries []string) (map[string]*sql.Stmt, error) {
	m := make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range m {
				_ = st.Close()
			}
			return nil, fmt.Errorf("%s: %w", q, err)
		}
		m[q] = st
	}
	return m, nil
}

// Ping reports whether the database answers, every migration is applied and
// the writer goroutine accepts writes.
func (s *Store) Ping(ctx context.Context) error {
	pending, err := s.versions.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if pending {
		return errors.New("sqlite: ping: schema migrations are pending")
	}
	// An empty job: BEGIN IMMEDIATE and COMMIT with nothing written (the
	// syncer's fdatasync finds nothing to flush), but it proves the writer
	// is alive and can lock the database, and that no sync has failed.
	if err := s.write(ctx, func(sqlcore.Tx) error { return nil }); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close stops accepting writes, waits until every write already accepted
// has committed and been answered, and closes the database. A second call
// returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.jobs)
		s.mu.Unlock()
		<-s.done
		s.closeErr = s.closeDBs()
	})
	return s.closeErr
}

// closeDBs closes whatever Open managed to open.
func (s *Store) closeDBs() error {
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	for _, st := range s.rstmts {
		errs = append(errs, st.Close())
	}
	if s.dyn != nil {
		errs = append(errs, s.dyn.close())
	}
	if s.wtx != nil {
		errs = append(errs, s.wtx.close())
	}
	if s.dur.wal != nil {
		errs = append(errs, s.dur.wal.Close())
	}
	for _, db := range []*sql.DB{s.reader, s.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}
