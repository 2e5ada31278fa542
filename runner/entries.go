package runner

import (
	"context"
	"sync"

	"industrydata"
)

// entryWriter is the report.Sink of a run: it numbers the entries, gathers
// them in batches and stores each batch on a goroutine of its own, so that
// checking users (one core) and writing them (the store, the other) overlap.
// At most two batches wait for the store: when it falls behind, Write
// blocks, and memory stays bounded.
type entryWriter struct {
	ctx    context.Context // the build's: cancelled when a store write fails
	cancel context.CancelCauseFunc
	store  industrydata.UserReportStore
	claim  industrydata.JobClaim
	size   int
	batch  []industrydata.UserReportEntry
	seq    int64
	full   chan []industrydata.UserReportEntry
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

func newEntryWriter(ctx context.Context, store industrydata.UserReportStore, c industrydata.JobClaim, size int) *entryWriter {
	w := &entryWriter{store: store, claim: c, size: size,
		full: make(chan []industrydata.UserReportEntry, 2), done: make(chan struct{})}
	w.ctx, w.cancel = context.WithCancelCause(ctx)
	w.batch = make([]industrydata.UserReportEntry, 0, size)
	go w.loop()
	return w
}

// Write numbers e and queues it.
func (w *entryWriter) Write(e industrydata.UserReportEntry) error {
	w.seq++
	e.Seq = w.seq
	w.batch = append(w.batch, e)
	if len(w.batch) == w.size {
		return w.flush()
	}
	return nil
}

func (w *entryWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	select {
	case w.full <- w.batch:
	case <-w.ctx.Done():
		return context.Cause(w.ctx)
	}
	w.batch = make([]industrydata.UserReportEntry, 0, w.size)
	return nil
}

// loop writes the queued batches in order until the queue closes or a
// write fails, which cancels the build.
func (w *entryWriter) loop() {
	defer close(w.done)
	for b := range w.full {
		if w.failed() {
			continue // drain: the build is being cancelled
		}
		if err := w.store.AppendReportEntries(w.ctx, w.claim, b); err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			w.cancel(err)
		}
	}
}

func (w *entryWriter) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

// close waits for the queued writes, storing what is left first when keep
// is set (the build succeeded); it returns the first write's error, if any.
func (w *entryWriter) close(keep bool) error {
	var ferr error
	if keep {
		ferr = w.flush()
	}
	close(w.full)
	<-w.done
	w.cancel(nil)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	return ferr
}
