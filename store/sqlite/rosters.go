package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/store/internal/zblob"
)

// Rosters (SPEC §10) are kept as their files' bytes, in chunks of
// rosterChunkSize (see migration 00004), each compressed (package zblob:
// CSV shrinks about fourfold, and a refresh reads the users twice). PutRoster stages a roster over
// several write transactions of rosterChunksPerWrite chunks each, so that a
// large roster never holds the writer, and every write queued behind it, for
// long; then one transaction makes it current. Readers fetch one chunk per
// query, so no read transaction stays open across a whole file, which
// would keep WAL checkpoints from completing.
const (
	// rosterChunkSize is the size of every chunk of a file but its last.
	rosterChunkSize = 512 << 10
	// rosterChunksPerWrite is how many chunks one write transaction stores:
	// PutRoster's buffer is rosterChunkSize*rosterChunksPerWrite (4 MiB),
	// whatever the roster's size.
	rosterChunksPerWrite = 8
	// stagingMaxAge is the age past which a roster still staging was left by
	// a crash (or a client that stopped sending) and is deleted.
	stagingMaxAge = 24 * time.Hour
)

// Queries spell the states as literals so that SQLite matches them to the
// partial indexes on rosters.state.
const (
	qCurrentRoster = `SELECT id, created_ticks, users_bytes, orgs_bytes FROM rosters
	WHERE tenant = ? AND state = 'current'`
	// qCurrentRosterID always returns one row: the id, or NULL.
	qCurrentRosterID    = `SELECT (SELECT id FROM rosters WHERE tenant = ? AND state = 'current')`
	qDeleteStaleStaging = `DELETE FROM rosters WHERE state = 'staging' AND created_ticks < ?`
	qInsertRoster       = `INSERT INTO rosters (tenant, id, created_ticks, state) VALUES (?, ?, ?, 'staging')`
	qInsertRosterChunk  = `INSERT INTO roster_chunks (roster, file, n, data, compressed) VALUES (?, ?, ?, ?, 1)`
	qDeleteStaging      = `DELETE FROM rosters WHERE seq = ? AND state = 'staging'`
	qDemoteCurrent      = `UPDATE rosters SET state = 'stored' WHERE tenant = ? AND state = 'current'`
	qPromoteRoster      = `UPDATE rosters SET state = 'current', users_bytes = ?, orgs_bytes = ?
	WHERE seq = ? AND state = 'staging'`
	// qDeleteUnpinnedRosters deletes the tenant's rosters that are neither
	// current nor read by a run in progress (their chunks go with them).
	qDeleteUnpinnedRosters = `DELETE FROM rosters WHERE tenant = ?1 AND state = 'stored'
	AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.tenant = ?1 AND runs.roster_id = rosters.id AND runs.status = 'running')`
	qOpenRoster = `SELECT seq, users_bytes, orgs_bytes FROM rosters
	WHERE tenant = ? AND id = ? AND state <> 'staging'`
	qRosterChunk = `SELECT data, compressed FROM roster_chunks WHERE roster = ? AND file = ? AND n = ?`
)

// PutRoster stores users and orgs as the tenant's new current roster (see
// industrydata.RosterStore). It streams each file in transactions of at
// most rosterChunkSize*rosterChunksPerWrite bytes and, once both are
// stored whole, makes the roster current in one transaction that also
// deletes the tenant's rosters nothing uses any more. On any failure it
// deletes what it staged, best effort (a crash leaves it to a later call,
// a day on), and the current roster stays as it was.
func (s *Store) PutRoster(ctx context.Context, tenant industrydata.TenantID, users, orgs io.Reader) (industrydata.Roster, error) {
	if users == nil || orgs == nil {
		return industrydata.Roster{}, errors.New("sqlite: put roster: nil reader")
	}
	created, createdTicks, err := encodeTime("createdDateTime", s.clock.Now())
	if err != nil {
		return industrydata.Roster{}, fmt.Errorf("sqlite: put roster: %w", err)
	}
	// A tick is 100 ns. A bound before year 1 only means nothing is stale.
	staleTicks := createdTicks - stagingMaxAge.Nanoseconds()/100
	r := industrydata.Roster{ID: uuid.NewString(), CreatedDateTime: created}

	var seq int64
	err = s.write(ctx, func(tx *batchTx) error {
		if _, err := tx.Exec(qDeleteStaleStaging, staleTicks); err != nil {
			return fmt.Errorf("delete stale staging rosters: %w", err)
		}
		res, err := tx.Exec(qInsertRoster, string(tenant), r.ID, createdTicks)
		if err != nil {
			return translate(err)
		}
		seq, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return industrydata.Roster{}, fmt.Errorf("sqlite: put roster %s: %w", r.ID, err)
	}

	if err := s.putRoster(ctx, tenant, seq, &r, users, orgs); err != nil {
		// The context may have ended, but what was staged must still go.
		drop := func(tx *batchTx) error {
			_, err := tx.Exec(qDeleteStaging, seq)
			return err
		}
		if derr := s.write(context.WithoutCancel(ctx), drop); derr != nil {
			s.log.Warn("sqlite: delete staged roster after a failed put", "roster", r.ID, "err", derr)
		}
		return industrydata.Roster{}, fmt.Errorf("sqlite: put roster %s: %w", r.ID, err)
	}
	return r, nil
}

// putRoster stages both files of roster seq and makes it current.
func (s *Store) putRoster(ctx context.Context, tenant industrydata.TenantID, seq int64, r *industrydata.Roster, users, orgs io.Reader) error {
	buf := make([]byte, rosterChunkSize*rosterChunksPerWrite)
	var err error
	if r.UsersBytes, err = s.stageRosterFile(ctx, seq, industrydata.RosterUsers, users, buf); err != nil {
		return err
	}
	if r.OrgsBytes, err = s.stageRosterFile(ctx, seq, industrydata.RosterOrgs, orgs, buf); err != nil {
		return err
	}
	return s.write(ctx, func(tx *batchTx) error {
		if _, err := tx.Exec(qDemoteCurrent, string(tenant)); err != nil {
			return err
		}
		res, err := tx.Exec(qPromoteRoster, r.UsersBytes, r.OrgsBytes, seq)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			// Deleted as stale while staging: a day-long upload.
			return errors.Join(err, errors.New("the staged roster is gone"))
		}
		if _, err := tx.Exec(qDeleteUnpinnedRosters, string(tenant)); err != nil {
			return fmt.Errorf("delete unused rosters: %w", err)
		}
		return nil
	})
}

// stageRosterFile reads file from src to its end through buf and stores it
// as chunks of roster seq, one write transaction per buffer, and returns
// its size. It checks ctx before each read: a reader that blocks is the
// caller's to unblock.
func (s *Store) stageRosterFile(ctx context.Context, seq int64, file industrydata.RosterFile, src io.Reader, buf []byte) (int64, error) {
	var size int64
	chunk := int64(0) // the number of the next chunk
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, err := io.ReadFull(src, buf)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return 0, fmt.Errorf("read %s: %w", file, err)
		}
		if k > 0 {
			// Compressed here, before the job, so that the writer only
			// inserts.
			var chunks [][]byte
			for data := buf[:k]; len(data) > 0; {
				c := data[:min(rosterChunkSize, len(data))]
				chunks = append(chunks, zblob.Compress(nil, c))
				data = data[len(c):]
			}
			first := chunk
			err := s.write(ctx, func(tx *batchTx) error {
				for i, c := range chunks {
					if _, err := tx.Exec(qInsertRosterChunk, seq, string(file), first+int64(i), c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return 0, fmt.Errorf("store %s: %w", file, err)
			}
			chunk += int64((k + rosterChunkSize - 1) / rosterChunkSize)
			size += int64(k)
		}
		if last {
			return size, nil
		}
	}
}

// CurrentRoster returns the tenant's current roster, or ErrNotFound.
func (s *Store) CurrentRoster(ctx context.Context, tenant industrydata.TenantID) (industrydata.Roster, error) {
	var r industrydata.Roster
	var created int64
	err := s.queryRowR(ctx, qCurrentRoster, string(tenant)).Scan(&r.ID, &created, &r.UsersBytes, &r.OrgsBytes)
	if err != nil {
		return industrydata.Roster{}, fmt.Errorf("sqlite: current roster: %w", translate(err))
	}
	r.CreatedDateTime = industrydata.FromTicks(created)
	return r, nil
}

// OpenRosterFile returns a reader of one file of the tenant's roster
// rosterID, current or pinned by a run; ErrNotFound when the tenant has no
// such roster (a roster still staging included). The reader fetches one
// chunk per query under ctx, which must outlive the reads. Should the
// roster be deleted before the reader reaches its end, a Read fails with
// ErrNotFound rather than ending early.
func (s *Store) OpenRosterFile(ctx context.Context, tenant industrydata.TenantID, rosterID string, file industrydata.RosterFile) (io.ReadCloser, error) {
	if file != industrydata.RosterUsers && file != industrydata.RosterOrgs {
		return nil, fmt.Errorf("sqlite: open roster %s: unknown file %q", rosterID, file)
	}
	var seq, users, orgs int64
	if err := s.queryRowR(ctx, qOpenRoster, string(tenant), rosterID).Scan(&seq, &users, &orgs); err != nil {
		return nil, fmt.Errorf("sqlite: open roster %s %s: %w", rosterID, file, translate(err))
	}
	size := users
	if file == industrydata.RosterOrgs {
		size = orgs
	}
	return &rosterReader{s: s, ctx: ctx, id: rosterID, seq: seq, file: file, size: size}, nil
}

// rosterReader streams one roster file, a chunk at a time.
type rosterReader struct {
	s    *Store
	ctx  context.Context
	id   string
	seq  int64
	file industrydata.RosterFile
	size int64 // the file's size, from the roster

	next    int64  // the number of the next chunk to fetch
	fetched int64  // bytes fetched so far
	chunk   []byte // the last chunk fetched, reused
	rest    []byte // what of chunk Read has not returned yet
	closed  bool
}

// Read implements io.Reader.
func (r *rosterReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, fmt.Errorf("sqlite: read roster %s %s: reader closed", r.id, r.file)
	}
	for len(r.rest) == 0 {
		if r.fetched == r.size {
			return 0, io.EOF
		}
		if err := r.fetch(); err != nil {
			return 0, fmt.Errorf("sqlite: read roster %s %s: %w", r.id, r.file, err)
		}
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// fetch reads the next chunk into r.chunk with one point query.
func (r *rosterReader) fetch() error {
	rows, err := r.s.queryR(r.ctx, qRosterChunk, r.seq, string(r.file), r.next)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("chunk %d is gone, the roster was deleted while being read: %w", r.next, industrydata.ErrNotFound)
	}
	var (
		data       sql.RawBytes // valid until rows.Close; copied into the reused buffer
		compressed bool
	)
	if err := rows.Scan(&data, &compressed); err != nil {
		return err
	}
	if compressed {
		if r.chunk, err = zblob.Decompress(r.chunk[:0], data); err != nil {
			return fmt.Errorf("chunk %d: %w", r.next, err)
		}
	} else {
		r.chunk = append(r.chunk[:0], data...)
	}
	if len(r.chunk) == 0 || len(r.chunk) > rosterChunkSize || r.fetched+int64(len(r.chunk)) > r.size {
		return fmt.Errorf("chunk %d of %d bytes does not fit the file's %d bytes", r.next, len(r.chunk), r.size)
	}
	r.rest = r.chunk
	r.fetched += int64(len(r.chunk))
	r.next++
	return rows.Close()
}

// Close implements io.Closer; it releases the buffer.
func (r *rosterReader) Close() error {
	r.closed, r.chunk, r.rest = true, nil, nil
	return nil
}
