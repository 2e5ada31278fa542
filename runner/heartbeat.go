package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"industrydata"
	"industrydata/report"
)

// heartbeat keeps a run's lease alive and its operation's statusDetail
// current while the run works. The build reports progress through
// progress, which only records it; the heartbeat's own goroutine writes it,
// at most once per ProgressInterval, so the build never waits for the
// store to say how far it has got.
type heartbeat struct {
	r      *Runner
	claim  industrydata.JobClaim
	cancel context.CancelCauseFunc
	// log is the job's.
	log *slog.Logger

	mu      sync.Mutex
	detail  string
	changed bool
}

func newHeartbeat(r *Runner, c industrydata.JobClaim, cancel context.CancelCauseFunc, log *slog.Logger) *heartbeat {
	return &heartbeat{r: r, claim: c, cancel: cancel, log: log}
}

// progress records how far the build has got, in words.
func (h *heartbeat) progress(p report.Progress) {
	switch p.Pass {
	case 1:
		h.set(fmt.Sprintf("Counting users: read %d.", p.Done))
	default:
		h.set(fmt.Sprintf("Checked %d of %d users.", p.Done, p.Total))
	}
}

// set records the job's progress, which the heartbeat writes.
func (h *heartbeat) set(detail string) {
	h.mu.Lock()
	h.detail, h.changed = detail, true
	h.mu.Unlock()
}

// take returns the progress not yet written, if any.
func (h *heartbeat) take() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.detail, h.changed
	h.changed = false
	return d, ok
}

// run renews the lease every third of its life and writes progress, until
// ctx ends. A lease found lost cancels the run with errLeaseLost; any other
// failed write is retried at the next beat, while the lease lasts.
func (h *heartbeat) run(ctx context.Context) {
	cfg := h.r.cfg
	beat := min(cfg.ProgressInterval, cfg.LeaseTTL/3)
	ticker := time.NewTicker(beat)
	defer ticker.Stop()
	renewed := time.Now()
	// Progress set before the heartbeat started (a validation's first) is
	// written at once, and even if the job ends meanwhile, so that its
	// operation has been running before its outcome is written.
	if detail, ok := h.take(); ok {
		err := cfg.Store.UpdateJobProgress(context.WithoutCancel(ctx), h.claim, detail, cfg.Now())
		if h.lost(err) {
			return
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if time.Since(renewed) >= cfg.LeaseTTL/3 {
			c, err := cfg.Store.RenewLease(ctx, h.claim, cfg.Now(), cfg.LeaseTTL)
			if h.lost(err) {
				return
			}
			if err == nil {
				h.claim, renewed = c, time.Now()
			}
		}
		if detail, ok := h.take(); ok {
			err := cfg.Store.UpdateJobProgress(ctx, h.claim, detail, cfg.Now())
			if h.lost(err) {
				return
			}
		}
	}
}

// lost reports whether err says the lease is gone, and then cancels the
// run. Other errors are logged.
func (h *heartbeat) lost(err error) bool {
	if errors.Is(err, industrydata.ErrLeaseLost) {
		h.cancel(errLeaseLost)
		return true
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		h.log.Warn("heartbeat write failed", "err", err)
	}
	return false
}
