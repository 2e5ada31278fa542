package storetest

import (
	"sync"
	"testing"
	"time"

	"industrydata"
)

var cleanupJobTests = []test{
	{"replicas queueing the cleanup at once queue one job", testQueueCleanupOnce},
	{"the cleanup's lease expires, another claim resumes it, the first is fenced", testCleanupTakeover},
	{"a claim of runs and validations never takes the cleanup", testCleanupNotARun},
}

func claimCleanup(t *testing.T, s industrydata.Store, owner string, at time.Time) (industrydata.JobClaim, bool) {
	t.Helper()
	c, ok, err := s.ClaimJob(t.Context(), owner, at, leaseTTL, industrydata.JobCleanup)
	if err != nil {
		t.Fatalf("ClaimJob(cleanup): %v", err)
	}
	return c, ok
}

func testQueueCleanupOnce(t *testing.T, s industrydata.Store) {
	const replicas = 8
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		queued int
	)
	for range replicas {
		wg.Go(func() {
			ok, err := s.QueueCleanup(t.Context())
			if err != nil {
				t.Errorf("QueueCleanup: %v", err)
			}
			if ok {
				mu.Lock()
				queued++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if queued != 1 {
		t.Fatalf("%d of %d concurrent QueueCleanup queued a job, want 1", queued, replicas)
	}
	c, ok := claimCleanup(t, s, "a", leaseT0(t))
	if !ok || c.Kind != industrydata.JobCleanup || c.Tenant != "" || c.ID != industrydata.CleanupJobID || c.Attempt != 1 {
		t.Fatalf("claim of the cleanup = %+v, %v", c, ok)
	}
	if _, ok := claimCleanup(t, s, "b", leaseT0(t)); ok {
		t.Fatal("a second claim took the cleanup while it is held")
	}
	// Running: a replica's tick queues nothing more.
	if ok, err := s.QueueCleanup(t.Context()); err != nil || ok {
		t.Fatalf("QueueCleanup while it runs = %v, %v; want false", ok, err)
	}
	if err := s.FinishCleanup(t.Context(), c); err != nil {
		t.Fatalf("FinishCleanup: %v", err)
	}
	if _, ok := claimCleanup(t, s, "b", leaseT0(t)); ok {
		t.Fatal("the finished cleanup was claimed again")
	}
	if ok, err := s.QueueCleanup(t.Context()); err != nil || !ok {
		t.Fatalf("QueueCleanup after it finished = %v, %v; want true", ok, err)
	}
}

func testCleanupTakeover(t *testing.T, s industrydata.Store) {
	if _, err := s.QueueCleanup(t.Context()); err != nil {
		t.Fatal(err)
	}
	dead, ok := claimCleanup(t, s, "dead", leaseT0(t))
	if !ok {
		t.Fatal("no cleanup to claim")
	}
	if _, ok := claimCleanup(t, s, "next", leaseT0(t).Add(leaseTTL-time.Second)); ok {
		t.Fatal("the cleanup was claimed before its lease expired")
	}
	next, ok := claimCleanup(t, s, "next", leaseT0(t).Add(leaseTTL))
	if !ok || next.Attempt != 2 {
		t.Fatalf("claim after expiry = %+v, %v; want attempt 2", next, ok)
	}
	_, err := s.RenewLease(t.Context(), dead, leaseT0(t).Add(leaseTTL), leaseTTL)
	wantErrIs(t, "RenewLease of the dead claim", err, industrydata.ErrLeaseLost)
	wantErrIs(t, "FinishCleanup of the dead claim", s.FinishCleanup(t.Context(), dead), industrydata.ErrLeaseLost)
	if err := s.FinishCleanup(t.Context(), next); err != nil {
		t.Fatalf("FinishCleanup: %v", err)
	}
	wantErrIs(t, "FinishCleanup again", s.FinishCleanup(t.Context(), next), industrydata.ErrLeaseLost)
}

func testCleanupNotARun(t *testing.T, s industrydata.Store) {
	if _, err := s.QueueCleanup(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, ok, err := s.ClaimJob(t.Context(), "runner", leaseT0(t), leaseTTL, industrydata.JobRun, industrydata.JobValidation)
	if err != nil || ok {
		t.Fatalf("ClaimJob(run, validation) with the cleanup queued = %v, %v; want none", ok, err)
	}
	r, _ := startRun(t, s, tenantA, "", leaseT0(t))
	c, ok, err := s.ClaimJob(t.Context(), "runner", leaseT0(t), leaseTTL, industrydata.JobRun)
	if err != nil || !ok || c.ID != r.ID {
		t.Fatalf("ClaimJob(run) = %+v, %v, %v", c, ok, err)
	}
	if err := s.FinishCleanup(t.Context(), c); err == nil {
		t.Fatal("FinishCleanup of a run's claim succeeded")
	}
	if _, err := s.GetRun(t.Context(), tenantA, c.ID); err != nil {
		t.Fatalf("the run after a refused FinishCleanup: %v", err)
	}
}
