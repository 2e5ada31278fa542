package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// leaseTests check the runner's queue: claims, renewals, progress and
// finishing, with time injected through the now arguments (no sleeps).
var leaseTests = []test{
	{"nothing to claim in an empty store", testClaimNothing},
	{"concurrent claims lease each run in progress exactly once", testClaimExclusive},
	{"a held lease is not claimed again until it expires", testClaimHeld},
	{"after expiry another owner claims; the old claim's writes fail", testClaimAfterExpiry},
	{"an expired lease nobody claimed is still held", testExpiredLeaseStillHeld},
	{"a reclaim by the same owner fences its old claim", testReclaimFences},
	{"progress updates the operation while the lease is held", testRunProgress},
	{"finish writes the run and its operation together", testFinishRun},
	{"finish with a non-final status changes nothing", testFinishRunRefused},
	{"finish after the operation was deleted still ends the run", testFinishRunWithoutOperation},
	{"a run deleted with its process loses its lease", testLeaseOfDeletedRun},
	{"a released run is claimed again at once; the old claim is fenced", testReleaseLease},
	{"a claim of other kinds leaves the runs alone", testClaimKinds},
	{"a run deleted with its process leaves the queue", testDeletedRunLeavesQueue},
}

// leaseTTL is the length of the suite's leases.
const leaseTTL = time.Minute

// leaseT0 is when the suite's leases start.
func leaseT0(t *testing.T) time.Time { return ts(t, "2024-05-06T08:00:00Z") }

func claim(t *testing.T, s industrydata.Store, owner string, now time.Time) (industrydata.JobClaim, bool) {
	t.Helper()
	c, ok, err := s.ClaimJob(t.Context(), owner, now, leaseTTL)
	if err != nil {
		t.Fatalf("ClaimJob(%s): %v", owner, err)
	}
	return c, ok
}

// mustClaim claims and fails the test when there is nothing to claim.
func mustClaim(t *testing.T, s industrydata.Store, owner string, now time.Time) industrydata.JobClaim {
	t.Helper()
	c, ok := claim(t, s, owner, now)
	if !ok {
		t.Fatalf("ClaimJob(%s) at %s found nothing", owner, now)
	}
	return c
}

func wantNoClaim(t *testing.T, s industrydata.Store, owner string, now time.Time) {
	t.Helper()
	if c, ok := claim(t, s, owner, now); ok {
		t.Fatalf("ClaimJob(%s) at %s claimed %+v, want nothing", owner, now, c)
	}
}

// oneRun starts one run of a new ready process of tenantA.
func oneRun(t *testing.T, s industrydata.Store) (industrydata.Run, industrydata.Operation) {
	return startRun(t, s, tenantA, readyProcess(t, s, tenantA).ID, leaseT0(t))
}

func outcome(status industrydata.IndustryDataRunStatus, end time.Time) industrydata.RunOutcome {
	op := industrydata.OperationSucceeded
	if status == industrydata.RunFailed {
		op = industrydata.OperationFailed
	}
	return industrydata.RunOutcome{Status: status, EndDateTime: end, OperationStatus: op, LastActionDateTime: end}
}

func testClaimNothing(t *testing.T, s industrydata.Store) {
	wantNoClaim(t, s, "a", leaseT0(t))
	r, _ := oneRun(t, s)
	finishRun(t, s, r.ID, leaseT0(t))
	wantNoClaim(t, s, "a", leaseT0(t).Add(time.Hour)) // finished runs are not claimable
}

func testClaimExclusive(t *testing.T, s industrydata.Store) {
	const runs, claimers = 12, 8
	want := map[string]industrydata.JobClaim{}
	for i := range runs {
		// A tenant has one run in progress at most.
		tenant := tenantN(i)
		r, op := startRun(t, s, tenant, readyProcess(t, s, tenant).ID, leaseT0(t))
		want[r.ID] = industrydata.JobClaim{Kind: industrydata.JobRun, Tenant: tenant, ID: r.ID, ProcessID: r.ProcessID, OperationID: op.ID, Attempt: 1}
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		got    = map[string][]industrydata.JobClaim{}
		start  = make(chan struct{})
		failed error
	)
	for g := range claimers {
		wg.Go(func() {
			<-start
			owner := fmt.Sprintf("runner-%d", g)
			for {
				c, ok, err := s.ClaimJob(t.Context(), owner, leaseT0(t), leaseTTL)
				mu.Lock()
				if err != nil {
					failed = err
				}
				if ok {
					got[c.ID] = append(got[c.ID], c)
				}
				mu.Unlock()
				if err != nil || !ok {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if failed != nil {
		t.Fatalf("ClaimJob: %v", failed)
	}
	if len(got) != runs {
		t.Errorf("%d runs claimed, want %d", len(got), runs)
	}
	for id, cs := range got {
		if len(cs) != 1 {
			t.Errorf("run %s claimed %d times", id, len(cs))
			continue
		}
		c := cs[0]
		if !c.Expires.Equal(leaseT0(t).Add(leaseTTL)) {
			t.Errorf("claim of %s expires %s, want now+ttl", id, c.Expires)
		}
		c.Owner, c.Expires = "", time.Time{}
		if diff := cmp.Diff(want[id], c); diff != "" {
			t.Errorf("claim of %s (-want +got):\n%s", id, diff)
		}
	}
}

func testClaimHeld(t *testing.T, s industrydata.Store) {
	r, _ := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	if c.ID != r.ID || c.Owner != "a" || c.Attempt != 1 {
		t.Errorf("claim %+v", c)
	}
	wantNoClaim(t, s, "b", leaseT0(t))
	wantNoClaim(t, s, "b", c.Expires.Add(-time.Nanosecond*100))
	c, err := s.RenewLease(t.Context(), c, leaseT0(t).Add(50*time.Second), leaseTTL)
	if err != nil {
		t.Fatalf("RenewLease: %v", err)
	}
	if want := leaseT0(t).Add(50*time.Second + leaseTTL); !c.Expires.Equal(want) {
		t.Errorf("renewed lease expires %s, want %s", c.Expires, want)
	}
	wantNoClaim(t, s, "b", leaseT0(t).Add(leaseTTL+time.Second)) // renewed past the first expiry
}

func testClaimAfterExpiry(t *testing.T, s industrydata.Store) {
	r, op := oneRun(t, s)
	old := mustClaim(t, s, "a", leaseT0(t))
	later := old.Expires // expired at exactly its expiry
	taken := mustClaim(t, s, "b", later)
	if taken.ID != r.ID || taken.Attempt != 2 || taken.Owner != "b" {
		t.Fatalf("claim after expiry %+v, want run %s attempt 2 of b", taken, r.ID)
	}
	before, opBefore := getRun(t, s, tenantA, r.ID), getOperation(t, s, tenantA, op.ID)

	_, err := s.RenewLease(t.Context(), old, later, leaseTTL)
	wantErrIs(t, "RenewLease of the old claim", err, industrydata.ErrLeaseLost)
	err = s.UpdateJobProgress(t.Context(), old, "old runner", later)
	wantErrIs(t, "UpdateJobProgress of the old claim", err, industrydata.ErrLeaseLost)
	err = s.FinishRun(t.Context(), old, outcome(industrydata.RunFailed, later))
	wantErrIs(t, "FinishRun of the old claim", err, industrydata.ErrLeaseLost)
	if diff := cmp.Diff(before, getRun(t, s, tenantA, r.ID)); diff != "" {
		t.Errorf("run changed by the old claim (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(opBefore, getOperation(t, s, tenantA, op.ID)); diff != "" {
		t.Errorf("operation changed by the old claim (-want +got):\n%s", diff)
	}

	if err := s.FinishRun(t.Context(), taken, outcome(industrydata.RunCompleted, later)); err != nil {
		t.Fatalf("FinishRun of the new claim: %v", err)
	}
	_, err = s.RenewLease(t.Context(), taken, later, leaseTTL)
	wantErrIs(t, "RenewLease of a finished run", err, industrydata.ErrLeaseLost)
	err = s.FinishRun(t.Context(), taken, outcome(industrydata.RunCompleted, later))
	wantErrIs(t, "second FinishRun", err, industrydata.ErrLeaseLost)
	wantNoClaim(t, s, "c", later.Add(time.Hour))
}

func testExpiredLeaseStillHeld(t *testing.T, s industrydata.Store) {
	oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	late := leaseT0(t).Add(5 * leaseTTL)
	c, err := s.RenewLease(t.Context(), c, late, leaseTTL)
	if err != nil {
		t.Fatalf("RenewLease after expiry, unclaimed: %v", err)
	}
	wantNoClaim(t, s, "b", late)
	if err := s.UpdateJobProgress(t.Context(), c, "still here", late); err != nil {
		t.Errorf("UpdateJobProgress: %v", err)
	}
}

func testReclaimFences(t *testing.T, s industrydata.Store) {
	oneRun(t, s)
	first := mustClaim(t, s, "a", leaseT0(t))
	second := mustClaim(t, s, "a", first.Expires)
	if second.Attempt != first.Attempt+1 {
		t.Errorf("reclaim attempt %d, want %d", second.Attempt, first.Attempt+1)
	}
	_, err := s.RenewLease(t.Context(), first, first.Expires, leaseTTL)
	wantErrIs(t, "RenewLease of the first claim", err, industrydata.ErrLeaseLost)
	if _, err := s.RenewLease(t.Context(), second, first.Expires, leaseTTL); err != nil {
		t.Errorf("RenewLease of the second claim: %v", err)
	}
}

func testRunProgress(t *testing.T, s industrydata.Store) {
	r, op := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	at := leaseT0(t).Add(10 * time.Second)
	if err := s.UpdateJobProgress(t.Context(), c, "Reading users.csv", at); err != nil {
		t.Fatalf("UpdateJobProgress: %v", err)
	}
	got := getOperation(t, s, tenantA, op.ID)
	checkNewETag(t, got.ETag, op.ETag)
	want := op
	want.Status, want.StatusDetail, want.LastActionDateTime, want.ETag = industrydata.OperationRunning, ptr("Reading users.csv"), &at, got.ETag
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operation after progress (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(r, getRun(t, s, tenantA, r.ID)); diff != "" {
		t.Errorf("run changed by progress (-want +got):\n%s", diff)
	}
}

func testFinishRun(t *testing.T, s industrydata.Store) {
	r, op := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	end := leaseT0(t).Add(42 * time.Second)
	out := outcome(industrydata.RunFailed, end)
	out.BlockingError = &industrydata.PublicError{Code: "rosterMissing", Message: "No roster \"uploaded\".", Target: "users.csv"}
	out.StatusDetail, out.ResourceLocation = ptr("failed: no roster"), ptr("https://x/beta/industryData/runs/"+r.ID)
	if err := s.FinishRun(t.Context(), c, out); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	gotRun, gotOp := getRun(t, s, tenantA, r.ID), getOperation(t, s, tenantA, op.ID)
	checkNewETag(t, gotRun.ETag, r.ETag)
	checkNewETag(t, gotOp.ETag, op.ETag)
	wantRun := r
	wantRun.Status, wantRun.EndDateTime, wantRun.BlockingError, wantRun.ETag = industrydata.RunFailed, &end, out.BlockingError, gotRun.ETag
	if diff := cmp.Diff(wantRun, gotRun); diff != "" {
		t.Errorf("finished run (-want +got):\n%s", diff)
	}
	wantOp := op
	wantOp.Status, wantOp.StatusDetail, wantOp.ResourceLocation = industrydata.OperationFailed, out.StatusDetail, out.ResourceLocation
	wantOp.LastActionDateTime, wantOp.ETag = &end, gotOp.ETag
	if diff := cmp.Diff(wantOp, gotOp); diff != "" {
		t.Errorf("finished run's operation (-want +got):\n%s", diff)
	}
	wantNoClaim(t, s, "b", end.Add(time.Hour))
	// The process may run again.
	startRun(t, s, tenantA, r.ProcessID, end)
}

func testFinishRunRefused(t *testing.T, s industrydata.Store) {
	r, op := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	bad := outcome(industrydata.RunRunning, leaseT0(t))
	if err := s.FinishRun(t.Context(), c, bad); err == nil {
		t.Errorf("FinishRun with status running succeeded")
	}
	if diff := cmp.Diff(r, getRun(t, s, tenantA, r.ID)); diff != "" {
		t.Errorf("run changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(op, getOperation(t, s, tenantA, op.ID)); diff != "" {
		t.Errorf("operation changed (-want +got):\n%s", diff)
	}
	if _, err := s.RenewLease(t.Context(), c, leaseT0(t), leaseTTL); err != nil {
		t.Errorf("lease lost by a refused finish: %v", err)
	}
}

func testFinishRunWithoutOperation(t *testing.T, s industrydata.Store) {
	r, op := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	if err := s.DeleteOperation(t.Context(), tenantA, who(t.Context()), op.ID, nil); err != nil {
		t.Fatalf("DeleteOperation: %v", err)
	}
	if err := s.UpdateJobProgress(t.Context(), c, "half way", leaseT0(t)); err != nil {
		t.Errorf("UpdateJobProgress: %v", err)
	}
	if err := s.FinishRun(t.Context(), c, outcome(industrydata.RunCompleted, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	if got := getRun(t, s, tenantA, r.ID); got.Status != industrydata.RunCompleted {
		t.Errorf("run status %s, want completed", got.Status)
	}
	_, err := s.GetOperation(t.Context(), tenantA, op.ID)
	wantErrIs(t, "GetOperation", err, industrydata.ErrNotFound)
}

func testLeaseOfDeletedRun(t *testing.T, s industrydata.Store) {
	r, _ := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), r.ProcessID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	_, err := s.RenewLease(t.Context(), c, leaseT0(t), leaseTTL)
	wantErrIs(t, "RenewLease", err, industrydata.ErrLeaseLost)
	err = s.FinishRun(t.Context(), c, outcome(industrydata.RunCompleted, leaseT0(t)))
	wantErrIs(t, "FinishRun", err, industrydata.ErrLeaseLost)
}

func testReleaseLease(t *testing.T, s industrydata.Store) {
	r, _ := oneRun(t, s)
	c := mustClaim(t, s, "a", leaseT0(t))
	if err := s.ReleaseLease(t.Context(), c); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	err := s.ReleaseLease(t.Context(), c)
	wantErrIs(t, "second ReleaseLease", err, industrydata.ErrLeaseLost)
	_, err = s.RenewLease(t.Context(), c, leaseT0(t), leaseTTL)
	wantErrIs(t, "RenewLease after release", err, industrydata.ErrLeaseLost)
	if got := getRun(t, s, tenantA, r.ID); got.Status != industrydata.RunRunning {
		t.Errorf("released run has status %s, want running", got.Status)
	}
	// Long before the old lease would have expired.
	again := mustClaim(t, s, "a", leaseT0(t))
	if again.ID != r.ID || again.Attempt != c.Attempt+1 {
		t.Errorf("claim after release %+v, want run %s attempt %d", again, r.ID, c.Attempt+1)
	}
	err = s.FinishRun(t.Context(), c, outcome(industrydata.RunCompleted, leaseT0(t)))
	wantErrIs(t, "FinishRun of the released claim", err, industrydata.ErrLeaseLost)
	if err := s.FinishRun(t.Context(), again, outcome(industrydata.RunCompleted, leaseT0(t))); err != nil {
		t.Errorf("FinishRun of the new claim: %v", err)
	}
}

func testClaimKinds(t *testing.T, s industrydata.Store) {
	r, _ := oneRun(t, s)
	if c, ok, err := s.ClaimJob(t.Context(), "v", leaseT0(t), leaseTTL, industrydata.JobValidation); err != nil || ok {
		t.Fatalf("a claim of validations took %+v, %v", c, err)
	}
	c, ok, err := s.ClaimJob(t.Context(), "r", leaseT0(t), leaseTTL, industrydata.JobValidation, industrydata.JobRun)
	if err != nil || !ok || c.Kind != industrydata.JobRun || c.ID != r.ID || c.Attempt != 1 {
		t.Fatalf("a claim of validations and runs took %+v, %v, %v; want run %s, attempt 1", c, ok, err, r.ID)
	}
}

func testDeletedRunLeavesQueue(t *testing.T, s industrydata.Store) {
	r, _ := oneRun(t, s)
	// Deleted before any runner claimed it: nothing stays to claim.
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), r.ProcessID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	wantNoClaim(t, s, "a", leaseT0(t).Add(time.Hour))
}
