package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

var runTests = []test{
	{"started run and its operation are stored, linked", testStartRun},
	{"failed check starts nothing", testStartRunRejected},
	{"run of a missing process is ErrNotFound without calling check", testStartRunMissingProcess},
	{"second run in progress in the tenant is ErrDuplicate even when check allows it", testStartRunSecondInProgress},
	{"existing operation id is ErrDuplicate and starts no run", testStartRunDuplicateOperation},
	{"another tenant's runs are not found", testRunTenantIsolation},
	{"runs list newest first and page by keyset", testRunsNewestFirst},
	{"recent runs are each process's newest, capped", testRecentRuns},
	{"deleting a process deletes its runs but not their operations", testDeleteProcessRuns},
	{"one of 16 concurrent starts wins when check refuses a run in progress", testStartRunRaceChecked},
	{"one of 16 concurrent starts wins when check allows everything", testStartRunRaceUnchecked},
}

// runStart is the suite's first run start; later ones add minutes.
const runStart = "2024-05-06T07:00:00.1234567Z"

// newRun returns a run to start, with a fresh id.
func newRun(t *testing.T, start time.Time) industrydata.Run {
	return industrydata.Run{ID: newID(), DisplayName: "Refresh", StartDateTime: start}
}

// newRunOperation returns the operation tracking a new run.
func newRunOperation(t *testing.T, created time.Time) industrydata.Operation {
	return industrydata.Operation{ID: newID(), Type: typeOperation, CreatedDateTime: created,
		LastActionDateTime: &created, Status: industrydata.OperationNotStarted}
}

// readyProcess creates a ready ordinary process in tenant.
func readyProcess(t *testing.T, s industrydata.Store, tenant industrydata.TenantID) industrydata.Process {
	p := newProcess(t)
	p.ReadinessStatus = industrydata.ReadinessReady
	return createProcess(t, s, tenant, p)
}

// startRun starts a run of the process ("" for none) at start, with no
// activities and no check.
func startRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, processID string, start time.Time) (industrydata.Run, industrydata.Operation) {
	t.Helper()
	r, op := newRun(t, start), newRunOperation(t, start)
	r.ProcessID = processID
	if err := s.StartRun(t.Context(), tenant, who(t.Context()), &r, &op, nil, nil, nil); err != nil {
		t.Fatalf("StartRun(%s): %v", processID, err)
	}
	return r, op
}

func getRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) industrydata.Run {
	t.Helper()
	r, err := s.GetRun(t.Context(), tenant, id)
	if err != nil {
		t.Fatalf("GetRun(%s): %v", id, err)
	}
	return r
}

func listRuns(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) []industrydata.Run {
	t.Helper()
	rs, err := s.ListRuns(t.Context(), tenant, q)
	if err != nil {
		t.Fatalf("ListRuns(%+v): %v", q, err)
	}
	return rs
}

// newestFirst is the runs' default order (SPEC §2).
var newestFirst = []industrydata.OrderKey{{Property: "startDateTime", Desc: true}}

func runCursor(r industrydata.Run) *industrydata.Cursor {
	return &industrydata.Cursor{Values: []any{r.StartDateTime}, Seq: r.Seq}
}

func testStartRun(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	start := ts(t, runStart)
	r, op := newRun(t, start), newRunOperation(t, start)
	r.ProcessID = p.ID
	r.Status = industrydata.RunFailed // the store starts every run running
	calls := 0
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, func(got *industrydata.Process, inProgress bool) error {
		calls++
		if got == nil {
			t.Fatal("check saw no process")
		}
		if diff := cmp.Diff(p, *got); diff != "" {
			t.Errorf("check saw (-want +got):\n%s", diff)
		}
		if inProgress {
			t.Errorf("check told a run is in progress")
		}
		r.DisplayName = got.DisplayName // check may adjust the run
		return nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("StartRun: %v after %d checks", err, calls)
	}
	if r.ProcessID != p.ID || r.OperationID != op.ID || r.Status != industrydata.RunRunning ||
		r.DisplayName != p.DisplayName || r.EndDateTime != nil || r.Seq <= 0 || op.Seq <= 0 {
		t.Errorf("started run %+v, operation %+v", r, op)
	}
	checkNewETag(t, r.ETag)
	checkNewETag(t, op.ETag)
	checkUTC(t, r.StartDateTime)
	if diff := cmp.Diff(r, getRun(t, s, tenantA, r.ID)); diff != "" {
		t.Errorf("GetRun (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(op, getOperation(t, s, tenantA, op.ID)); diff != "" {
		t.Errorf("GetOperation (-want +got):\n%s", diff)
	}

	r2, op2 := newRun(t, start), newRunOperation(t, start)
	r2.ProcessID = p.ID
	err = s.StartRun(t.Context(), tenantA, who(t.Context()), &r2, &op2, nil, nil, func(_ *industrydata.Process, inProgress bool) error {
		if !inProgress {
			t.Errorf("second check not told the first run is in progress")
		}
		return errRejected
	})
	wantRejected(t, "second StartRun", err)
}

func testStartRunRejected(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	r, op := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
	r.ProcessID = p.ID
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, func(*industrydata.Process, bool) error { return errRejected })
	wantRejected(t, "StartRun", err)
	checkNoRunStarted(t, s, tenantA, r.ID, op.ID)
}

// checkNoRunStarted fails unless the tenant has no run and neither the run
// nor the operation exists.
func checkNoRunStarted(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID, opID string) {
	t.Helper()
	_, err := s.GetRun(t.Context(), tenant, runID)
	wantErrIs(t, "GetRun of the refused run", err, industrydata.ErrNotFound)
	_, err = s.GetOperation(t.Context(), tenant, opID)
	wantErrIs(t, "GetOperation of the refused run", err, industrydata.ErrNotFound)
	if n := len(listRuns(t, s, tenant, industrydata.ListQuery{})); n != 0 {
		t.Errorf("tenant has %d runs, want none", n)
	}
}

func testStartRunMissingProcess(t *testing.T, s industrydata.Store) {
	r, op := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
	r.ProcessID = newID()
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, func(*industrydata.Process, bool) error {
		t.Errorf("check called for a missing process")
		return nil
	})
	wantErrIs(t, "StartRun", err, industrydata.ErrNotFound)
	checkNoRunStarted(t, s, tenantA, r.ID, op.ID)
}

func testStartRunSecondInProgress(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	first, _ := startRun(t, s, tenantA, p.ID, ts(t, runStart))
	// Another run of the process, of another process of the tenant, or of
	// no process: the tenant has a run in progress already.
	for _, processID := range []string{p.ID, readyProcess(t, s, tenantA).ID, ""} {
		r, op := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
		r.ProcessID = processID
		err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, func(*industrydata.Process, bool) error { return nil })
		wantErrIs(t, "second StartRun", err, industrydata.ErrDuplicate)
		_, err = s.GetOperation(t.Context(), tenantA, op.ID)
		wantErrIs(t, "GetOperation of the refused run", err, industrydata.ErrNotFound)
	}
	if diff := cmp.Diff([]industrydata.Run{first}, listRuns(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListRuns (-want +got):\n%s", diff)
	}
	// Another tenant is not held back, and the tenant is not once its run
	// has finished.
	startRun(t, s, tenantB, readyProcess(t, s, tenantB).ID, ts(t, runStart))
	finishRun(t, s, first.ID, ts(t, runStart).Add(time.Hour))
	startRun(t, s, tenantA, readyProcess(t, s, tenantA).ID, ts(t, runStart))
}

func testStartRunDuplicateOperation(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	existing := createOperation(t, s, tenantA, newOperation(t))
	r, op := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
	r.ProcessID, op.ID = p.ID, existing.ID
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, nil)
	wantErrIs(t, "StartRun", err, industrydata.ErrDuplicate)
	if n := len(listRuns(t, s, tenantA, industrydata.ListQuery{})); n != 0 {
		t.Errorf("tenant has %d runs after a refused start", n)
	}
	if diff := cmp.Diff(existing, getOperation(t, s, tenantA, existing.ID)); diff != "" {
		t.Errorf("existing operation changed (-want +got):\n%s", diff)
	}
}

func testRunTenantIsolation(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	r, _ := startRun(t, s, tenantA, p.ID, ts(t, runStart))
	_, err := s.GetRun(t.Context(), tenantB, r.ID)
	wantErrIs(t, "GetRun from tenant B", err, industrydata.ErrNotFound)
	if n := len(listRuns(t, s, tenantB, industrydata.ListQuery{})); n != 0 {
		t.Errorf("tenant B lists %d runs", n)
	}
	if n := len(listRuns(t, s, tenantB, industrydata.ListQuery{ProcessID: p.ID})); n != 0 {
		t.Errorf("tenant B lists %d runs of tenant A's process", n)
	}
	if n, err := s.CountRuns(t.Context(), tenantB, industrydata.ListQuery{}); err != nil || n != 0 {
		t.Errorf("CountRuns from tenant B = %d, %v", n, err)
	}
	recent, err := s.RecentRuns(t.Context(), tenantB, []string{p.ID}, 10)
	if err != nil || len(recent) != 0 {
		t.Errorf("RecentRuns from tenant B = %v, %v", recent, err)
	}
	r2, op2 := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
	r2.ProcessID = p.ID
	err = s.StartRun(t.Context(), tenantB, who(t.Context()), &r2, &op2, nil, nil, func(*industrydata.Process, bool) error {
		t.Errorf("check called with tenant A's process")
		return nil
	})
	wantErrIs(t, "StartRun from tenant B", err, industrydata.ErrNotFound)
	if n, err := s.CountRuns(t.Context(), tenantA, industrydata.ListQuery{}); err != nil || n != 1 {
		t.Errorf("CountRuns of tenant A = %d, %v; want 1", n, err)
	}
}

// finishRun claims the tenant's run id (claiming, and leaving leased, any
// run in progress before it) and completes it at end.
func finishRun(t *testing.T, s industrydata.Store, id string, end time.Time) industrydata.JobClaim {
	t.Helper()
	for range 100 {
		c, ok, err := s.ClaimJob(t.Context(), "finisher", end, time.Minute)
		if err != nil || !ok {
			t.Fatalf("ClaimJob looking for run %s: %v, %v", id, ok, err)
		}
		if c.ID != id {
			continue
		}
		err = s.FinishRun(t.Context(), c, industrydata.RunOutcome{Status: industrydata.RunCompleted, EndDateTime: end,
			OperationStatus: industrydata.OperationSucceeded, LastActionDateTime: end})
		if err != nil {
			t.Fatalf("FinishRun: %v", err)
		}
		return c
	}
	t.Fatalf("run %s never claimed", id)
	return industrydata.JobClaim{}
}

// seedRuns starts (and, but for the last, finishes) runs of two processes
// of tenantA at start times out of insertion order, some equal, and
// returns them as stored, and the processes. The last run is of the
// second process.
func seedRuns(t *testing.T, s industrydata.Store) ([]industrydata.Run, [2]industrydata.Process) {
	ps := [2]industrydata.Process{readyProcess(t, s, tenantA), readyProcess(t, s, tenantA)}
	base := ts(t, runStart)
	minutes := []int{5, 1, 9, 5, 3, 7, 5, 0}
	var ids []string
	for i, m := range minutes {
		r, _ := startRun(t, s, tenantA, ps[i%2].ID, base.Add(time.Duration(m)*time.Minute))
		ids = append(ids, r.ID)
		if i < len(minutes)-1 {
			finishRun(t, s, r.ID, base.Add(time.Hour))
		}
	}
	startRun(t, s, tenantB, readyProcess(t, s, tenantB).ID, base.Add(time.Hour)) // never listed
	var runs []industrydata.Run
	for _, id := range ids {
		runs = append(runs, getRun(t, s, tenantA, id))
	}
	return runs, ps
}

// sortNewestFirst orders runs by startDateTime, then seq, descending.
func sortNewestFirst(runs []industrydata.Run) []industrydata.Run {
	out := append([]industrydata.Run(nil), runs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			a, b := out[i], out[j]
			if b.StartDateTime.After(a.StartDateTime) || b.StartDateTime.Equal(a.StartDateTime) && b.Seq > a.Seq {
				out[i], out[j] = b, a
			}
		}
	}
	return out
}

func testRunsNewestFirst(t *testing.T, s industrydata.Store) {
	runs, ps := seedRuns(t, s)
	want := sortNewestFirst(runs)
	if diff := cmp.Diff(want, listRuns(t, s, tenantA, industrydata.ListQuery{OrderBy: newestFirst})); diff != "" {
		t.Errorf("ListRuns newest first (-want +got):\n%s", diff)
	}
	var got []industrydata.Run
	q := industrydata.ListQuery{OrderBy: newestFirst, Limit: 3}
	for range len(runs) + 1 {
		page := listRuns(t, s, tenantA, q)
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		q.After = runCursor(page[len(page)-1])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages put together (-want +got):\n%s", diff)
	}

	var ofFirst []industrydata.Run
	for _, r := range want {
		if r.ProcessID == ps[0].ID {
			ofFirst = append(ofFirst, r)
		}
	}
	q = industrydata.ListQuery{OrderBy: newestFirst, ProcessID: ps[0].ID, Limit: 2, After: runCursor(ofFirst[0])}
	if diff := cmp.Diff(ofFirst[1:3], listRuns(t, s, tenantA, q)); diff != "" {
		t.Errorf("page of one process (-want +got):\n%s", diff)
	}
	if n, err := s.CountRuns(t.Context(), tenantA, industrydata.ListQuery{ProcessID: ps[0].ID}); err != nil || n != int64(len(ofFirst)) {
		t.Errorf("CountRuns of one process = %d, %v; want %d", n, err, len(ofFirst))
	}
	if diff := cmp.Diff(runs, listRuns(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListRuns without keys is in insertion order (-want +got):\n%s", diff)
	}
}

func testRecentRuns(t *testing.T, s industrydata.Store) {
	runs, ps := seedRuns(t, s)
	idle := readyProcess(t, s, tenantA)
	got, err := s.RecentRuns(t.Context(), tenantA, []string{ps[0].ID, ps[1].ID, idle.ID, newID()}, 3)
	if err != nil {
		t.Fatalf("RecentRuns: %v", err)
	}
	want := map[string][]industrydata.Run{}
	for _, r := range sortNewestFirst(runs) {
		if len(want[r.ProcessID]) < 3 {
			want[r.ProcessID] = append(want[r.ProcessID], r)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecentRuns (-want +got):\n%s", diff)
	}
	if got, err := s.RecentRuns(t.Context(), tenantA, nil, 3); err != nil || len(got) != 0 {
		t.Errorf("RecentRuns of no process = %v, %v", got, err)
	}
}

func testDeleteProcessRuns(t *testing.T, s industrydata.Store) {
	runs, ps := seedRuns(t, s)
	var seen []bool
	check := func(_ industrydata.Process, running bool) error {
		seen = append(seen, running)
		return nil // the store deletes whatever check allows
	}
	for _, p := range []industrydata.Process{ps[1], ps[0]} {
		if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, check); err != nil {
			t.Fatalf("DeleteProcess: %v", err)
		}
	}
	if diff := cmp.Diff([]bool{true, false}, seen); diff != "" {
		t.Errorf("check told runInProgress (-want +got):\n%s", diff)
	}
	if n := len(listRuns(t, s, tenantA, industrydata.ListQuery{})); n != 0 {
		t.Errorf("%d runs left after their processes were deleted", n)
	}
	for _, r := range runs {
		getOperation(t, s, tenantA, r.OperationID) // operations stay
	}
	if n := len(listRuns(t, s, tenantB, industrydata.ListQuery{})); n != 1 {
		t.Errorf("tenant B has %d runs, want its 1", n)
	}
	// The run in progress went with its process: the tenant may start one.
	startRun(t, s, tenantA, readyProcess(t, s, tenantA).ID, ts(t, runStart))
}

// startRace runs 16 concurrent StartRuns of one process and checks that
// exactly one wins and every other fails with a loser's error.
func startRace(t *testing.T, s industrydata.Store, check func(*industrydata.Process, bool) error, loser error) {
	const n = 16
	p := readyProcess(t, s, tenantA)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			r, op := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
			r.ProcessID = p.ID
			errs[i] = s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, nil, check)
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, loser):
			t.Errorf("StartRun %d: %v, want nil or %v", i, err, loser)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent starts won, want exactly 1", winners, n)
	}
	if got := len(listRuns(t, s, tenantA, industrydata.ListQuery{ProcessID: p.ID})); got != 1 {
		t.Errorf("process has %d runs, want 1", got)
	}
	if got := len(listOperations(t, s, tenantA, industrydata.ListQuery{})); got != 1 {
		t.Errorf("tenant has %d operations, want the winner's 1", got)
	}
}

var errInProgress = fmt.Errorf("a run is in progress")

func testStartRunRaceChecked(t *testing.T, s industrydata.Store) {
	startRace(t, s, func(_ *industrydata.Process, inProgress bool) error {
		if inProgress {
			return errInProgress
		}
		return nil
	}, errInProgress)
}

func testStartRunRaceUnchecked(t *testing.T, s industrydata.Store) {
	startRace(t, s, nil, industrydata.ErrDuplicate)
}
