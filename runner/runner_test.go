package runner_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/internal/flowtest"
	"industrydata/internal/rostergen"
	"industrydata/report"
	"industrydata/runner"
	"industrydata/service"
	"industrydata/store/sqlite"
)

const tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

// fixture is a file-backed store with the tenant provisioned.
type fixture struct {
	store   *sqlite.Store
	svc     *service.Tenant
	process string
	// flow is the inbound flow putRoster made, "" before.
	flow string
}

func newFixture(t *testing.T) *fixture { return newFixtureTB(t) }

func newFixtureTB(t testing.TB) *fixture {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "runner.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc, err := service.New(s, industrydata.SystemClock{}, service.Options{}).Tenant(t.Context(), tenant, industrydata.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	procs, err := s.ListProcesses(t.Context(), tenant, industrydata.ListQuery{})
	if err != nil || len(procs) != 1 {
		t.Fatalf("processes: %v %v", procs, err)
	}
	return &fixture{store: s, svc: svc, process: procs[0].ID}
}

// putRoster gives the tenant an inbound flow of a generated roster of n
// users, ready to be imported.
func (f *fixture) putRoster(t *testing.T, n int) { f.putRosterTB(t, n) }

func (f *fixture) putRosterTB(t testing.TB, n int) {
	t.Helper()
	users := rostergen.Reader(n, rostergen.WriteUsers)
	orgs := rostergen.Reader(n, rostergen.WriteOrgs)
	defer users.Close()
	defer orgs.Close()
	f.flow = flowtest.Ready(t, f.store, tenant, "Rostering", flowtest.Roster(users, orgs))
}

// start starts a run of runs/start: the flows' imports, then the report.
func (f *fixture) start(t *testing.T) (industrydata.Run, industrydata.Operation) {
	t.Helper()
	run, op, err := f.svc.StartAllRuns(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return run, op
}

// execute runs a runner over store until the run has ended, and returns the
// run and its operation.
func (f *fixture) execute(t *testing.T, cfg runner.Config, runID string) (industrydata.Run, industrydata.Operation) {
	return f.executeTB(t, cfg, runID)
}

func (f *fixture) executeTB(t testing.TB, cfg runner.Config, runID string) (industrydata.Run, industrydata.Operation) {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = f.store
	}
	cfg.Poll = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.New(cfg).Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	run := f.waitEnded(t, runID)
	op, err := f.store.GetOperation(t.Context(), tenant, run.OperationID)
	if err != nil {
		t.Fatal(err)
	}
	return run, op
}

// waitEnded polls until the run is no longer running (bounded).
func (f *fixture) waitEnded(t testing.TB, runID string) industrydata.Run {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		run, err := f.store.GetRun(t.Context(), tenant, runID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != industrydata.RunRunning {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still running after 60s", runID)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// entries reads every stored entry of the run's report.
func (f *fixture) entries(t *testing.T, runID string) []industrydata.UserReportEntry {
	t.Helper()
	var all []industrydata.UserReportEntry
	q := industrydata.ListQuery{Limit: 1000}
	for {
		page, err := f.store.ListReportEntries(t.Context(), tenant, runID, q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			return all
		}
		q.After = &industrydata.Cursor{Seq: page[len(page)-1].Seq}
	}
}

// expected builds the report of the flow of a generated roster directly.
func (f *fixture) expected(t *testing.T, n int) (industrydata.UserReportSummary, []industrydata.UserReportEntry) {
	t.Helper()
	var want []industrydata.UserReportEntry
	src := report.Source{FlowID: f.flow,
		OpenOrgs:  func() (io.ReadCloser, error) { return rostergen.Reader(n, rostergen.WriteOrgs), nil },
		OpenUsers: func() (io.ReadCloser, error) { return rostergen.Reader(n, rostergen.WriteUsers), nil }}
	sum, err := report.Build(t.Context(), []report.Source{src}, report.SinkFunc(func(e industrydata.UserReportEntry) error {
		e.Seq = int64(len(want) + 1)
		want = append(want, e)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return sum, want
}

func TestRunStoresTheReportAndEndsItsOperation(t *testing.T) {
	f := newFixture(t)
	const n = 12_345
	f.putRoster(t, n)
	run, op := f.start(t)
	if op.Status != industrydata.OperationNotStarted {
		t.Fatalf("operation before the runner: %s, want notStarted", op.Status)
	}
	got, gotOp := f.execute(t, runner.Config{BatchSize: 1000}, run.ID)

	wantSum, wantEntries := f.expected(t, n)
	if got.Status != industrydata.RunCompletedWithErrors || got.EndDateTime == nil || got.BlockingError != nil {
		t.Errorf("run: status %s end %v blocking %v; want completedWithErrors (the roster has users with issues), an end, no error",
			got.Status, got.EndDateTime, got.BlockingError)
	}
	if gotOp.Status != industrydata.OperationSucceeded {
		t.Errorf("operation status %s, want succeeded", gotOp.Status)
	}
	wantDetail := fmt.Sprintf("Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked %d of %d users; %d with issues.", n, n, wantSum.UsersWithIssues)
	if gotOp.StatusDetail == nil || *gotOp.StatusDetail != wantDetail {
		t.Errorf("statusDetail %v, want %q", gotOp.StatusDetail, wantDetail)
	}
	// A path from the service's root: the HTTP layer makes it absolute for
	// each reader.
	wantLoc := "/beta/industryData/processes/" + f.process + "/runs/" + run.ID + "/userReport"
	if gotOp.ResourceLocation == nil || *gotOp.ResourceLocation != wantLoc {
		t.Errorf("resourceLocation %v, want %s", gotOp.ResourceLocation, wantLoc)
	}
	if gotOp.LastActionDateTime == nil || gotOp.LastActionDateTime.Before(*got.EndDateTime) {
		t.Errorf("lastActionDateTime %v does not follow the end %v", gotOp.LastActionDateTime, got.EndDateTime)
	}
	rep, err := f.store.GetUserReport(t.Context(), tenant, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSum, rep.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantEntries, f.entries(t, run.ID)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestRunWithoutRosterCompletesWithWarnings(t *testing.T) {
	f := newFixture(t)
	run, _ := f.start(t)
	got, op := f.execute(t, runner.Config{}, run.ID)
	if got.Status != industrydata.RunCompletedWithWarnings || op.Status != industrydata.OperationSucceeded {
		t.Fatalf("run %s, operation %s; want completedWithWarnings, succeeded", got.Status, op.Status)
	}
	if op.StatusDetail == nil || !strings.Contains(*op.StatusDetail, "No roster has been uploaded") {
		t.Errorf("statusDetail %v does not say no roster was uploaded", op.StatusDetail)
	}
	rep, err := f.store.GetUserReport(t.Context(), tenant, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalUsers != 0 || len(f.entries(t, run.ID)) != 0 {
		t.Errorf("report of no roster: %+v, want empty", rep.Summary)
	}
}

// A flow whose files no longer pass the checks is not imported: its
// activity fails naming the place, the run goes on, and the report reads
// what the flows held before (here nothing).
func TestImportOfBrokenFilesFailsNamingThePlace(t *testing.T) {
	f := newFixture(t)
	// users.csv without its role column.
	users := "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
	orgs := "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
	f.flow = flowtest.Ready(t, f.store, tenant, "Broken", flowtest.Roster(strings.NewReader(users), strings.NewReader(orgs)))
	run, _ := f.start(t)
	got, op := f.execute(t, runner.Config{}, run.ID)
	if got.Status != industrydata.RunCompletedWithErrors || op.Status != industrydata.OperationSucceeded {
		t.Fatalf("run %s, operation %s; want completedWithErrors, succeeded", got.Status, op.Status)
	}
	acts, err := f.store.ListActivities(t.Context(), tenant, run.ID, industrydata.ListQuery{})
	if err != nil || len(acts) != 1 {
		t.Fatalf("activities %+v %v", acts, err)
	}
	be := acts[0].BlockingError
	if acts[0].Status != industrydata.ActivityFailed || be == nil || be.Code != "invalidFiles" ||
		!strings.Contains(be.Message, "users.csv, line 1") || !strings.Contains(be.Message, "role") {
		t.Errorf("activity %s, blockingError %+v; want failed, invalidFiles naming users.csv line 1 and the role column", acts[0].Status, be)
	}
	if data, err := f.store.FlowData(t.Context(), tenant); err != nil || len(data) != 0 {
		t.Errorf("flow data after a failed import: %+v %v; want none", data, err)
	}
	if op.StatusDetail == nil || !strings.Contains(*op.StatusDetail, "No roster has been uploaded") {
		t.Errorf("statusDetail %v; want the report of no roster", op.StatusDetail)
	}
}

// A failed import leaves the flow's data as it was, which the report and a
// run of the process alone go on reading.
func TestFailedImportKeepsThePreviousData(t *testing.T) {
	f := newFixture(t)
	const n = 500
	f.putRoster(t, n)
	first, _ := f.start(t)
	f.execute(t, runner.Config{}, first.ID)
	_, want := f.expected(t, n)

	// New files that no longer pass: an unknown org type.
	orgs := "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-x,active,2025-01-01,X,galaxy,,\n"
	users := "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
	flowtest.Validate(t, f.store, tenant, flowtest.ConnectorOf(t, f.store, tenant, f.flow), flowtest.Roster(strings.NewReader(users), strings.NewReader(orgs)))
	second, _ := f.start(t)
	got, _ := f.execute(t, runner.Config{}, second.ID)
	if got.Status != industrydata.RunCompletedWithErrors {
		t.Fatalf("second run %s, want completedWithErrors", got.Status)
	}
	if diff := cmp.Diff(want, f.entries(t, second.ID)); diff != "" {
		t.Errorf("the second run's report is not the first data's (-want +got):\n%s", diff)
	}
	alone, _, err := f.svc.StartRun(t.Context(), f.process)
	if err != nil {
		t.Fatal(err)
	}
	f.execute(t, runner.Config{}, alone.ID)
	if diff := cmp.Diff(want, f.entries(t, alone.ID)); diff != "" {
		t.Errorf("the process's own run does not read the flow's current data (-want +got):\n%s", diff)
	}
	if acts, err := f.store.ListActivities(t.Context(), tenant, alone.ID, industrydata.ListQuery{}); err != nil || len(acts) != 0 {
		t.Errorf("a run of the process alone has activities %+v %v", acts, err)
	}
}

// orphan claims the run as a runner that then dies, at a time long past so
// that its lease has expired, and leaves some entries behind.
func (f *fixture) orphan(t *testing.T, owner string, at time.Time) industrydata.JobClaim {
	t.Helper()
	c, ok, err := f.store.ClaimJob(t.Context(), owner, at, time.Second)
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	junk := []industrydata.UserReportEntry{{SourcedID: "junk", Seq: 1}, {SourcedID: "junk-2", Seq: 2}}
	if err := f.store.AppendReportEntries(t.Context(), c, junk); err != nil && !errors.Is(err, industrydata.ErrLeaseLost) {
		t.Fatal(err)
	}
	return c
}

func TestOrphanedRunIsResumedFromTheStart(t *testing.T) {
	f := newFixture(t)
	const n = 3000
	f.putRoster(t, n)
	run, _ := f.start(t)
	f.orphan(t, "dead-runner", time.Now().Add(-time.Hour))
	got, op := f.execute(t, runner.Config{Owner: "survivor", BatchSize: 500}, run.ID)
	if got.Status != industrydata.RunCompletedWithErrors || op.Status != industrydata.OperationSucceeded {
		t.Fatalf("resumed run %s, operation %s", got.Status, op.Status)
	}
	_, want := f.expected(t, n)
	if diff := cmp.Diff(want, f.entries(t, run.ID)); diff != "" {
		t.Errorf("entries of the resumed run (-want +got):\n%s", diff)
	}
}

func TestRunInterruptedTooOftenFails(t *testing.T) {
	f := newFixture(t)
	f.putRoster(t, 100)
	run, _ := f.start(t)
	past := time.Now().Add(-time.Hour)
	f.orphan(t, "dead-1", past)
	if _, ok, err := f.store.ClaimJob(t.Context(), "dead-2", past.Add(time.Minute), time.Second); err != nil || !ok {
		t.Fatalf("second claim: %v %v", ok, err)
	}
	got, op := f.execute(t, runner.Config{MaxAttempts: 2}, run.ID)
	if got.Status != industrydata.RunFailed || op.Status != industrydata.OperationFailed {
		t.Fatalf("run %s, operation %s; want failed", got.Status, op.Status)
	}
	if be := got.BlockingError; be == nil || be.Code != industrydata.RunErrorInterrupted || !strings.Contains(be.Message, "interrupted 2 times") {
		t.Errorf("blockingError %+v, want runInterrupted after 2 interruptions", be)
	}
}

// gatedStore holds every AppendReportEntries until the gate opens, and
// says when the first one arrives.
type gatedStore struct {
	*sqlite.Store
	arrived chan struct{}
	gate    chan struct{}
	once    sync.Once
	first   chan error // the first write's result
	sent    sync.Once
}

func newGatedStore(s *sqlite.Store) *gatedStore {
	return &gatedStore{Store: s, arrived: make(chan struct{}), gate: make(chan struct{}), first: make(chan error, 1)}
}

func (g *gatedStore) AppendReportEntries(ctx context.Context, c industrydata.JobClaim, e []industrydata.UserReportEntry) error {
	g.once.Do(func() { close(g.arrived) })
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	err := g.Store.AppendReportEntries(ctx, c, e)
	g.sent.Do(func() { g.first <- err })
	return err
}

func TestShutdownGivesTheRunBack(t *testing.T) {
	f := newFixture(t)
	const n = 2000
	f.putRoster(t, n)
	run, _ := f.start(t)
	g := newGatedStore(f.store)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.New(runner.Config{Store: g, Owner: "stopping", BatchSize: 100, Poll: time.Millisecond}).Run(ctx)
	}()
	<-g.arrived
	cancel() // SIGTERM, in the middle of the run
	<-done

	still, err := f.store.GetRun(t.Context(), tenant, run.ID)
	if err != nil || still.Status != industrydata.RunRunning {
		t.Fatalf("after shutdown the run is %s (%v), want still running", still.Status, err)
	}
	// Given back: claimable at once, long before its lease would expire.
	c, ok, err := f.store.ClaimJob(t.Context(), "probe", time.Now(), time.Second)
	if err != nil || !ok || c.ID != run.ID {
		t.Fatalf("claim after shutdown: %+v %v %v; want the run, free at once", c, ok, err)
	}
	if err := f.store.ReleaseLease(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	got, _ := f.execute(t, runner.Config{Owner: "next-start"}, run.ID)
	if got.Status != industrydata.RunCompletedWithErrors {
		t.Fatalf("resumed run %s", got.Status)
	}
	_, want := f.expected(t, n)
	if diff := cmp.Diff(want, f.entries(t, run.ID)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestRunnerThatLostItsLeaseWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.putRoster(t, 2000)
	run, _ := f.start(t)
	g := newGatedStore(f.store)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Its clock is an hour slow, so its lease has expired for everyone
		// else from the start: a runner that stalled.
		slow := func() time.Time { return time.Now().Add(-time.Hour) }
		runner.New(runner.Config{Store: g, Owner: "stalled", BatchSize: 100, Now: slow, LeaseTTL: time.Minute}).Run(ctx)
	}()
	<-g.arrived
	taker, ok, err := f.store.ClaimJob(t.Context(), "taker", time.Now(), time.Hour)
	if err != nil || !ok || taker.ID != run.ID {
		t.Fatalf("take over: %+v %v %v", taker, ok, err)
	}
	close(g.gate) // the stalled runner wakes up and tries to go on
	if err := <-g.first; !errors.Is(err, industrydata.ErrLeaseLost) {
		t.Fatalf("the stalled runner's first write: %v, want ErrLeaseLost", err)
	}
	// Run returns once its executions have: anything the stalled runner
	// wrote after losing the lease is in the store by then.
	cancel()
	<-done
	if _, err := f.store.RenewLease(t.Context(), taker, time.Now(), time.Hour); err != nil {
		t.Fatalf("the taker lost the run: %v", err)
	}
	got, err := f.store.GetRun(t.Context(), tenant, run.ID)
	if err != nil || got.Status != industrydata.RunRunning {
		t.Fatalf("run %s (%v); the stalled runner must not have ended it", got.Status, err)
	}
}

// progressStore records every statusDetail written and slows the entries
// down, so that the heartbeat beats during the build.
type progressStore struct {
	*sqlite.Store
	mu      sync.Mutex
	details []string
}

func (p *progressStore) UpdateJobProgress(ctx context.Context, c industrydata.JobClaim, detail string, now time.Time) error {
	p.mu.Lock()
	p.details = append(p.details, detail)
	p.mu.Unlock()
	return p.Store.UpdateJobProgress(ctx, c, detail, now)
}

func (p *progressStore) AppendReportEntries(ctx context.Context, c industrydata.JobClaim, e []industrydata.UserReportEntry) error {
	time.Sleep(5 * time.Millisecond)
	return p.Store.AppendReportEntries(ctx, c, e)
}

func TestProgressIsReportedWhileTheRunWorks(t *testing.T) {
	f := newFixture(t)
	const n = 5000
	f.putRoster(t, n)
	run, _ := f.start(t)
	p := &progressStore{Store: f.store}
	f.execute(t, runner.Config{Store: p, BatchSize: 100, ProgressEvery: 250, ProgressInterval: 2 * time.Millisecond}, run.ID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.details) == 0 || p.details[0] != "Started." {
		t.Fatalf("details %q; want the start first", p.details)
	}
	if !slices.ContainsFunc(p.details, func(d string) bool { return strings.HasPrefix(d, "Importing the inbound flow 'Rostering' (1 of 1)") }) {
		t.Errorf("the import is not named while it runs: %q", p.details)
	}
	midway := slices.ContainsFunc(p.details, func(d string) bool {
		var done, total int
		_, err := fmt.Sscanf(d, "Checked %d of %d users.", &done, &total)
		return err == nil && total == n && done > 0 && done < n
	})
	if !midway {
		t.Errorf("no progress written midway through checking: %q", p.details)
	}
}
