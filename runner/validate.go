package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sync"
	"time"

	"industrydata"
	"industrydata/internal/lowprio"
	"industrydata/rostercheck"
)

// A JobValidation: the files its input names, read from the store by
// content (what was uploaded after the validation started does not
// count), judged by rostercheck, and the outcome written with the job's
// end: the operation's findings and, when there is no error, the
// connector's new validated set (SPEC §11).

// Codes of a validation that could not judge the files.
const (
	// validationFilesGone: the upload session was reset (or the files
	// otherwise discarded) while they were being read.
	validationFilesGone = "filesDiscarded"
	// validationInterrupted: its server stopped under it too many times.
	validationInterrupted = "validationInterrupted"
)

func (r *Runner) validate(ctx context.Context, c industrydata.JobClaim) {
	log := r.log.With("tenant", c.Tenant, "validation", c.ID, "connector", c.ConnectorID, "attempt", c.Attempt)
	if c.Attempt > 1 {
		log.Warn("resuming a validation whose worker stopped")
	}
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hb := newHeartbeat(r, c, cancel)
	in, inErr := industrydata.DecodeValidationInput(c.Payload)
	if inErr == nil && c.Attempt <= r.cfg.MaxAttempts {
		// The heartbeat writes it as it starts, while the check does: the
		// operation goes running without the check waiting for a commit.
		hb.set(fmt.Sprintf("Validating %d files.", len(in.Files)))
	}
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		hb.run(jobCtx)
	}()
	out, err := r.judge(jobCtx, c, in, inErr, hb)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(context.Cause(jobCtx), errLeaseLost) || errors.Is(err, industrydata.ErrLeaseLost):
		log.Warn("validation abandoned: its lease was taken over by another worker")
		return
	case ctx.Err() != nil:
		r.giveBack(ctx, c, log)
		return
	case err != nil:
		log.Error("validation failed", "err", err)
		out = failedValidation(r.cfg.Now(), industrydata.RunErrorInternal, "The validation could not be completed because of an internal error; validate again.")
	}
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer stop()
	if err := r.cfg.Store.FinishValidation(wctx, c, out); err != nil {
		log.Error("finishing the validation failed; it will be resumed when its lease expires", "err", err)
		return
	}
	log.Info("validation finished", "status", out.OperationStatus, "detail", out.StatusDetail)
}

// judge reads and judges the files of in, the job's input (inErr when its
// payload did not decode). Its error is a fault of the service (or ctx's
// end); what is wrong with the files is in the outcome.
func (r *Runner) judge(ctx context.Context, c industrydata.JobClaim, in industrydata.ValidationInput, inErr error, hb *heartbeat) (industrydata.ValidationOutcome, error) {
	defer tightenGC()()
	if c.Attempt > r.cfg.MaxAttempts {
		return failedValidation(r.cfg.Now(), validationInterrupted, fmt.Sprintf(
			"The validation was interrupted %d times before it could finish (its server stopped while it ran); validate again.", c.Attempt-1)), nil
	}
	if inErr != nil {
		return industrydata.ValidationOutcome{}, fmt.Errorf("validation input: %w", inErr)
	}
	files := map[string]industrydata.ValidatedFile{}
	for _, f := range in.Files {
		files[f.Name] = f
	}
	open := func(name string) (io.ReadCloser, error) {
		f, ok := files[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		hb.set(fmt.Sprintf("Validating %s.", name))
		rc, err := r.cfg.Store.OpenContent(ctx, c.Tenant, f.ContentID)
		if err != nil {
			return nil, err
		}
		return newReadAhead(rc), nil
	}
	var (
		res *rostercheck.Result
		err error
	)
	// Like a run's build, the validation is a long computation: it runs
	// below the requests (package lowprio), so that a GET during it waits
	// for a core no longer than when the server is idle.
	lowprio.Run(func() {
		res, err = rostercheck.Validate(ctx, open, rostercheck.Options{Roles: in.Roles, OrgTypes: in.OrgTypes, GradeLevels: in.GradeLevels})
	})
	if errors.Is(err, industrydata.ErrNotFound) {
		return failedValidation(r.cfg.Now(), validationFilesGone,
			"The uploaded files were discarded (the upload session was reset or expired) while they were validated; upload them again."), nil
	}
	if err != nil {
		return industrydata.ValidationOutcome{}, err
	}
	out := industrydata.ValidationOutcome{
		OperationStatus:    industrydata.OperationFailed,
		StatusDetail:       res.Summary(),
		LastActionDateTime: r.cfg.Now(),
		Errors:             publicErrors(res.Errors),
		Warnings:           publicErrors(res.Warnings),
	}
	for _, f := range in.Files {
		out.ValidatedFiles = append(out.ValidatedFiles, f.Name)
	}
	slices.Sort(out.ValidatedFiles)
	if res.Valid() {
		out.OperationStatus, out.Files = industrydata.OperationSucceeded, in.Files
	}
	return out, nil
}

// failedValidation is the outcome of a validation that could not judge.
func failedValidation(now time.Time, code, message string) industrydata.ValidationOutcome {
	return industrydata.ValidationOutcome{OperationStatus: industrydata.OperationFailed, StatusDetail: message,
		LastActionDateTime: now, Errors: []industrydata.PublicError{{Code: code, Message: message}}}
}

// publicErrors are problems as the operation shows them: the target names
// the file, line and column (file:line:column; a 0 is the whole file or
// row).
func publicErrors(ps []rostercheck.Problem) []industrydata.PublicError {
	out := make([]industrydata.PublicError, len(ps))
	for i, p := range ps {
		out[i] = industrydata.PublicError{Code: p.Code, Message: p.Message, Target: fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)}
	}
	return out
}

// aheadSize is how far a validation's file is read ahead of its check.
const aheadSize = 1 << 20

// readAhead reads src a buffer ahead of its reader, on a thread of its own
// as low in priority as the check's (package lowprio): the store's reads
// of a file (a query and a decompression per MiB) overlap the check
// instead of adding to it, on a second core where there is one.
type readAhead struct {
	src  io.ReadCloser
	full chan aheadBlock // filled by fill, one at a time
	free chan []byte     // the buffers fill may fill; room for both
	stop chan struct{}   // closed by Close
	done chan struct{}   // closed when fill has returned

	buf    []byte // the buffer being read, given back once read
	rest   []byte // what of buf Read has not returned yet
	err    error  // what Read returns once rest is read
	closed bool
	pooled [2]*[]byte // the buffers, when of aheadBuffers
}

var errReadAheadClosed = errors.New("read of a closed file")

type aheadBlock struct {
	data []byte
	err  error
}

// aheadBuffers keeps the buffers of files read ahead from one validation
// to the next: fresh memory costs a page fault per 4 KiB on first touch
// (5–7 µs each on the virtual machine of docs/BENCHMARKS.md).
var aheadBuffers = sync.Pool{New: func() any { b := make([]byte, aheadSize); return &b }}

func newReadAhead(src io.ReadCloser) *readAhead {
	a := &readAhead{src: src, full: make(chan aheadBlock, 1), free: make(chan []byte, 2),
		stop: make(chan struct{}), done: make(chan struct{})}
	// A file smaller than the buffers (orgs.csv) gets buffers its size.
	if s, ok := src.(interface{ Size() int64 }); ok && s.Size() < aheadSize {
		a.free <- make([]byte, s.Size()+1)
		a.free <- make([]byte, s.Size()+1)
	} else {
		a.pooled = [2]*[]byte{aheadBuffers.Get().(*[]byte), aheadBuffers.Get().(*[]byte)}
		a.free <- *a.pooled[0]
		a.free <- *a.pooled[1]
	}
	go func() {
		defer close(a.done)
		lowprio.Run(a.fill)
	}()
	return a
}

// fill reads src into the free buffers until src ends or fails, or Close.
func (a *readAhead) fill() {
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(a.src, buf)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		select {
		case a.full <- aheadBlock{data: buf[:n], err: err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (a *readAhead) Read(p []byte) (int, error) {
	if a.closed {
		return 0, errReadAheadClosed
	}
	for len(a.rest) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)] // never blocks: the other buffer is fill's
			a.buf = nil
		}
		b := <-a.full
		a.buf, a.rest, a.err = b.data, b.data, b.err
	}
	n := copy(p, a.rest)
	a.rest = a.rest[n:]
	return n, nil
}

// Size is src's, if it tells it: what rostercheck sizes its tables by.
func (a *readAhead) Size() int64 {
	if s, ok := a.src.(interface{ Size() int64 }); ok {
		return s.Size()
	}
	return 0
}

// Close stops the reading ahead and closes src.
func (a *readAhead) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	close(a.stop)
	<-a.done
	a.buf, a.rest = nil, nil
	for _, b := range a.pooled {
		if b != nil {
			aheadBuffers.Put(b)
		}
	}
	return a.src.Close()
}
