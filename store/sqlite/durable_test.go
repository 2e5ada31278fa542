package sqlite

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlcore"
)

// A failed sync stops the store: the write whose batch it was fails, and so
// does every later write, read and Ping, since what reached the disk is
// unknown. The WAL's descriptor is swapped for a pipe's, which fdatasync
// refuses (EINVAL).
func TestFailedSyncStopsTheStore(t *testing.T) {
	s := openFile(t)
	op := mustCreate(t, s, "op-1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wal := s.dur.wal
	t.Cleanup(func() { wal.Close() }) // Close closes the pipe in its place
	s.dur.wal = r                     // the next write's channel sends order this before the syncer reads it

	if err := s.write(t.Context(), func(tx sqlcore.Tx) error { return nil }); err == nil || !strings.Contains(err.Error(), "sync WAL") {
		t.Fatalf("write whose sync failed: %v, want the sync's error", err)
	}
	if err := s.DeleteOperation(t.Context(), tenant, industrydata.Actor{}, op.ID, nil); err == nil || !strings.Contains(err.Error(), "sync WAL") {
		t.Errorf("write after a failed sync: %v, want the sync's error", err)
	}
	if _, err := s.GetOperation(t.Context(), tenant, op.ID); !errors.Is(err, errStopped) {
		t.Errorf("read after a failed sync: %v, want errStopped", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping after a failed sync succeeded")
	}
}

// A read returns only once every batch it may have seen is durable. The
// syncer is held (by its lock) before it publishes an update's batch as
// durable: a read of the updated row made meanwhile must not return before
// it does.
func TestReadWaitsForCommittedBatches(t *testing.T) {
	s := openFile(t)
	op := mustCreate(t, s, "op-1")
	d := &s.dur
	written := s.writes.Load() // counted as each batch's commit returns
	d.mu.Lock()
	held := true
	defer func() {
		if held {
			d.mu.Unlock()
		}
	}()
	updated := make(chan error, 1)
	go func() {
		_, err := s.UpdateOperation(context.WithoutCancel(t.Context()), tenant, industrydata.Actor{}, op.ID, func(o *industrydata.Operation) error {
			o.Status = industrydata.OperationSucceeded
			return nil
		})
		updated <- err
	}()
	seq := d.durable.Load() + 1
	// Committed, so the read below sees it.
	waitFor(t, func() bool { return s.writes.Load() > written })
	read := make(chan uint64, 1)
	go func() {
		got, err := s.GetOperation(context.WithoutCancel(t.Context()), tenant, op.ID)
		if err != nil || got.Status != industrydata.OperationSucceeded {
			t.Errorf("read: %v, status %q; want the update's", err, got.Status)
		}
		read <- d.durable.Load()
	}()
	// A correct store cannot answer the read while the syncer is held, so
	// this wait never fails one; it gives a broken store the time to answer.
	select {
	case got := <-read:
		t.Fatalf("the read returned with batch %d durable, before the update's batch %d", got, seq)
	case <-time.After(100 * time.Millisecond):
	}
	held = false
	d.mu.Unlock()
	if got := <-read; got < seq {
		t.Errorf("the read returned with batch %d durable, before the update's batch %d", got, seq)
	}
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
}

// waitFor polls until cond holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
