package sqlite

import (
	"fmt"
	"testing"
)

// The writer leaves the WAL to the checkpointer up to the backstop, and
// the checkpointer copies every committed frame into the database file.
func TestCheckpointerCheckpointsTheWAL(t *testing.T) {
	s := openFile(t)
	if s.ckpt == nil {
		t.Fatal("a file store has no checkpointer")
	}
	var pages int
	if err := s.wtx.conn.QueryRowContext(t.Context(), "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != walBackstopPages {
		t.Errorf("the writer's wal_autocheckpoint is %d, want the backstop %d", pages, walBackstopPages)
	}
	for i := range 50 {
		mustCreate(t, s, fmt.Sprintf("op-%d", i))
	}
	frames, done, err := s.ckpt.checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if frames == 0 || done != frames {
		t.Errorf("checkpoint: %d of %d frames copied, want all of more than none", done, frames)
	}
	// A reader sees the rows with the WAL checkpointed.
	for i := range 50 {
		if _, err := s.GetOperation(t.Context(), tenant, fmt.Sprintf("op-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMemoryStoreHasNoCheckpointer(t *testing.T) {
	if s := openMemory(t); s.ckpt != nil {
		t.Error("a memory store has a checkpointer")
	}
}
