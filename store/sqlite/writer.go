package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"industrydata/store/internal/sqlcore"
	"runtime"
	"runtime/debug"
	"time"
)

// A job is one write: fn runs on the writer goroutine inside its own
// savepoint of the batch's transaction, and done receives its outcome once
// the batch is durable (or failed).
type job struct {
	fn   func(tx sqlcore.Tx) error
	done chan error // buffered, so the writer never waits for a caller
}

// Transaction control, run by the writer only. The savepoint name can be
// reused because each job's savepoint is released before the next starts.
const (
	qBegin      = "BEGIN IMMEDIATE"
	qCommit     = "COMMIT"
	qRollback   = "ROLLBACK"
	qSavepoint  = "SAVEPOINT job"
	qRollbackTo = "ROLLBACK TO job"
	qRelease    = "RELEASE job"
)

// batchTx is what a job sees of the batch's transaction: statements on the
// writer connection, inside the job's savepoint.
//
// The writer holds one *sql.Conn and issues BEGIN/COMMIT itself instead of
// using *sql.Tx: a Tx watches its context from a goroutine of its own, and
// every query inside a Tx starts one more, which here would mean a goroutine
// per SELECT of every write. The writer's context has no Done channel, so
// statements on the Conn start none.
// Statements are prepared once per query text and kept for the store's
// lifetime, so no SQL is parsed per write.
type batchTx struct {
	ctx   context.Context // never cancelled: a started batch must finish
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// stmt returns query prepared on the writer connection.
func (t *batchTx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.conn.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

// Exec runs a statement in the batch's transaction.
func (t *batchTx) Exec(query string, args ...any) (sqlcore.Result, error) {
	return t.exec(query, args...)
}

func (t *batchTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// QueryRow runs a query returning at most one row in the batch's
// transaction. A query that fails to prepare is run unprepared, so that its
// error surfaces from Scan like any other.
func (t *batchTx) QueryRow(query string, args ...any) sqlcore.Scanner {
	st, err := t.stmt(query)
	if err != nil {
		return t.conn.QueryRowContext(t.ctx, query, args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// close releases the prepared statements and the connection.
func (t *batchTx) close() error {
	var first error
	for _, st := range t.stmts {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
	}
	if err := t.conn.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// write runs fn as one job of a group commit and returns its error, or the
// batch's error when BEGIN or COMMIT fails. A caller whose ctx ends before
// the job is queued gets ctx.Err(); once queued, the job runs and write waits
// for its outcome even if ctx ends, because the write may already be
// committed and must not be reported as failed. fn must not keep tx or any
// rows past its return, and should be quick: the whole batch waits for it.
func (s *Store) write(ctx context.Context, fn func(tx sqlcore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{fn: fn, done: make(chan error, 1)}
	// The read lock makes "not closed, then send" atomic with respect to
	// Close, which takes the write lock before closing the channel. The
	// writer goroutine never takes mu, so a send blocked on a full channel
	// always makes progress.
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.jobs <- j:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	return <-j.done
}

// run is the writer goroutine: it waits for a job, commits it together
// with the jobs that queue up meanwhile (see commit) and hands the batch to
// the syncer, which answers its callers once it is durable (durable.go).
// It returns when Close has closed the queue and every queued job is
// handed over.
func (s *Store) run() {
	defer close(s.dur.committed)
	for first := range s.jobs {
		b := <-s.dur.free
		b.jobs = append(b.jobs[:0], first)
		s.commit(b)
		s.dur.inflight.Add(1)
		s.dur.committed <- b
	}
}

// batch is the record of the jobs of one transaction, reused: the writer
// fills and commits it, the syncer answers it and hands it back.
type batch struct {
	jobs []*job
	errs []error // errs[i] is jobs[i]'s own outcome
	// err is the batch's when its transaction failed: every job's outcome,
	// and nothing of it committed.
	err   error
	seq   uint64    // its place in commit order, from 1
	began time.Time // for the metrics; zero without them
}

// collect appends the jobs waiting in the queue to b, up to maxBatch. When
// none is waiting it yields the processor once and looks again: the callers
// the previous batch answered are typically runnable right then, about to
// queue their next write, and letting them do so before the COMMIT puts them
// in this fsync instead of the next. With nothing else runnable Gosched
// returns at once, so a lone writer pays nothing for it.
func (s *Store) collect(b *batch) {
	if s.drain(b) == 0 && len(b.jobs) < s.maxBatch {
		runtime.Gosched()
		s.drain(b)
	}
}

// holdOpen keeps b open while the batch before it is still being synced,
// taking the next job that arrives meanwhile: b's own sync could not start
// before that one ends anyway, and every job that joins b is one COMMIT
// (and its WAL writes) fewer. It returns at once when b is full or nothing
// is being synced, else with one more job in b or once the syncer is done.
func (s *Store) holdOpen(b *batch) {
	d := &s.dur
	if len(b.jobs) >= s.maxBatch {
		return
	}
	select {
	case <-d.idle: // a signal from a sync that ended before the check below
	default:
	}
	if d.inflight.Load() == 0 {
		return
	}
	select {
	case j, ok := <-s.jobs:
		if ok {
			b.jobs = append(b.jobs, j)
		}
	case <-d.idle:
	}
}

// drain appends the jobs waiting in the queue to b, without blocking, up to
// maxBatch, and returns how many it took.
func (s *Store) drain(b *batch) int {
	n := len(b.jobs)
	for len(b.jobs) < s.maxBatch {
		select {
		case j, ok := <-s.jobs:
			if !ok {
				return len(b.jobs) - n // closed by Close; run answers the rest
			}
			b.jobs = append(b.jobs, j)
		default:
			return len(b.jobs) - n
		}
	}
	return len(b.jobs) - n
}

// commit runs b's jobs in one transaction, recording their outcomes in b
// for the syncer to send.
//
// Jobs queued while the batch runs join it: the queue is collected again
// whenever the batch's last job has run, and the batch commits once nothing
// more is waiting and the batch before it is synced (holdOpen), or once it
// is full. Collecting only up front would split
// steady concurrent load into two alternating groups, each running and
// syncing while the other waits, so every write would wait for two syncs
// instead of one.
func (s *Store) commit(b *batch) {
	s.dur.batches++
	b.seq = s.dur.batches
	b.err, b.errs = nil, b.errs[:0]
	if s.obs != nil {
		b.began = time.Now()
	}
	s.batches.Add(1)
	defer func() { s.writes.Add(int64(len(b.jobs))) }()
	if err := s.dur.failure(); err != nil {
		b.err = err // a failed sync stopped the store: commit nothing more
		return
	}
	tx := s.wtx
	if _, err := tx.exec(qBegin); err != nil {
		// Should a transaction have been left open somehow, end it, or no
		// batch could ever BEGIN again. Without one, this fails harmlessly.
		_, _ = tx.exec(qRollback)
		b.err = fmt.Errorf("sqlite: begin write batch: %w", err)
		return
	}
	for i := 0; i < len(b.jobs); i++ {
		jobErr, txErr := s.runJob(tx, b.jobs[i])
		if txErr != nil {
			// The savepoint machinery failed, so what the transaction holds
			// is unknown (SQLite may even have rolled it back already, as it
			// does on some I/O errors): undo the whole batch.
			_, _ = tx.exec(qRollback)
			b.err = fmt.Errorf("sqlite: write batch aborted: %w", txErr)
			return
		}
		b.errs = append(b.errs, jobErr)
		if i == len(b.jobs)-1 {
			s.collect(b)
		}
		if i == len(b.jobs)-1 { // still the last: nothing was queued
			s.holdOpen(b)
		}
	}
	// From here on readers may see the batch: they wait for its sync.
	s.dur.committing.Store(b.seq)
	if _, err := tx.exec(qCommit); err != nil {
		// A COMMIT that failed committed nothing, but may leave the
		// transaction open (SQLITE_BUSY): end it so the next batch can BEGIN.
		_, _ = tx.exec(qRollback)
		b.err = fmt.Errorf("sqlite: commit write batch: %w", err)
	}
}

// observe reports the transaction of a batch of n writes, begun at began
// and ended (durable, or failed) with err, and its group commit when it
// committed; nothing when the store has no metrics.
func (s *Store) observe(began time.Time, n int, err error) {
	if s.obs == nil {
		return
	}
	s.obs.Transaction("write", time.Since(began), err)
	if err == nil {
		s.obs.GroupCommit(n)
	}
}

// runJob runs one job inside its own savepoint. jobErr is the job's outcome;
// when it is an error, the savepoint is rolled back so the job leaves no
// trace and the rest of the batch is unaffected. txErr reports that the
// transaction itself can no longer be trusted.
func (s *Store) runJob(tx *batchTx, j *job) (jobErr, txErr error) {
	if _, err := tx.exec(qSavepoint); err != nil {
		return nil, err
	}
	jobErr = s.call(tx, j)
	if jobErr != nil {
		if _, err := tx.exec(qRollbackTo); err != nil {
			return jobErr, err
		}
	}
	// RELEASE fails when the transaction is gone (a job ended it, or SQLite
	// rolled it back after an error the job swallowed): the savepoint went
	// with it. Carrying on would run later jobs outside any transaction.
	if _, err := tx.exec(qRelease); err != nil {
		return jobErr, err
	}
	return jobErr, nil
}

// call runs the job's function, turning a panic into that job's error: the
// functions include the service's apply and check callbacks, and a panic here
// would otherwise take down the writer and with it every later write.
func (s *Store) call(tx *batchTx, j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("sqlite: write job panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("sqlite: write job panicked: %v", r)
		}
	}()
	return j.fn(tx)
}
