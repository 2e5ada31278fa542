package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// activityTests check the activities of runs (SPEC §12): inserted with
// their run in the order given, numbered, listed under it like any
// collection, and seen by their tenant only. flows.go checks what their
// imports do.
var activityTests = []test{
	{"a run starts with its activities, in order, numbered from 1", testStartRunActivities},
	{"a run of no process starts, and check is given no process", testStartRunNoProcess},
	{"a run's job carries the payload it was started with", testStartRunPayload},
	{"an activity id twice in one run is ErrDuplicate and starts nothing", testStartRunDuplicateActivity},
	{"activity queries match the reference evaluator", testActivityQueries},
	{"another tenant's activities, and another run's, are not found", testActivityTenantIsolation},
	{"activities cannot be filtered or sorted on complex properties", testActivityUnknownProperty},
}

// newActivity returns an activity in progress of flow flowID, with a
// fresh id.
func newActivity(flowID, displayName string) industrydata.RunActivity {
	return industrydata.RunActivity{ID: newID(), FlowID: flowID, DisplayName: displayName, Status: industrydata.ActivityInProgress}
}

// startRunWith starts a run of the process ("" for none) of tenant with
// activities, with no check, and returns the run and the activities as
// stored.
func startRunWith(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, processID string, activities ...industrydata.RunActivity) (industrydata.Run, []industrydata.RunActivity) {
	t.Helper()
	r, op := newRun(t, leaseT0(t)), newRunOperation(t, leaseT0(t))
	r.ProcessID = processID
	if err := s.StartRun(t.Context(), tenant, who(t.Context()), &r, &op, activities, nil, nil); err != nil {
		t.Fatalf("StartRun with %d activities: %v", len(activities), err)
	}
	return r, activities
}

func listActivities(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) []industrydata.RunActivity {
	t.Helper()
	as, err := s.ListActivities(t.Context(), tenant, runID, q)
	if err != nil {
		t.Fatalf("ListActivities(%+v): %v", q, err)
	}
	return as
}

func getActivity(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID, id string) industrydata.RunActivity {
	t.Helper()
	a, err := s.GetActivity(t.Context(), tenant, runID, id)
	if err != nil {
		t.Fatalf("GetActivity(%s): %v", id, err)
	}
	return a
}

func testStartRunPayload(t *testing.T, s industrydata.Store) {
	r, op := newRun(t, leaseT0(t)), newRunOperation(t, leaseT0(t))
	payload := []byte(`{"roles":["teacher"]}`)
	if err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, nil, payload, nil); err != nil {
		t.Fatal(err)
	}
	payload[2] = 'X' // the store keeps its own copy
	c := mustClaim(t, s, "worker", leaseT0(t))
	if c.Kind != industrydata.JobRun || c.ID != r.ID || string(c.Payload) != `{"roles":["teacher"]}` {
		t.Errorf("claim %+v (payload %q); want the run with its payload", c, c.Payload)
	}
}

func testStartRunActivities(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	skipped := newActivity(newID(), "Inactive flow")
	skipped.Status = industrydata.ActivitySkipped
	skipped.BlockingError = &industrydata.PublicError{Code: "flowInactive", Message: "The flow is \"inactive\".", Target: "state"}
	counted := newActivity(newID(), "Zoë's flow")
	counted.Counts = &industrydata.InboundCounts{People: industrydata.EntityCounts{Active: 1, Total: 2}, Errors: 3}
	given := []industrydata.RunActivity{newActivity(newID(), "First"), skipped, counted}
	want := append([]industrydata.RunActivity(nil), given...)

	r, op := newRun(t, leaseT0(t)), newRunOperation(t, leaseT0(t))
	r.ProcessID = p.ID
	acts := append([]industrydata.RunActivity(nil), given...)
	if err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, acts, nil, nil); err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	for i := range want {
		want[i].RunID, want[i].Seq = r.ID, int64(i+1)
	}
	if diff := cmp.Diff(want, acts); diff != "" {
		t.Errorf("activities as StartRun left them (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, listActivities(t, s, tenantA, r.ID, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListActivities (-want +got):\n%s", diff)
	}
	for _, a := range want {
		if diff := cmp.Diff(a, getActivity(t, s, tenantA, r.ID, a.ID)); diff != "" {
			t.Errorf("GetActivity(%s) (-want +got):\n%s", a.ID, diff)
		}
	}
	if n, err := s.CountActivities(t.Context(), tenantA, r.ID, industrydata.ListQuery{}); err != nil || n != 3 {
		t.Errorf("CountActivities = %d, %v; want 3", n, err)
	}

	// A run of no activities lists none.
	finishRun(t, s, r.ID, leaseT0(t))
	bare, _ := startRunWith(t, s, tenantA, p.ID)
	if got := listActivities(t, s, tenantA, bare.ID, industrydata.ListQuery{}); len(got) != 0 {
		t.Errorf("a run started with no activities lists %+v", got)
	}
}

func testStartRunNoProcess(t *testing.T, s industrydata.Store) {
	r, op := newRun(t, leaseT0(t)), newRunOperation(t, leaseT0(t))
	acts := []industrydata.RunActivity{newActivity(newID(), "Only flow")}
	calls := 0
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, acts, nil, func(p *industrydata.Process, inProgress bool) error {
		calls++
		if p != nil || inProgress {
			t.Errorf("check given %+v, %v; want no process and no run in progress", p, inProgress)
		}
		return nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("StartRun of no process: %v after %d checks", err, calls)
	}
	if r.ProcessID != "" || r.Status != industrydata.RunRunning || r.OperationID != op.ID {
		t.Errorf("started run %+v", r)
	}
	if diff := cmp.Diff(r, getRun(t, s, tenantA, r.ID)); diff != "" {
		t.Errorf("GetRun (-want +got):\n%s", diff)
	}
	c := mustClaim(t, s, "a", leaseT0(t))
	if c.ID != r.ID || c.ProcessID != "" || c.Kind != industrydata.JobRun {
		t.Errorf("claim %+v, want run %s of no process", c, r.ID)
	}
	if diff := cmp.Diff(acts, listActivities(t, s, tenantA, r.ID, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListActivities (-want +got):\n%s", diff)
	}
}

func testStartRunDuplicateActivity(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	a := newActivity(newID(), "Twice")
	r, op := newRun(t, leaseT0(t)), newRunOperation(t, leaseT0(t))
	r.ProcessID = p.ID
	err := s.StartRun(t.Context(), tenantA, who(t.Context()), &r, &op, []industrydata.RunActivity{a, newActivity(newID(), "Other"), a}, nil, nil)
	wantErrIs(t, "StartRun", err, industrydata.ErrDuplicate)
	checkNoRunStarted(t, s, tenantA, r.ID, op.ID)
	_, err = s.GetActivity(t.Context(), tenantA, r.ID, a.ID)
	wantErrIs(t, "GetActivity of the refused run", err, industrydata.ErrNotFound)
	// Nothing of it is in progress either.
	startRunWith(t, s, tenantA, p.ID, a)
}

// activityType declares the properties of a run's activities that stores
// filter and sort on (id, displayName, status), for the reference
// evaluator: the suite's own declaration, which needs nothing else.
var activityType = &schema.EntityType{Namespace: schema.IndustryDataNamespace, Name: "inboundFlowActivity",
	Properties: []*schema.Property{
		{Name: "id", Kind: schema.String, Get: func(e any) any { return e.(*industrydata.RunActivity).ID }},
		{Name: "displayName", Kind: schema.String, Get: func(e any) any { return e.(*industrydata.RunActivity).DisplayName }},
		{Name: "status", Kind: schema.Enum, Get: func(e any) any { return string(e.(*industrydata.RunActivity).Status) }},
	}}

// activityCollection is the activities of each tenant's run runs[tenant].
func activityCollection(runs map[industrydata.TenantID]string) collection[industrydata.RunActivity] {
	return collection[industrydata.RunActivity]{
		typ:      activityType,
		seq:      func(a *industrydata.RunActivity) int64 { return a.Seq },
		typeName: func(*industrydata.RunActivity) string { return "" },
		list: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.RunActivity, error) {
			return s.ListActivities(ctx, tenant, runs[tenant], q)
		},
		count: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
			return s.CountActivities(ctx, tenant, runs[tenant], q)
		},
	}
}

func activityProp(name string) *odata.Property {
	return &odata.Property{Prop: activityType.Property(name)}
}

// seedActivities returns n activities whose names and statuses trip up
// engines (case, prefixes, non-ASCII, quotes, empty), every status used.
func seedActivities(n int) []industrydata.RunActivity {
	names := []string{"Flow 1", "flow 1", "Flow 10", "Zoë", "", "a'b", "Flow 2", "Flow 1"}
	out := make([]industrydata.RunActivity, n)
	for i := range out {
		out[i] = newActivity(newID(), names[i%len(names)])
		out[i].Status = industrydata.ActivityStatus(industrydata.ActivityStatuses[(i*5)%len(industrydata.ActivityStatuses)])
	}
	return out
}

func testActivityQueries(t *testing.T, s industrydata.Store) {
	data := map[industrydata.TenantID][]industrydata.RunActivity{}
	runs := map[industrydata.TenantID]string{}
	for tenant, n := range map[industrydata.TenantID]int{tenantA: 23, tenantB: 9} {
		r, acts := startRunWith(t, s, tenant, "", seedActivities(n)...)
		data[tenant], runs[tenant] = acts, r.ID
		finishRun(t, s, r.ID, leaseT0(t).Add(time.Minute))
	}
	// Another run of tenant A, never listed with the first.
	startRunWith(t, s, tenantA, "", seedActivities(5)...)

	status, name, id := activityProp("status"), activityProp("displayName"), activityProp("id")
	cases := []queryCase{
		{name: "insertion order"},
		{name: "status eq completed", filter: bin(odata.OpEq, status, enum(string(industrydata.ActivityCompleted)))},
		{name: "status ne inProgress, by name", filter: bin(odata.OpNe, status, enum(string(industrydata.ActivityInProgress))),
			orderBy: keys(asc("displayName"))},
		{name: "status in failed, skipped", filter: in(status, enum("failed"), enum("skipped"))},
		{name: "by name descending", orderBy: keys(desc("displayName"))},
		{name: "by status, then name descending", orderBy: keys(asc("status"), desc("displayName"))},
		{name: "startswith Flow 1", filter: call(odata.FuncStartsWith, name, "Flow 1")},
		{name: "contains a quote or ë", filter: or(call(odata.FuncContains, name, "'"), call(odata.FuncContains, name, "ë"))},
		{name: "one id", filter: bin(odata.OpEq, id, str(data[tenantA][4].ID))},
		{name: "not completed, by status descending", filter: not(bin(odata.OpEq, status, enum("completed"))),
			orderBy: keys(desc("status"))},
		{name: "name gt Flow 2", filter: bin(odata.OpGt, name, str("Flow 2")), orderBy: keys(asc("displayName"))},
		{name: "empty name", filter: bin(odata.OpEq, name, str(""))},
	}
	runCases(t, s, activityCollection(runs), data, cases)
}

func testActivityTenantIsolation(t *testing.T, s industrydata.Store) {
	r, acts := startRunWith(t, s, tenantA, "", seedActivities(3)...)
	finishRun(t, s, r.ID, leaseT0(t))
	other, _ := startRunWith(t, s, tenantA, "", seedActivities(1)...)
	for _, tc := range []struct {
		name            string
		tenant          industrydata.TenantID
		runID, activity string
	}{
		{"another tenant's run", tenantB, r.ID, acts[0].ID},
		{"a missing run", tenantA, newID(), acts[0].ID},
		{"a missing activity", tenantA, r.ID, newID()},
		{"another run's activity", tenantA, other.ID, acts[0].ID},
	} {
		_, err := s.GetActivity(t.Context(), tc.tenant, tc.runID, tc.activity)
		wantErrIs(t, "GetActivity of "+tc.name, err, industrydata.ErrNotFound)
		if tc.name == "a missing activity" || tc.name == "another run's activity" {
			continue // the run is there to list
		}
		_, err = s.ListActivities(t.Context(), tc.tenant, tc.runID, industrydata.ListQuery{})
		wantErrIs(t, "ListActivities of "+tc.name, err, industrydata.ErrNotFound)
		_, err = s.CountActivities(t.Context(), tc.tenant, tc.runID, industrydata.ListQuery{})
		wantErrIs(t, "CountActivities of "+tc.name, err, industrydata.ErrNotFound)
	}
}

func testActivityUnknownProperty(t *testing.T, s industrydata.Store) {
	r, _ := startRunWith(t, s, tenantA, "", seedActivities(2)...)
	blocking := &odata.Property{Prop: &schema.Property{Name: "blockingError", Kind: schema.String}}
	for name, q := range map[string]industrydata.ListQuery{
		"filter": {Filter: bin(odata.OpEq, blocking, str("x"))},
		"order":  {OrderBy: keys(asc("blockingError"))},
	} {
		_, err := s.ListActivities(t.Context(), tenantA, r.ID, q)
		if industrydata.ErrorCode(err) != industrydata.CodeBadRequest || !strings.Contains(err.Error(), "blockingError") {
			t.Errorf("%s on blockingError: %v, want a badRequest naming it", name, err)
		}
	}
	_, err := s.CountActivities(t.Context(), tenantA, r.ID, industrydata.ListQuery{Filter: bin(odata.OpEq, blocking, str("x"))})
	if industrydata.ErrorCode(err) != industrydata.CodeBadRequest {
		t.Errorf("count filtered on blockingError: %v, want a badRequest", err)
	}
}
