package client_test

import (
	"bufio"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata/client"
	"industrydata/internal/servetest"
	"industrydata/throttle"
)

// newClient is a client of srv for tenant ("" for servetest.Tenant), with
// every permission.
func newClient(t *testing.T, srv *servetest.Server, tenant string, opts client.Options) *client.Client {
	t.Helper()
	opts.Token = client.StaticToken(srv.Token(t, tenant))
	c, err := client.New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect gathers an iterator's entities, failing the test on an error.
func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// The README's walkthrough through the client against the real service:
// the import surface, the sample roster uploaded with the Azure SDK,
// validation, runs/start, statistics, activities and the report.
func TestRosterToReport(t *testing.T) {
	srv := servetest.Start(t, servetest.Options{})
	c := newClient(t, srv, "", client.Options{PollInterval: 10 * time.Millisecond})
	ctx := t.Context()

	ss, err := c.SourceSystems().Create(ctx, client.SourceSystem{DisplayName: "District SIS", Vendor: client.Ptr("Contoso")})
	if err != nil || ss.ID == "" || ss.Version == "" || *ss.Vendor != "Contoso" {
		t.Fatalf("create source system: %+v, %v", ss, err)
	}
	year, err := c.Years().Create(ctx, client.Year{DisplayName: "2025-2026", StartDate: "2025-09-01", EndDate: "2026-06-30", Year: client.Code("2026")})
	if err != nil || year.Year.Code != "2026" {
		t.Fatalf("create year: %+v, %v", year, err)
	}
	conn, err := c.DataConnectors().Create(ctx, client.DataConnector{DisplayName: "CSV drop", SourceSystemBind: client.Bind("sourceSystems", ss.ID)})
	if err != nil || conn.ODataType != "#microsoft.graph.industryData.azureDataLakeConnector" {
		t.Fatalf("create connector: %+v, %v", conn, err)
	}
	flow, err := c.InboundFlows().Create(ctx, client.InboundFlow{
		DisplayName: "Rostering", DataDomain: "educationRostering",
		EffectiveDateTime: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC),
		DataConnectorBind: client.Bind("dataConnectors", conn.ID), YearBind: client.Bind("years", year.ID),
	})
	if err != nil || flow.ReadinessStatus != client.ReadinessNotReady || flow.ExpirationDateTime != nil {
		t.Fatalf("create flow: %+v, %v", flow, err)
	}

	session, err := c.GetUploadSession(ctx, conn.ID, false)
	if err != nil || session.SessionURL == "" {
		t.Fatalf("getUploadSession: %+v, %v", session, err)
	}
	var mu sync.Mutex
	progressed := map[string]int64{}
	up, err := c.UploadRoster(ctx, session.SessionURL, "../testdata/roster", &client.UploadOptions{MaxRetries: -1,
		Progress: func(name string, sent, size int64) {
			mu.Lock()
			progressed[name] = max(progressed[name], sent)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range up.Files {
		names = append(names, f.Name)
		if progressed[f.Name] != f.Size || f.Size == 0 {
			t.Errorf("%s: %d bytes, progress reached %d", f.Name, f.Size, progressed[f.Name])
		}
	}
	if got := strings.Join(names, ","); got != "academicSessions.csv,classes.csv,courses.csv,enrollments.csv,orgs.csv,users.csv" || len(up.Skipped) != 0 {
		t.Errorf("uploaded %s, skipped %v", got, up.Skipped)
	}

	loc, err := c.Validate(ctx, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []client.OperationStatus
	val, err := c.WaitForOperation(ctx, loc, func(op client.Operation) { statuses = append(statuses, op.Status) })
	if err != nil || val.Status != client.OperationSucceeded || len(val.Warnings) != 7 || len(val.Errors) != 0 {
		t.Fatalf("validation: %+v, %v", val, err)
	}
	if statuses[len(statuses)-1] != client.OperationSucceeded || val.ODataType != "#microsoft.graph.industryData.fileValidateOperation" {
		t.Errorf("progress %v, type %s", statuses, val.ODataType)
	}
	if file, line, col, ok := val.Warnings[0].Place(); !ok || !strings.HasSuffix(file, ".csv") || line < 1 || col < 0 {
		t.Errorf("warning %+v: place %s %d %d %v", val.Warnings[0], file, line, col, ok)
	}
	if !slices.Equal(val.ValidatedFiles, names) {
		t.Errorf("validatedFiles %v", val.ValidatedFiles)
	}
	flows := collect(t, c.InboundFlows().List(ctx, &client.Query{Expand: []string{"dataConnector", "year"}}))
	if len(flows) != 1 || flows[0].ReadinessStatus != client.ReadinessReady || flows[0].DataConnector.ID != conn.ID || flows[0].Year.ID != year.ID {
		t.Fatalf("flows after validation: %+v", flows)
	}

	started, err := c.StartRuns(ctx)
	if err != nil || started.Run.Status != "running" || started.OperationLocation == "" {
		t.Fatalf("runs/start: %+v, %v", started, err)
	}
	op, err := c.WaitForOperation(ctx, started.OperationLocation, nil)
	if err != nil || op.Status != client.OperationSucceeded {
		t.Fatalf("run: %+v, %v", op, err)
	}
	if !strings.HasPrefix(op.Detail(), "Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 296 of 296 users; 7 with issues.") {
		t.Errorf("statusDetail %q", op.Detail())
	}
	run, err := c.Runs().Get(ctx, started.Run.ID)
	if err != nil || run.Status != "completedWithErrors" || run.EndDateTime == nil {
		t.Errorf("the run: %+v, %v", run, err)
	}
	stats, err := c.RunStats(ctx, run.ID)
	if err != nil || stats.InboundTotals.People != 294 || len(stats.ActivityStatistics) != 1 || stats.ActivityStatistics[0].People.Total != 296 {
		t.Errorf("statistics: %+v, %v", stats, err)
	}
	if latest, err := c.RunStats(ctx, ""); err != nil || latest.RunID != run.ID {
		t.Errorf("latest statistics: %+v, %v", latest, err)
	}
	acts := collect(t, c.RunActivities(run.ID).List(ctx, &client.Query{Expand: []string{"activity"}}))
	if len(acts) != 1 || acts[0].Status != "completedWithWarnings" || acts[0].Flow == nil || acts[0].Flow.ID != flow.ID {
		t.Errorf("activities: %+v", acts)
	}

	ref, err := client.ParseReportLocation(op.Location())
	if err != nil || ref.RunID != run.ID {
		t.Fatalf("report location %q: %+v, %v", op.Location(), ref, err)
	}
	rep, err := c.UserReport(ctx, ref)
	if err != nil || rep.Summary.TotalUsers != 296 || rep.Summary.UsersWithIssues != 7 || len(rep.Summary.UsersByOrg) != 4 {
		t.Errorf("report: %+v, %v", rep, err)
	}
	missing := collect(t, c.UserReportEntries(ctx, ref, &client.Query{Filter: "issues/any(i: i eq 'missingEmail')"}))
	if len(missing) != 1 || missing[0].SourcedID != "t-0004" || missing[0].InboundFlowID != flow.ID {
		t.Errorf("entries missing an email: %+v", missing)
	}
	all := collect(t, c.UserReportEntries(ctx, ref, &client.Query{Top: 50}))
	if n, err := c.CountUserReportEntries(ctx, ref, ""); len(all) != 296 || err != nil || n != 296 {
		t.Errorf("%d entries over pages of 50, $count %d %v; want 296", len(all), n, err)
	}
	csv, err := c.UserReportCSV(ctx, ref, &client.Query{Filter: "role eq 'teacher'"})
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(csv)
	for sc.Scan() {
		if lines == 0 && sc.Text() != "sourcedId,username,role,orgSourcedIds,isActive,issues,inboundFlowId" {
			t.Errorf("CSV header %q", sc.Text())
		}
		lines++
	}
	csv.Close()
	if sc.Err() != nil || lines != 25 {
		t.Errorf("CSV of teachers: %d lines, %v; want the header and 24", lines, sc.Err())
	}
}

// Operations and processes: every write the API serves, the answers'
// versions, and Graph errors as *client.Error.
func TestOperationsAndProcesses(t *testing.T) {
	srv := servetest.Start(t, servetest.Options{NoWorkers: true})
	c := newClient(t, srv, "", client.Options{})
	ctx := t.Context()

	for i := range 5 {
		if _, err := c.Operations().Create(ctx, client.Operation{StatusDetail: client.Ptr(strings.Repeat("x", i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	ops := collect(t, c.Operations().List(ctx, &client.Query{Top: 2, OrderBy: "createdDateTime desc", Select: []string{"statusDetail"}}))
	if len(ops) != 5 || ops[0].Detail() != "xxxxx" || ops[4].Detail() != "x" {
		t.Fatalf("operations over pages of 2: %+v", ops)
	}
	if n, err := c.Operations().Count(ctx, "startswith(statusDetail,'xxx')"); n != 3 || err != nil {
		t.Errorf("count %d, %v", n, err)
	}
	op, err := c.Operations().Get(ctx, ops[0].ID)
	if err != nil || op.Version == "" || op.Status != client.OperationNotStarted {
		t.Fatalf("get: %+v, %v", op, err)
	}
	at := time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)
	upd, err := c.Operations().Update(ctx, op.ID, client.OperationUpdate{
		Status: client.Some(client.OperationRunning), StatusDetail: client.Null[string](), LastActionDateTime: client.Some(at),
	}, client.IfMatch(op.Version))
	if err != nil || upd.Status != client.OperationRunning || upd.StatusDetail != nil || !upd.LastActionDateTime.Equal(at) || upd.Version == op.Version {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	_, err = c.Operations().Update(ctx, op.ID, client.OperationUpdate{Status: client.Some(client.OperationFailed)}, client.IfMatch(op.Version))
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != 412 || e.Code != "preconditionFailed" || e.RequestID == "" || e.ClientRequestID == "" {
		t.Errorf("stale If-Match: %#v", err)
	}
	if err := c.Operations().Delete(ctx, op.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Operations().Get(ctx, op.ID)
	if !errors.As(err, &e) || e.StatusCode != 404 || e.Code != "itemNotFound" || !strings.Contains(e.Message, op.ID) {
		t.Errorf("get after delete: %#v", err)
	}
	_, err = c.Operations().Create(ctx, client.Operation{Status: "sleeping"})
	if !errors.As(err, &e) || e.StatusCode != 400 || e.Target != "status" {
		t.Errorf("bad status: %#v", err)
	}

	procs := collect(t, c.Processes().List(ctx, nil))
	if len(procs) != 1 || procs[0].ReadinessStatus != client.ReadinessReady || procs[0].ETag == "" {
		t.Fatalf("processes: %+v", procs)
	}
	p := procs[0]
	p.DisplayName = "Nightly roster refresh"
	p2, err := c.Processes().Update(ctx, p.ID, p)
	if err != nil || p2.DisplayName != "Nightly roster refresh" || p2.ETag == p.ETag || p2.Version != `"`+p2.ETag+`"` {
		t.Fatalf("process update: %+v, %v", p2, err)
	}
	if _, err := c.Processes().Update(ctx, p.ID, p); !errors.As(err, &e) || e.StatusCode != 412 {
		t.Errorf("process update with a stale eTag: %v", err)
	}
	// No worker here: the run stays running, and a second start is 409.
	started, err := c.StartProcessRun(ctx, p.ID)
	if err != nil || started.Run.DisplayName != "Nightly roster refresh" {
		t.Fatalf("start: %+v, %v", started, err)
	}
	if _, err := c.StartProcessRun(ctx, p.ID); !errors.As(err, &e) || e.StatusCode != 409 {
		t.Errorf("second start: %v", err)
	}
	runs := collect(t, c.ProcessRuns(ctx, p.ID, nil))
	if len(runs) != 1 || runs[0].ID != started.Run.ID {
		t.Errorf("process runs: %+v", runs)
	}
	got, err := c.GetOperationAt(ctx, started.OperationLocation)
	if err != nil || got.Status != client.OperationNotStarted {
		t.Errorf("the run's operation: %+v, %v", got, err)
	}
	if again, err := c.Processes().Get(ctx, p.ID); err != nil || again.ETag != p2.ETag {
		t.Errorf("get process: %+v, %v", again, err)
	}
}

// The import surface's reference definitions and role groups, and the
// 409 of a delete another entity refers to.
func TestImportSurfaceSets(t *testing.T) {
	srv := servetest.Start(t, servetest.Options{NoWorkers: true})
	c := newClient(t, srv, "", client.Options{})
	ctx := t.Context()

	def, err := c.ReferenceDefinitions().Create(ctx, client.ReferenceDefinition{ReferenceType: "RefGradeLevel", Code: "KG2", DisplayName: client.Ptr("Kindergarten 2")})
	if err != nil || def.ID != "RefGradeLevel-KG2" || def.Source != "tenant" {
		t.Fatalf("create definition: %+v, %v", def, err)
	}
	def, err = c.ReferenceDefinitions().Update(ctx, def.ID, client.ReferenceDefinition{IsDisabled: client.Ptr(true), SortIndex: client.Ptr[int32](7)})
	if err != nil || !*def.IsDisabled || *def.SortIndex != 7 {
		t.Fatalf("update definition: %+v, %v", def, err)
	}
	roles := collect(t, c.ReferenceDefinitions().List(ctx, &client.Query{Filter: "referenceType eq 'RefRole'", Top: 3}))
	if len(roles) != 8 {
		t.Errorf("%d RefRole definitions, want 8", len(roles))
	}
	rg, err := c.RoleGroups().Create(ctx, client.RoleGroup{DisplayName: "Staff", Roles: []client.ReferenceValue{{Code: "teacher"}}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := c.SourceSystems().Create(ctx, client.SourceSystem{DisplayName: "SIS", UserMatchingSettings: []client.UserMatchingSetting{{
		RoleGroupBind: client.Bind("roleGroups", rg.ID), MatchTarget: client.Code("mail"), PriorityOrder: 1, SourceIdentifier: client.Code("email"),
	}}})
	if err != nil || len(ss.UserMatchingSettings) != 1 || ss.UserMatchingSettings[0].MatchTarget.Code != "mail" {
		t.Fatalf("create source system: %+v, %v", ss, err)
	}
	var e *client.Error
	if err := c.RoleGroups().Delete(ctx, rg.ID); !errors.As(err, &e) || e.StatusCode != 409 {
		t.Errorf("delete a role group a source system names: %v", err)
	}
	ss, err = c.SourceSystems().Update(ctx, ss.ID, map[string]any{"vendor": nil, "userMatchingSettings": []any{}}, client.IfMatch(ss.Version))
	if err != nil || ss.Vendor != nil || len(ss.UserMatchingSettings) != 0 {
		t.Fatalf("update source system: %+v, %v", ss, err)
	}
	if err := c.RoleGroups().Delete(ctx, rg.ID); err != nil {
		t.Errorf("delete the role group: %v", err)
	}
	if n, err := c.SourceSystems().Count(ctx, ""); n != 1 || err != nil {
		t.Errorf("count %d, %v", n, err)
	}
}

// The service's own throttle: a 429 with Retry-After, which the client
// waits out on the throttle's clock and then goes through.
func TestThrottledRequestsAreRetried(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	srv := servetest.Start(t, servetest.Options{NoWorkers: true, Throttle: throttle.Config{Rate: 0.5, Burst: 1, Now: clock}})
	var waits []time.Duration
	c := newClient(t, srv, "", client.Options{Sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		now = now.Add(d)
		return ctx.Err()
	}})
	for i := range 3 {
		if _, err := c.Operations().Create(t.Context(), client.Operation{}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if !slices.Equal(waits, []time.Duration{2 * time.Second, 2 * time.Second}) {
		t.Errorf("waits %v, want two of 2s (the rate is one request every 2s)", waits)
	}
}

// A token of one tenant does not see another's entities: 404, as Graph.
func TestTenantsAreApart(t *testing.T) {
	srv := servetest.Start(t, servetest.Options{NoWorkers: true})
	a := newClient(t, srv, "", client.Options{})
	b := newClient(t, srv, "d2d2d2d2-0000-4000-8000-000000000002", client.Options{})
	op, err := a.Operations().Create(t.Context(), client.Operation{})
	if err != nil {
		t.Fatal(err)
	}
	var e *client.Error
	if _, err := b.Operations().Get(t.Context(), op.ID); !errors.As(err, &e) || e.StatusCode != 404 {
		t.Errorf("another tenant's operation: %v", err)
	}
	if n, err := b.Operations().Count(t.Context(), ""); n != 0 || err != nil {
		t.Errorf("another tenant counts %d, %v", n, err)
	}
}
