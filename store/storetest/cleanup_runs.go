package storetest

import (
	"testing"
	"time"

	"industrydata"
)

var sweepRunTests = []test{
	{"runs beyond the newest kept of their process go and are not found", testSweepRunsBeyondKept},
	{"runs that ended before the cutoff go even among the newest", testSweepRunsByAge},
	{"a run in progress stays", testSweepRunsKeepsRunning},
	{"the newest report of a process stays, older reports go with their runs", testSweepRunsKeepsCurrentReport},
	{"the run whose import made a flow's current data stays", testSweepRunsKeepsFlowData},
	{"the newest runs of each flow stay", testSweepRunsKeptPerFlow},
}

// doneRun starts a run of the tenant's process ("" for none) with acts at
// start, claims it and ends it a minute later, completed, with a report of
// three entries when report is set.
func doneRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, processID string, start time.Time, report bool, acts ...industrydata.RunActivity) industrydata.Run {
	t.Helper()
	r, op := newRun(t, start), newRunOperation(t, start)
	r.ProcessID = processID
	if err := s.StartRun(t.Context(), tenant, who(t.Context()), &r, &op, acts, nil, nil); err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	c, ok, err := s.ClaimJob(t.Context(), "runner", start, leaseTTL, industrydata.JobRun)
	if err != nil || !ok || c.ID != r.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v; want run %s", c, ok, err, r.ID)
	}
	out := outcome(industrydata.RunCompleted, start.Add(time.Minute))
	if report {
		appendEntries(t, s, c, reportEntries(1, 3), 3)
		out.Report = &industrydata.UserReport{Summary: sampleSummary()}
	}
	if err := s.FinishRun(t.Context(), c, out); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	return r
}

// sweepRunsAll sweeps runs under cutoff, two a transaction, until none is
// left, and checks how many went.
func sweepRunsAll(t *testing.T, s industrydata.Store, cutoff industrydata.Cutoff, want int64) industrydata.Swept {
	t.Helper()
	counted := sweepableRuns(t, s, cutoff)
	var total industrydata.Swept
	for {
		got, err := s.Sweep(t.Context(), industrydata.CleanupRuns, cutoff, 2)
		if err != nil {
			t.Fatalf("Sweep runs: %v", err)
		}
		total.Add(got)
		if got.Rows < 2 {
			break
		}
	}
	if total.Rows != want || total != counted {
		t.Fatalf("Sweep runs = %+v (Sweepable said %+v); want %d rows", total, counted, want)
	}
	return total
}

func sweepableRuns(t *testing.T, s industrydata.Store, cutoff industrydata.Cutoff) industrydata.Swept {
	t.Helper()
	got, err := s.Sweepable(t.Context(), industrydata.CleanupRuns, cutoff)
	if err != nil {
		t.Fatalf("Sweepable runs: %v", err)
	}
	return got
}

// wantRuns checks which of runs are still found.
func wantRuns(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, kept map[string]bool) {
	t.Helper()
	for id, keep := range kept {
		_, err := s.GetRun(t.Context(), tenant, id)
		switch {
		case keep && err != nil:
			t.Errorf("GetRun(%s) of a kept run: %v", id, err)
		case !keep:
			if err == nil {
				t.Errorf("GetRun(%s) of a swept run found it", id)
			}
			wantErrIs(t, "GetRun of a swept run", err, industrydata.ErrNotFound)
			_, err = s.ListActivities(t.Context(), tenant, id, industrydata.ListQuery{})
			wantErrIs(t, "ListActivities of a swept run", err, industrydata.ErrNotFound)
		}
	}
}

// farFuture is a cutoff by age that every run of the suite falls under.
var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

func testSweepRunsBeyondKept(t *testing.T, s industrydata.Store) {
	p, q := readyProcess(t, s, tenantA), readyProcess(t, s, tenantA)
	kept := map[string]bool{}
	for i := range 5 {
		r := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Duration(i)*time.Hour), false)
		kept[r.ID] = i >= 3
	}
	// The other process's one run, the oldest of all, is its newest.
	kept[doneRun(t, s, tenantA, q.ID, leaseT0(t).Add(-time.Hour), false).ID] = true
	// Another tenant's run of a process of the same id is ranked apart.
	createProcess(t, s, tenantB, p)
	other := doneRun(t, s, tenantB, p.ID, leaseT0(t).Add(-2*time.Hour), false)
	sweepRunsAll(t, s, industrydata.Cutoff{Keep: 2}, 3)
	wantRuns(t, s, tenantA, kept)
	wantRuns(t, s, tenantB, map[string]bool{other.ID: true})
}

func testSweepRunsByAge(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	old := doneRun(t, s, tenantA, p.ID, leaseT0(t), false)
	recent := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(10*time.Minute), false)
	// old ended at t0+1m, recent at t0+11m.
	sweepRunsAll(t, s, industrydata.Cutoff{Before: leaseT0(t).Add(5 * time.Minute), Keep: 10}, 1)
	wantRuns(t, s, tenantA, map[string]bool{old.ID: false, recent.ID: true})
}

func testSweepRunsKeepsRunning(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	done := doneRun(t, s, tenantA, p.ID, leaseT0(t), false)
	running, _ := startRun(t, s, tenantA, p.ID, leaseT0(t).Add(-time.Hour))
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture, Keep: 1}, 1)
	wantRuns(t, s, tenantA, map[string]bool{done.ID: false, running.ID: true})
	if got := getRun(t, s, tenantA, running.ID); got.Status != industrydata.RunRunning {
		t.Errorf("run in progress after the sweep: %s", got.Status)
	}
}

func testSweepRunsKeepsCurrentReport(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	older := doneRun(t, s, tenantA, p.ID, leaseT0(t), true)
	current := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Hour), true)
	// The newest run has no report: the report before it is the current.
	newest := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(2*time.Hour), false)
	got := sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture}, 2)
	if got.Bytes <= 0 {
		t.Errorf("Sweep runs = %+v; want the bytes of the older report's entries", got)
	}
	wantRuns(t, s, tenantA, map[string]bool{older.ID: false, current.ID: true, newest.ID: false})
	wantNoReport(t, s, tenantA, older.ID)
	if _, err := s.GetUserReport(t.Context(), tenantA, current.ID); err != nil {
		t.Fatalf("GetUserReport of the current report: %v", err)
	}
	checkEntries(t, s, tenantA, current.ID, reportEntries(1, 3))
}

func testSweepRunsKeepsFlowData(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	want := importedOnce(t, s, flow, map[string]string{"users.csv": "current"})
	// A later run whose import failed leaves the flow's data as it was.
	c2, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c2, acts[0], connectorA)
	finishActivity(t, s, c2, acts[0], industrydata.ActivityOutcome{Status: industrydata.ActivityFailed,
		BlockingError: &industrydata.PublicError{Code: "invalidRoster", Message: "no users"}})
	endRun(t, s, c2)
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture}, 1)
	wantRuns(t, s, tenantA, map[string]bool{want.RunID: true, c2.ID: false})
	checkFlowData(t, s, tenantA, want)
	wantContent(t, s, tenantA, want.Files[0].ContentID, "current")
}

func testSweepRunsKeptPerFlow(t *testing.T, s industrydata.Store) {
	f, g := newFlow(t, s, tenantA), newFlow(t, s, tenantA)
	at := func(i int) time.Time { return leaseT0(t).Add(time.Duration(i) * time.Minute) }
	// Runs of no process: only their flows keep them.
	r0 := doneRun(t, s, tenantA, "", at(0), false, newActivity(f.ID, "F"))
	r1 := doneRun(t, s, tenantA, "", at(1), false, newActivity(g.ID, "G"))
	r2 := doneRun(t, s, tenantA, "", at(2), false, newActivity(f.ID, "F"), newActivity(g.ID, "G"))
	r3 := doneRun(t, s, tenantA, "", at(3), false, newActivity(f.ID, "F"))
	// f's newest two are r3 and r2, g's r2 and r1.
	sweepRunsAll(t, s, industrydata.Cutoff{Keep: 2}, 1)
	wantRuns(t, s, tenantA, map[string]bool{r0.ID: false, r1.ID: true, r2.ID: true, r3.ID: true})
}
