package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"industrydata"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// rosterRows counts the store's rosters by state, and their chunks.
func rosterRows(t *testing.T, s *Store) (states map[string]int, chunks int) {
	t.Helper()
	states = map[string]int{}
	rows, err := s.reader.QueryContext(t.Context(), `SELECT state, count(*) FROM rosters GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			t.Fatal(err)
		}
		states[state] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM roster_chunks`).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	return states, chunks
}

// A roster is stored in chunks of rosterChunkSize over several write
// transactions, and a failed put leaves nothing staged behind.
func TestPutRosterChunksAndCleansUp(t *testing.T) {
	s := openFile(t)
	users := bytes.Repeat([]byte("0123456789abcdef"), (rosterChunksPerWrite*rosterChunkSize*2+rosterChunkSize/2)/16)
	commits := s.batches.Load()
	r, err := s.PutRoster(t.Context(), tenant, bytes.NewReader(users), strings.NewReader("o"))
	if err != nil {
		t.Fatal(err)
	}
	// Insert, two full buffers, a half chunk, orgs, and the final one.
	if n := s.batches.Load() - commits; n < 6 {
		t.Errorf("PutRoster of %d bytes committed %d times, want one per %d bytes and more", len(users), n, rosterChunksPerWrite*rosterChunkSize)
	}
	var chunks, compressed, largest int
	err = s.reader.QueryRowContext(t.Context(), `SELECT count(*), min(compressed), max(length(data)) FROM roster_chunks WHERE file = 'users.csv'`).
		Scan(&chunks, &compressed, &largest)
	if err != nil {
		t.Fatal(err)
	}
	if want := (len(users) + rosterChunkSize - 1) / rosterChunkSize; chunks != want || compressed != 1 || largest >= rosterChunkSize/4 {
		t.Errorf("users.csv in %d chunks (compressed %d) of at most %d bytes, want %d compressed chunks of %d bytes each",
			chunks, compressed, largest, want, rosterChunkSize)
	}

	_, err = s.PutRoster(t.Context(), tenant, io.MultiReader(bytes.NewReader(users), iotest.ErrReader(errors.New("boom"))), strings.NewReader(""))
	if err == nil {
		t.Fatal("PutRoster with a failing reader succeeded")
	}
	states, n := rosterRows(t, s)
	if states["current"] != 1 || len(states) != 1 || n != chunks+1 {
		t.Errorf("after a failed put: rosters %v and %d chunks, want the current one and its %d", states, n, chunks+1)
	}
	if cur, err := s.CurrentRoster(t.Context(), tenant); err != nil || cur.ID != r.ID {
		t.Errorf("CurrentRoster = %+v, %v; want %s", cur, err, r.ID)
	}
}

// A roster left staging by a crash is deleted by a put a day later, not
// before.
func TestPutRosterDeletesStaleStaging(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)}
	s := open(t, Config{Path: filepath.Join(t.TempDir(), "industrydata.db"), Clock: clock})
	// What a crash after the first chunk leaves, in another tenant.
	err := s.write(t.Context(), func(tx *batchTx) error {
		res, err := tx.Exec(qInsertRoster, "crashed-tenant", "r-crashed", industrydata.Ticks(clock.Now()))
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.Exec(qInsertRosterChunk, seq, "users.csv", 0, []byte("x"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.set(clock.Now().Add(stagingMaxAge - time.Second))
	if _, err := s.PutRoster(t.Context(), tenant, strings.NewReader("u"), strings.NewReader("o")); err != nil {
		t.Fatal(err)
	}
	if states, _ := rosterRows(t, s); states["staging"] != 1 {
		t.Errorf("rosters %v, want the staging one kept for now", states)
	}
	clock.set(clock.Now().Add(2 * time.Second))
	if _, err := s.PutRoster(t.Context(), tenant, strings.NewReader("u"), strings.NewReader("o")); err != nil {
		t.Fatal(err)
	}
	if states, chunks := rosterRows(t, s); states["staging"] != 0 || chunks != 2 {
		t.Errorf("rosters %v with %d chunks, want the stale one gone with its chunk", states, chunks)
	}
}

// A reader of a roster deleted under it fails rather than ending early.
func TestRosterReaderOfDeletedRoster(t *testing.T) {
	s := openMemory(t)
	users := bytes.Repeat([]byte("u"), 2*rosterChunkSize+1)
	r, err := s.PutRoster(t.Context(), tenant, bytes.NewReader(users), strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenRosterFile(t.Context(), tenant, r.ID, industrydata.RosterUsers)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	// No run reads r: the next put deletes it.
	if _, err := s.PutRoster(t.Context(), tenant, strings.NewReader("u"), strings.NewReader("o")); err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	if !errors.Is(err, industrydata.ErrNotFound) {
		t.Errorf("reading on after the roster was deleted: %d bytes, %v; want ErrNotFound", n, err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := rc.Read(make([]byte, 1)); err == nil {
		t.Error("Read after Close succeeded")
	}
}

// Migration 00004 goes down and up again.
func TestRostersReportsMigrationDown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "industrydata.db")
	s := open(t, Config{Path: path})
	if _, err := s.PutRoster(t.Context(), tenant, strings.NewReader("u"), strings.NewReader("o")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := newProvider(db, s.log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
