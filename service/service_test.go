package service_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
	"industrydata/store/sqlite"
)

const (
	tenantA industrydata.TenantID = "11111111-1111-1111-1111-111111111111"
	tenantB industrydata.TenantID = "22222222-2222-2222-2222-222222222222"
)

// env is a service over a real SQLite store in a temp dir, with a clock
// that moves one second each time it is read.
type env struct {
	svc   *service.Service
	store industrydata.Store
}

var t0 = time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), sqlite.Config{Path: t.TempDir() + "/service.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ticks atomic.Int64
	clock := industrydata.ClockFunc(func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * time.Second) })
	return env{svc: service.New(st, clock, service.Options{}), store: st}
}

// as is the service as an anonymous caller of tenant sees it.
func (e env) as(t *testing.T, tenant industrydata.TenantID) *service.Tenant {
	t.Helper()
	ts, err := e.svc.Tenant(t.Context(), tenant, industrydata.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// process returns the tenant's provisioned userReportRefreshProcess.
func (e env) process(t *testing.T, tenant industrydata.TenantID) industrydata.Process {
	t.Helper()
	e.as(t, tenant)
	ps, err := e.store.ListProcesses(t.Context(), tenant, industrydata.ListQuery{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListProcesses: %v, %v", ps, err)
	}
	return ps[0]
}

// finish ends the run id as a runner would: claim it, complete it.
func (e env) finish(t *testing.T, id string) {
	t.Helper()
	for range 100 {
		c, ok, err := e.store.ClaimJob(t.Context(), "test-runner", t0, time.Hour)
		if err != nil || !ok {
			t.Fatalf("ClaimJob looking for %s: %v, %v", id, ok, err)
		}
		if c.ID != id {
			continue
		}
		err = e.store.FinishRun(t.Context(), c, industrydata.RunOutcome{Status: industrydata.RunCompleted,
			EndDateTime: t0.Add(time.Hour), OperationStatus: industrydata.OperationSucceeded, LastActionDateTime: t0.Add(time.Hour)})
		if err != nil {
			t.Fatalf("FinishRun: %v", err)
		}
		return
	}
	t.Fatalf("run %s never claimed", id)
}

func (e env) counts(t *testing.T, tenant industrydata.TenantID) (runs, ops int64) {
	t.Helper()
	runs, err := e.store.CountRuns(t.Context(), tenant, industrydata.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ops, err = e.store.CountOperations(t.Context(), tenant, industrydata.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return runs, ops
}

// SPEC §4: a run starts only for a ready process with no run in progress.
func TestStartRun(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, e env) string // returns the process id to start
		wantCode string                           // "" for success
	}{
		{"ready process starts a run", func(t *testing.T, e env) string {
			return e.process(t, tenantA).ID
		}, ""},
		{"process not ready is a conflict", func(t *testing.T, e env) string {
			p := e.process(t, tenantA)
			_, err := e.store.UpdateProcess(t.Context(), tenantA, industrydata.Actor{}, p.ID, func(p *industrydata.Process) error {
				p.ReadinessStatus = industrydata.ReadinessNotReady
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}, industrydata.CodeConflict},
		{"run in progress is a conflict", func(t *testing.T, e env) string {
			p := e.process(t, tenantA)
			if _, _, err := e.as(t, tenantA).StartRun(t.Context(), p.ID); err != nil {
				t.Fatal(err)
			}
			return p.ID
		}, industrydata.CodeConflict},
		{"process runs again once its run ended", func(t *testing.T, e env) string {
			p := e.process(t, tenantA)
			r, _, err := e.as(t, tenantA).StartRun(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.finish(t, r.ID)
			return p.ID
		}, ""},
		{"unknown process is not found", func(t *testing.T, e env) string {
			return "00000000-0000-0000-0000-000000000000"
		}, industrydata.CodeItemNotFound},
		{"another tenant's process is not found", func(t *testing.T, e env) string {
			return e.process(t, tenantB).ID
		}, industrydata.CodeItemNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			id := tc.setup(t, e)
			runsBefore, opsBefore := e.counts(t, tenantA)
			run, op, err := e.as(t, tenantA).StartRun(t.Context(), id)
			if code := codeOf(err); code != tc.wantCode {
				t.Fatalf("StartRun: %v, want code %q", err, tc.wantCode)
			}
			runsAfter, opsAfter := e.counts(t, tenantA)
			if tc.wantCode != "" {
				if runsAfter != runsBefore || opsAfter != opsBefore {
					t.Errorf("refused start wrote: runs %d→%d, operations %d→%d", runsBefore, runsAfter, opsBefore, opsAfter)
				}
				return
			}
			if runsAfter != runsBefore+1 || opsAfter != opsBefore+1 {
				t.Errorf("start wrote runs %d→%d, operations %d→%d", runsBefore, runsAfter, opsBefore, opsAfter)
			}
			checkStarted(t, e, id, run, op)
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return industrydata.ErrorCode(err)
}

// checkStarted checks a started run and its operation, and that they are
// stored as returned.
func checkStarted(t *testing.T, e env, processID string, run industrydata.Run, op industrydata.Operation) {
	t.Helper()
	if run.Status != industrydata.RunRunning || run.EndDateTime != nil || run.BlockingError != nil ||
		run.ProcessID != processID || run.OperationID != op.ID || run.DisplayName != industrydata.DefaultUserReportRefreshProcessName {
		t.Errorf("started run %+v", run)
	}
	if op.Status != industrydata.OperationNotStarted || op.Type != schema.LongRunningOperation.FullName() ||
		!op.CreatedDateTime.Equal(run.StartDateTime) || op.LastActionDateTime == nil || op.ResourceLocation != nil {
		t.Errorf("started run's operation %+v", op)
	}
	got, err := e.as(t, tenantA).GetRun(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(run, got); diff != "" {
		t.Errorf("GetRun (-want +got):\n%s", diff)
	}
	gotOp, err := e.as(t, tenantA).GetOperation(t.Context(), op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op, gotOp); diff != "" {
		t.Errorf("GetOperation (-want +got):\n%s", diff)
	}
}

func TestStartRunConcurrent(t *testing.T) {
	e := newEnv(t)
	p := e.process(t, tenantA)
	const n = 16
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			_, _, errs[i] = e.as(t, tenantA).StartRun(t.Context(), p.ID)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch codeOf(err) {
		case "":
			won++
		case industrydata.CodeConflict:
		default:
			t.Errorf("StartRun: %v", err)
		}
	}
	if runs, ops := e.counts(t, tenantA); won != 1 || runs != 1 || ops != 1 {
		t.Errorf("%d of %d starts won, %d runs and %d operations stored; want 1 of each", won, n, runs, ops)
	}
}

// Deleting a process with a run in progress is 409; otherwise its runs go
// with it and their operations stay.
func TestDeleteProcessWithRuns(t *testing.T) {
	e := newEnv(t)
	p := e.process(t, tenantA)
	run, op, err := e.as(t, tenantA).StartRun(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = e.as(t, tenantA).DeleteProcess(t.Context(), p.ID, nil)
	if code := codeOf(err); code != industrydata.CodeConflict {
		t.Fatalf("DeleteProcess with a run in progress: %v, want conflict", err)
	}
	err = e.as(t, tenantA).DeleteProcess(t.Context(), p.ID, service.Precondition{"stale"})
	if code := codeOf(err); code != industrydata.CodePreconditionFailed {
		t.Errorf("DeleteProcess with a stale If-Match: %v, want preconditionFailed first", err)
	}
	e.finish(t, run.ID)
	if err := e.as(t, tenantA).DeleteProcess(t.Context(), p.ID, nil); err != nil {
		t.Fatalf("DeleteProcess after the run ended: %v", err)
	}
	_, err = e.as(t, tenantA).GetRun(t.Context(), run.ID)
	if code := codeOf(err); code != industrydata.CodeItemNotFound {
		t.Errorf("GetRun of a deleted process's run: %v", err)
	}
	if _, err := e.as(t, tenantA).GetOperation(t.Context(), op.ID); err != nil {
		t.Errorf("GetOperation of a deleted process's run: %v", err)
	}
}

// listReq parses raw query options for the runs collection, as httpapi does.
func listReq(t *testing.T, raw map[string]string) *odata.Query {
	t.Helper()
	q, err := odata.Parse(raw, schema.IndustryDataRun, odata.Options{Filter: true, OrderBy: true, Top: true, Count: true, SkipToken: true})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func ids(runs []industrydata.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func TestListRuns(t *testing.T) {
	e := newEnv(t)
	p := e.process(t, tenantA)
	var started []string // oldest first
	for range 4 {
		r, _, err := e.as(t, tenantA).StartRun(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		started = append(started, r.ID)
		if len(started) < 4 {
			e.finish(t, r.ID)
		}
	}
	newest := []string{started[3], started[2], started[1], started[0]}
	tests := []struct {
		name      string
		processID string
		raw       map[string]string
		want      []string
		count     int64
	}{
		{"all runs newest first", "", nil, newest, -1},
		{"a process's runs newest first", p.ID, nil, newest, -1},
		{"explicit order still works", "", map[string]string{"orderby": "startDateTime asc"}, started, -1},
		{"filter on status with count", p.ID, map[string]string{"filter": "status eq 'running'", "count": "true"}, started[3:], 1},
		{"page of two", "", map[string]string{"top": "2"}, newest[:2], -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.as(t, tenantA).ListRuns(t.Context(), tc.processID, listReq(t, tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(page.Items)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if tc.count >= 0 && (page.Count == nil || *page.Count != tc.count) {
				t.Errorf("count %v, want %d", page.Count, tc.count)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		tenant industrydata.TenantID
		id     string
	}{{"unknown process", tenantA, "nope"}, {"another tenant's process", tenantB, p.ID}} {
		_, err := e.as(t, tc.tenant).ListRuns(t.Context(), tc.id, listReq(t, nil))
		if code := codeOf(err); code != industrydata.CodeItemNotFound {
			t.Errorf("%s: %v, want itemNotFound", tc.name, err)
		}
	}
	recent, err := e.as(t, tenantA).RecentRuns(t.Context(), []string{p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newest, ids(recent[p.ID])); diff != "" {
		t.Errorf("RecentRuns (-want +got):\n%s", diff)
	}
	if _, err := e.as(t, tenantB).GetRun(t.Context(), started[0]); codeOf(err) != industrydata.CodeItemNotFound {
		t.Errorf("GetRun from another tenant: %v", err)
	}
}

// The service owns paging: a page's Next token, passed back as the
// $skiptoken of the same query, reads the next page in the same order; in
// another tenant or another query it is refused.
func TestListRunsPagesBySkipToken(t *testing.T) {
	e := newEnv(t)
	p := e.process(t, tenantA)
	var newest []string
	for range 5 {
		r, _, err := e.as(t, tenantA).StartRun(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.finish(t, r.ID)
		newest = append([]string{r.ID}, newest...)
	}
	var walked []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("the walk does not end")
		}
		raw := map[string]string{"top": "2"}
		if token != "" {
			raw["skiptoken"] = token
		}
		page, err := e.as(t, tenantA).ListRuns(t.Context(), "", listReq(t, raw))
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, ids(page.Items)...)
		if page.Next == "" {
			break
		}
		token = page.Next
		if pages == 0 {
			_, err := e.as(t, tenantB).ListRuns(t.Context(), "", listReq(t, map[string]string{"top": "2", "skiptoken": token}))
			if codeOf(err) != industrydata.CodeBadRequest {
				t.Errorf("tenant A's token in tenant B: %v, want badRequest", err)
			}
			_, err = e.as(t, tenantA).ListRuns(t.Context(), "", listReq(t, map[string]string{"top": "2", "skiptoken": token, "orderby": "startDateTime asc"}))
			if codeOf(err) != industrydata.CodeBadRequest {
				t.Errorf("a token with another order: %v, want badRequest", err)
			}
		}
	}
	if d := cmp.Diff(newest, walked); d != "" {
		t.Errorf("runs walked by pages of 2, newest first (-want +got):\n%s", d)
	}
}

// countingStore counts the update transactions the service opens.
type countingStore struct {
	industrydata.Store
	updates atomic.Int64
}

func (s *countingStore) UpdateOperation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, apply func(*industrydata.Operation) error) (industrydata.Operation, error) {
	s.updates.Add(1)
	return s.Store.UpdateOperation(ctx, tenant, actor, id, apply)
}

func (s *countingStore) UpdateProcess(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, apply func(*industrydata.Process) error) (industrydata.Process, error) {
	s.updates.Add(1)
	return s.Store.UpdateProcess(ctx, tenant, actor, id, apply)
}

// A body is bound and checked before the write transaction: one the
// service refuses never opens one (the single writer is not held while a
// large body is decoded), and only the precondition and the apply run
// inside it.
func TestBadBodiesNeverReachTheWriter(t *testing.T) {
	e := newEnv(t)
	st := &countingStore{Store: e.store}
	svc, err := service.New(st, industrydata.SystemClock{}, service.Options{}).Tenant(t.Context(), tenantA, industrydata.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	opBody, _ := schema.ParseBody([]byte(`{"status":"running"}`))
	op, err := svc.CreateOperation(t.Context(), opBody)
	if err != nil {
		t.Fatal(err)
	}
	p := e.process(t, tenantA)
	tests := []struct {
		name   string
		update func(*schema.Body) error
		body   string
		opened int64 // write transactions the request may open
	}{
		{"operation: unknown property", func(b *schema.Body) error {
			_, err := svc.UpdateOperation(t.Context(), op.ID, b, nil)
			return err
		}, `{"colour":"red"}`, 0},
		{"operation: id of another entity", func(b *schema.Body) error {
			_, err := svc.UpdateOperation(t.Context(), op.ID, b, nil)
			return err
		}, `{"id":"other"}`, 0},
		{"process: required property missing", func(b *schema.Body) error {
			_, err := svc.UpdateProcess(t.Context(), p.ID, b, service.Precondition{"*"}, nil)
			return err
		}, `{"displayName":"n"}`, 0},
		{"process: no eTag anywhere", func(b *schema.Body) error {
			_, err := svc.UpdateProcess(t.Context(), p.ID, b, nil, nil)
			return err
		}, `{"displayName":"n","readinessStatus":"ready"}`, 0},
		{"process: stale eTag is judged inside", func(b *schema.Body) error {
			_, err := svc.UpdateProcess(t.Context(), p.ID, b, nil, nil)
			return err
		}, `{"eTag":"stale","displayName":"n","readinessStatus":"ready"}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := schema.ParseBody([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			before := st.updates.Load()
			if err := tc.update(body); err == nil {
				t.Fatal("the update was accepted")
			}
			if opened := st.updates.Load() - before; opened != tc.opened {
				t.Errorf("%d write transactions opened, want %d", opened, tc.opened)
			}
		})
	}
}

func TestStatistics(t *testing.T) {
	counts := func(people, orgs, errs, warns int) *industrydata.InboundCounts {
		return &industrydata.InboundCounts{
			People:        industrydata.EntityCounts{Active: people, Inactive: 1, Total: people + 1},
			Organizations: industrydata.EntityCounts{Active: orgs, Total: orgs},
			Groups:        industrydata.EntityCounts{Active: 2, Inactive: 2, Total: 4},
			Memberships:   industrydata.EntityCounts{Active: 5, Total: 5},
			Errors:        errs, Warnings: warns,
		}
	}
	run := industrydata.Run{ID: "r1", Status: industrydata.RunCompletedWithWarnings}
	acts := []industrydata.RunActivity{
		{ID: "a1", DisplayName: "North", Status: industrydata.ActivityCompleted, Counts: counts(10, 3, 0, 0)},
		{ID: "a2", DisplayName: "South", Status: industrydata.ActivitySkipped},
		{ID: "a3", DisplayName: "East", Status: industrydata.ActivityCompletedWithWarnings, Counts: counts(7, 2, 0, 4)},
		{ID: "a4", DisplayName: "West", Status: industrydata.ActivityFailed, Counts: counts(1, 1, 2, 1)},
	}
	got := service.Statistics(run, acts)
	want := industrydata.RunStatistics{RunID: "r1", Status: industrydata.RunCompletedWithWarnings,
		Activities: []industrydata.ActivityStatistics{
			{ActivityID: "a1", DisplayName: "North", Status: industrydata.ActivityCompleted, Counts: counts(10, 3, 0, 0)},
			{ActivityID: "a2", DisplayName: "South", Status: industrydata.ActivitySkipped},
			{ActivityID: "a3", DisplayName: "East", Status: industrydata.ActivityCompletedWithWarnings, Counts: counts(7, 2, 0, 4)},
			{ActivityID: "a4", DisplayName: "West", Status: industrydata.ActivityFailed, Counts: counts(1, 1, 2, 1)},
		},
		// Active records over every activity that counted; errors and
		// warnings in total.
		Totals: industrydata.InboundTotals{People: 18, Organizations: 6, Groups: 6, Memberships: 15, Errors: 2, Warnings: 5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statistics (-want +got):\n%s", diff)
	}
	if empty := service.Statistics(industrydata.Run{ID: "r2", Status: industrydata.RunRunning}, nil); len(empty.Activities) != 0 || empty.Totals != (industrydata.InboundTotals{}) {
		t.Errorf("a run without activities: %+v", empty)
	}
}
