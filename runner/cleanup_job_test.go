package runner_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"industrydata"
	"industrydata/runner"
	"industrydata/store/sqlite"
)

// clock is a settable clock for leases and retention.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// cleanupJob is the cleanup of s for owner, operations kept 30 days, on
// clk.
func cleanupJob(s *sqlite.Store, owner string, clk *clock) runner.CleanupJob {
	c := cleaner(s, industrydata.Retention{Operations: 30 * 24 * time.Hour})
	c.Clock = clk
	return runner.CleanupJob{Cleaner: c, Jobs: s, Owner: owner, LeaseTTL: 30 * time.Second, Now: clk.Now}
}

// wantQueueEmpty fails unless no cleanup is queued or running.
func wantQueueEmpty(t *testing.T, s *sqlite.Store) {
	t.Helper()
	// Queueing succeeds only when none is there; the one queued here is
	// taken off again.
	queued, err := s.QueueCleanup(t.Context())
	if err != nil || !queued {
		t.Fatalf("QueueCleanup = %v, %v: a cleanup is still queued or running", queued, err)
	}
	c, ok, err := s.ClaimJob(t.Context(), "check", time.Now(), time.Minute, industrydata.JobCleanup)
	if err != nil || !ok {
		t.Fatalf("ClaimJob = %v, %v", ok, err)
	}
	if err := s.FinishCleanup(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

func TestCleanupJobEveryQueuesAndSweepsAtEachTick(t *testing.T) {
	s, ids := storeWithOperations(t, 3, cleanupNow.Add(-31*24*time.Hour))
	job := cleanupJob(s, "a", &clock{now: cleanupNow})
	ctx, cancel := context.WithCancel(t.Context())
	schedule, poll := make(chan time.Time), make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(done)
		job.Every(ctx, schedule, poll)
	}()
	// A tick is taken only once the cleanup of the one before has ended;
	// the poll finds nothing queued.
	schedule <- cleanupNow
	schedule <- cleanupNow
	poll <- cleanupNow
	cancel()
	<-done
	for _, id := range ids {
		if _, err := s.GetOperation(t.Context(), tenant, id); err == nil {
			t.Errorf("operation %s is still there after a tick", id)
		}
	}
	wantQueueEmpty(t, s)
}

func TestCleanupJobOfADeadWorkerIsResumedAfterItsLease(t *testing.T) {
	s, ids := storeWithOperations(t, 3, cleanupNow.Add(-31*24*time.Hour))
	clk := &clock{now: cleanupNow}
	dead, next := cleanupJob(s, "dead", clk), cleanupJob(s, "next", clk)
	if queued, err := dead.Queue(t.Context()); err != nil || !queued {
		t.Fatalf("Queue = %v, %v", queued, err)
	}
	// A second replica's tick queues nothing more.
	if queued, err := next.Queue(t.Context()); err != nil || queued {
		t.Fatalf("Queue of a second replica = %v, %v; want false", queued, err)
	}
	// The dead worker claimed the job and died before it swept anything.
	if _, ok, err := s.ClaimJob(t.Context(), "dead", clk.now, dead.LeaseTTL, industrydata.JobCleanup); err != nil || !ok {
		t.Fatalf("ClaimJob = %v, %v", ok, err)
	}
	clk.now = clk.now.Add(dead.LeaseTTL - time.Second)
	if _, ran, err := next.RunQueued(t.Context()); err != nil || ran {
		t.Fatalf("RunQueued while the lease holds = %v, %v; want not run", ran, err)
	}
	if _, err := s.GetOperation(t.Context(), tenant, ids[0]); err != nil {
		t.Fatalf("an operation went while the dead worker's lease held: %v", err)
	}
	clk.now = clk.now.Add(time.Second)
	swept, ran, err := next.RunQueued(t.Context())
	if err != nil || !ran || swept[0].Rows != 3 {
		t.Fatalf("RunQueued after the lease expired = %+v, %v, %v; want 3 operations swept", swept, ran, err)
	}
	for _, id := range ids {
		if _, err := s.GetOperation(t.Context(), tenant, id); err == nil {
			t.Errorf("operation %s is still there", id)
		}
	}
	wantQueueEmpty(t, s)
}

// takeover is a store whose first sweep lets another worker take the
// cleanup's lease over, as if this one had stalled past its expiry.
type takeover struct {
	*sqlite.Store
	clk   *clock
	ttl   time.Duration
	taken bool
}

func (s *takeover) Sweep(ctx context.Context, kind industrydata.CleanupKind, cutoff industrydata.Cutoff, limit int) (industrydata.Swept, error) {
	if !s.taken {
		s.taken = true
		s.clk.now = s.clk.now.Add(s.ttl)
		if _, ok, err := s.ClaimJob(ctx, "other", s.clk.now, s.ttl, industrydata.JobCleanup); err != nil || !ok {
			return industrydata.Swept{}, errors.Join(errors.New("the takeover found no cleanup to claim"), err)
		}
	}
	return s.Store.Sweep(ctx, kind, cutoff, limit)
}

func TestCleanupJobStopsWhenItsLeaseIsTakenOver(t *testing.T) {
	s, ids := storeWithOperations(t, 5, cleanupNow.Add(-31*24*time.Hour))
	clk := &clock{now: cleanupNow}
	job := cleanupJob(s, "stalled", clk)
	job.Cleaner.Store = &takeover{Store: s, clk: clk, ttl: job.LeaseTTL}
	if _, err := job.Queue(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The first batch of two commits; renewing the lease after it fails.
	swept, ran, err := job.RunQueued(t.Context())
	if !ran || !errors.Is(err, industrydata.ErrLeaseLost) {
		t.Fatalf("RunQueued = %+v, %v, %v; want ErrLeaseLost", swept, ran, err)
	}
	left := 0
	for _, id := range ids {
		if _, err := s.GetOperation(t.Context(), tenant, id); err == nil {
			left++
		}
	}
	if left != 3 {
		t.Errorf("%d operations left, want 3: the stalled worker swept after losing its lease", left)
	}
	// The job is the other worker's still.
	if queued, err := s.QueueCleanup(t.Context()); err != nil || queued {
		t.Fatalf("QueueCleanup = %v, %v; want the other worker's job still there", queued, err)
	}
}
