package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
)

// A job is one write: fn runs on the writer goroutine inside its own
// savepoint of the batch's transaction, and done receives its outcome once
// the batch has committed (or failed).
type job struct {
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error // buffered, so the writer never waits for a caller
}

// Savepoint statements, run around every job. The name can be reused because
// each savepoint is released before the next job starts.
const (
	qSavepoint  = "SAVEPOINT job"
	qRollbackTo = "ROLLBACK TO job"
	qRelease    = "RELEASE job"
)

// write runs fn as one job of a group commit and returns its error, or the
// batch's error when BEGIN or COMMIT fails. A caller whose ctx ends before
// the job is queued gets ctx.Err(); once queued, the job runs and write waits
// for its outcome even if ctx ends, because the write may already be
// committed and must not be reported as failed. fn must not keep tx or any
// rows past its return, and should be quick: the whole batch waits for it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
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

// run is the writer goroutine: it takes the first waiting job, then whatever
// else is already queued (up to maxBatch), and commits them together. It
// returns when Close has closed the queue and every queued job is answered.
func (s *Store) run() {
	defer close(s.done)
	batch := make([]*job, 0, s.maxBatch)
	errs := make([]error, s.maxBatch)
	for first := range s.jobs {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < s.maxBatch {
			select {
			case j, ok := <-s.jobs:
				if !ok {
					break drain
				}
				batch = append(batch, j)
			default:
				break drain
			}
		}
		s.commit(batch, errs[:len(batch)])
		clear(batch) // let answered jobs be collected while we wait
	}
}

// commit runs batch in one transaction and answers every job.
func (s *Store) commit(batch []*job, errs []error) {
	s.batches.Add(1)
	s.writes.Add(int64(len(batch)))
	fail := func(err error) {
		for _, j := range batch {
			j.done <- err
		}
	}
	tx, err := s.writer.BeginTx(s.wctx, nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin write batch: %w", err))
		return
	}
	for i, j := range batch {
		var txErr error
		errs[i], txErr = s.runJob(tx, j)
		if txErr != nil {
			// The savepoint machinery failed, so what the transaction holds
			// is unknown (SQLite may even have rolled it back already, as it
			// does on some I/O errors): undo the whole batch.
			_ = tx.Rollback()
			fail(fmt.Errorf("sqlite: write batch aborted: %w", txErr))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		// The driver rolls back a COMMIT that failed, so nothing is stored.
		fail(fmt.Errorf("sqlite: commit write batch: %w", err))
		return
	}
	for i, j := range batch {
		j.done <- errs[i]
		errs[i] = nil
	}
}

// runJob runs one job inside its own savepoint. jobErr is the job's outcome;
// when it is an error, the savepoint is rolled back so the job leaves no
// trace and the rest of the batch is unaffected. txErr reports that the
// transaction itself can no longer be trusted.
func (s *Store) runJob(tx *sql.Tx, j *job) (jobErr, txErr error) {
	if _, err := s.execW(s.wctx, tx, qSavepoint); err != nil {
		return nil, err
	}
	jobErr = s.call(tx, j)
	if jobErr != nil {
		if _, err := s.execW(s.wctx, tx, qRollbackTo); err != nil {
			return jobErr, err
		}
	}
	// RELEASE also fails when the job swallowed an error after which SQLite
	// rolled back the whole transaction: the savepoint is then gone.
	if _, err := s.execW(s.wctx, tx, qRelease); err != nil {
		return jobErr, err
	}
	return jobErr, nil
}

// call runs the job's function, turning a panic into that job's error: the
// functions include the service's apply and check callbacks, and a panic here
// would otherwise take down the writer and with it every later write.
func (s *Store) call(tx *sql.Tx, j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("sqlite: write job panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("sqlite: write job panicked: %v", r)
		}
	}()
	return j.fn(s.wctx, tx)
}

// execW runs query within tx, through the statement prepared on the writer
// in Open: database/sql reuses it on the writer's one connection, so no SQL
// is parsed per write. A query missing from writerQueries is parsed each time
// (slower, still correct).
func (s *Store) execW(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.wstmts[query]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRowW is execW for a query returning at most one row.
func (s *Store) queryRowW(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st, ok := s.wstmts[query]; ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}
