package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// Group commit, pipelined: the writer commits a batch and goes on with the
// next while the syncer makes the first durable and only then answers its
// callers.
//
// The writer connection runs at synchronous=NORMAL, so its COMMIT appends
// the batch's frames to the WAL with write(2) and returns without waiting
// for the disk. The writer then hands the batch to the syncer, which calls
// fdatasync on its own descriptor of the WAL file and answers the batch's
// callers after it returns. Batches queued meanwhile share the next call.
// Why nothing acknowledged is ever lost, power loss included:
//
//   - A batch is answered after an fdatasync that began after its COMMIT
//     returned, by which time SQLite had written every frame of it, the
//     commit frame last, into the WAL with pwrite(2). fsync works on the
//     file (the inode), not on the descriptor, so it flushes what SQLite
//     wrote through its own.
//   - Recovery replays the WAL's frames in file order up to the last whole
//     commit frame (each frame carries the header's salt and a checksum
//     chained from the one before). A batch's frames follow only earlier
//     batches' frames of the same WAL, flushed by the same call or an
//     earlier one, so the chain up to its commit frame is on disk whatever
//     became of later, unsynced frames.
//   - Pages reach the database file only in a checkpoint. At NORMAL (as at
//     FULL) SQLite syncs the WAL before a checkpoint copies its first frame
//     and the database file after the last (walCheckpoint calls
//     sqlite3OsSync on the WAL with the pager's checkpoint sync flags, set
//     unless synchronous is OFF), so the database never holds a page whose
//     frame was not durable. The WAL is rewritten from its start (with a new
//     salt, its header synced first) only after a checkpoint has copied all
//     of it, so a restart never overwrites frames that are not yet in the
//     synced database file. A checkpoint by another connection or process
//     syncs by that connection's setting: none of ours is OFF.
//   - The descriptor keeps naming the live WAL: SQLite deletes the WAL only
//     when the last connection to the database closes, and the writer
//     connection stays open until the syncer has made its last call;
//     truncating checkpoints and journal_size_limit shorten the same file.
//   - A failed fdatasync leaves unknown what reached the disk (Linux may
//     drop the dirty pages it could not write), so the store stops: the
//     batch and every later write fail, the writer commits nothing more,
//     reads fail (so Ping does and the server is not ready), and a restart
//     recovers from what the disk holds.
//   - A process that dies (kill -9) loses nothing it committed: the frames
//     are in the kernel's page cache. crash_test.go checks this.
//
// Reads see only what is durable: a read on the reader pool waits, after
// its query, until every batch whose COMMIT may have preceded it is synced
// (awaitDurable), so no client ever reads a write that a power loss could
// take back. Under reads alone this is two atomic loads. Another process on
// the same file is not held to it: it can read our batches in the window
// between their COMMIT and their sync.

// batchesInFlight bounds the batches committed but not yet answered, plus
// the one the writer fills: when the syncer falls that far behind, the
// writer waits for it.
const batchesInFlight = 4

// durability is the state the writer, the syncer and the readers share.
type durability struct {
	// wal is the WAL file, opened for syncing it; nil for a memory
	// database, whose batches are answered without syncing anything.
	wal *os.File
	// committed carries batches from the writer to the syncer in commit
	// order; free returns them to the writer.
	committed chan *batch
	free      chan *batch
	// batches numbers the writer's batches (seq); only the writer uses it.
	batches uint64
	// committing is the seq of the newest batch whose COMMIT the writer
	// has begun, the newest a reader may see; durable the newest the
	// syncer has made durable (every earlier one is too). A failure stops
	// durable for good.
	committing, durable atomic.Uint64

	// inflight counts the batches handed to the syncer and not yet
	// answered; idle is signalled each time it answers a group.
	inflight atomic.Int64
	idle     chan struct{}
	// failed is the sync failure that stopped the store.
	failed atomic.Pointer[error]

	mu       sync.Mutex
	advanced *sync.Cond // on mu: durable moved or failed was set
}

// initDurability prepares the batches and channels; wal is nil for a
// memory database.
func (s *Store) initDurability(maxBatch int) {
	d := &s.dur
	d.committed = make(chan *batch, batchesInFlight)
	d.free = make(chan *batch, batchesInFlight)
	for range batchesInFlight {
		d.free <- &batch{jobs: make([]*job, 0, maxBatch), errs: make([]error, 0, maxBatch)}
	}
	d.advanced = sync.NewCond(&d.mu)
	d.idle = make(chan struct{}, 1)
}

// openWAL opens the WAL of the database at path for syncing, once conn,
// the writer connection, has it open in WAL mode, and makes what the
// migrations wrote durable.
func (s *Store) openWAL(conn *sql.Conn, path string) error {
	var mode string
	if err := conn.QueryRowContext(s.wctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: journal mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlite: journal mode is %q, want wal (is the file on a file system without shared memory?)", mode)
	}
	f, err := os.Open(path + "-wal")
	if err != nil {
		return fmt.Errorf("sqlite: open WAL: %w", err)
	}
	s.dur.wal = f
	if err := fdatasync(f); err != nil {
		return fmt.Errorf("sqlite: sync WAL: %w", err)
	}
	return nil
}

// failure is the sync failure that stopped the store, or nil.
func (d *durability) failure() error {
	if p := d.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// syncLoop is the syncer goroutine: it takes the batches the writer has
// committed, in order, makes them durable with one fdatasync per group of
// those waiting, and answers them. It returns, closing s.done, once the
// writer has closed committed and every batch is answered.
func (s *Store) syncLoop() {
	defer close(s.done)
	d := &s.dur
	group := make([]*batch, 0, batchesInFlight)
	for b := range d.committed {
		group = append(group[:0], b)
		for more := true; more; {
			select {
			case b, ok := <-d.committed:
				if more = ok; ok {
					group = append(group, b)
				}
			default:
				more = false
			}
		}
		err := s.syncGroup(group)
		d.mu.Lock()
		if err == nil {
			d.durable.Store(group[len(group)-1].seq)
		}
		d.advanced.Broadcast()
		d.mu.Unlock()
		for _, b := range group {
			s.answer(b, err)
			d.free <- b
		}
		d.inflight.Add(-int64(len(group)))
		select {
		case d.idle <- struct{}{}:
		default:
		}
	}
}

// syncGroup makes the group's committed batches durable; its error, or
// the failure that stopped the store earlier, fails every write in them.
func (s *Store) syncGroup(group []*batch) error {
	d := &s.dur
	if err := d.failure(); err != nil {
		return err
	}
	if d.wal == nil {
		return nil
	}
	for _, b := range group {
		if b.err == nil {
			return s.syncWAL()
		}
	}
	return nil // no batch committed: nothing new to sync
}

// syncWAL calls fdatasync on the WAL; a failure stops the store.
func (s *Store) syncWAL() error {
	err := fdatasync(s.dur.wal)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("sqlite: sync WAL, the store stops: %w", err)
	s.log.Error("sqlite: the WAL could not be synced; every later write and read fails until a restart", "err", err)
	s.dur.failed.Store(&err) // syncLoop then wakes the waiting readers
	return err
}

// answer sends each of b's callers its outcome: the batch's failure, its
// own job's, or syncErr (nil once durable).
func (s *Store) answer(b *batch, syncErr error) {
	err := b.err
	if err == nil {
		err = syncErr
	}
	s.observe(b.began, len(b.jobs), err)
	for i, j := range b.jobs {
		switch {
		case b.err != nil:
			j.done <- b.err
		case b.errs[i] != nil:
			j.done <- b.errs[i] // rolled back: nothing of it to lose
		default:
			j.done <- syncErr
		}
	}
	clear(b.jobs) // let answered jobs be collected while the batch waits
	clear(b.errs)
}

// errStopped is what a read gets once a failed sync has stopped the store.
var errStopped = errors.New("sqlite: the store stopped after a failed sync")

// awaitDurable returns once every batch whose COMMIT may have preceded the
// caller's read is durable: reads call it after their query, so that what
// they saw cannot be lost. Any batch the read saw had begun its COMMIT (and
// so set committing) before the read's snapshot was taken.
func (s *Store) awaitDurable() error {
	d := &s.dur
	if d.wal == nil {
		return nil
	}
	want := d.committing.Load()
	if d.durable.Load() >= want {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.durable.Load() < want && d.failure() == nil {
		d.advanced.Wait()
	}
	if err := d.failure(); err != nil && d.durable.Load() < want {
		return fmt.Errorf("%w: %w", errStopped, err)
	}
	return nil
}
