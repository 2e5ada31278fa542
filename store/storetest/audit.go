package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
)

var auditTests = []test{
	{"each write appends a record per entity, with its actor and changes", testAuditWrites},
	{"failed apply or check appends nothing", testAuditRejected},
	{"rolled-back write appends nothing", testAuditRolledBack},
	{"provisioning appends once, with its actor", testAuditProvision},
	{"runner writes append nothing", testAuditRunner},
	{"tenant filter keeps one tenant's records", testAuditTenantFilter},
	{"pages by position walk the whole log once", testAuditPaging},
	{"since keeps the records stamped then or later", testAuditSince},
	{"a walk during concurrent writes skips no record", testAuditWalkDuringWrites},
}

// Type names the suite stores: a store keeps an entity's type as given.
const (
	typeRun           = "microsoft.graph.industryData.industryDataRun"
	typeProcess       = "microsoft.graph.industryData.process"
	typeSystemProcess = "microsoft.graph.industryData.systemProcess"
)

// actor returns a context carrying an actor named after n, for who.
func actor(t *testing.T, n string) (context.Context, industrydata.Actor) {
	a := industrydata.Actor{Principal: "oid-" + n, App: "app-" + n, RequestID: "req-" + n}
	return withWho(t.Context(), a), a
}

type whoKey struct{}

// withWho returns ctx carrying a, so that the suite's writes made with ctx
// pass a as their actor (who).
func withWho(ctx context.Context, a industrydata.Actor) context.Context {
	return context.WithValue(ctx, whoKey{}, a)
}

// who is the actor a write of the suite passes: the one ctx carries
// (withWho), else nobody.
func who(ctx context.Context) industrydata.Actor {
	a, _ := ctx.Value(whoKey{}).(industrydata.Actor)
	return a
}

// change is a PropertyChange written with JSON literals.
func change(property, old, new string) industrydata.PropertyChange {
	return industrydata.PropertyChange{Property: property, Old: json.RawMessage(old), New: json.RawMessage(new)}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sameJSON compares raw JSON by value, since a store may keep it in
// another spelling (key order, spaces).
var sameJSON = cmp.Transformer("json", func(r json.RawMessage) any {
	var v any
	if err := json.Unmarshal(r, &v); err != nil {
		return "invalid JSON: " + string(r)
	}
	return v
})

// listAudit returns the page q selects.
func listAudit(t *testing.T, s industrydata.Store, q industrydata.AuditQuery) []industrydata.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(t.Context(), q)
	if err != nil {
		t.Fatalf("ListAudit(%+v): %v", q, err)
	}
	return recs
}

// auditAfter returns the records after position at, of every tenant.
func auditAfter(t *testing.T, s industrydata.Store, at industrydata.AuditPosition) []industrydata.AuditRecord {
	return listAudit(t, s, industrydata.AuditQuery{After: at})
}

// lastPosition is the position of the last record of the log, the zero
// position when there is none.
func lastPosition(t *testing.T, s industrydata.Store) industrydata.AuditPosition {
	t.Helper()
	var last industrydata.AuditPosition
	for {
		recs := listAudit(t, s, industrydata.AuditQuery{After: last})
		if len(recs) == 0 {
			return last
		}
		last = recs[len(recs)-1].Position()
	}
}

// wantAudit checks the records after position at: their fields but the
// position and Time against want, and that they are in log order with
// distinct Seqs and UTC times.
func wantAudit(t *testing.T, s industrydata.Store, at industrydata.AuditPosition, want ...industrydata.AuditRecord) []industrydata.AuditRecord {
	t.Helper()
	got := auditAfter(t, s, at)
	if d := cmp.Diff(want, got, sameJSON, cmpopts.IgnoreFields(industrydata.AuditRecord{}, "Txn", "Seq", "Time"), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("records after %+v (-want +got):\n%s", at, d)
	}
	checkAuditOrder(t, got, at)
	return got
}

// checkAuditOrder checks that recs, after position at, are in log order,
// with distinct Seqs and non-zero UTC times.
func checkAuditOrder(t *testing.T, recs []industrydata.AuditRecord, at industrydata.AuditPosition) {
	t.Helper()
	seen := map[int64]bool{}
	for _, r := range recs {
		if !r.Position().After(at) {
			t.Fatalf("record %+v: position %+v not after %+v", r, r.Position(), at)
		}
		at = r.Position()
		if seen[r.Seq] {
			t.Fatalf("record %+v: Seq %d seen before", r, r.Seq)
		}
		seen[r.Seq] = true
		if r.Time.IsZero() || r.Time.Location() != time.UTC {
			t.Fatalf("record %d: Time %v is zero or not UTC", r.Seq, r.Time)
		}
	}
}

// wantNoAudit fails when records were appended after position at.
func wantNoAudit(t *testing.T, s industrydata.Store, what string, at industrydata.AuditPosition) {
	t.Helper()
	if recs := auditAfter(t, s, at); len(recs) > 0 {
		t.Fatalf("%s appended %d records, want none: %+v", what, len(recs), recs)
	}
}

func testAuditWrites(t *testing.T, s industrydata.Store) {
	// Operations: create, update (only what changed), update changing
	// nothing, delete.
	ctx, a := actor(t, "ops")
	op := newOperation(t)
	op.StatusDetail = ptr("queued")
	if err := s.CreateOperation(ctx, tenantA, who(ctx), &op); err != nil {
		t.Fatal(err)
	}
	created := `"2024-05-06T07:08:09.1234567Z"`
	rec := func(action industrydata.AuditAction, typ, id string, changes ...industrydata.PropertyChange) industrydata.AuditRecord {
		return industrydata.AuditRecord{Tenant: tenantA, Actor: a, Action: action, EntityType: typ, EntityID: id, Changes: changes}
	}
	wantAudit(t, s, industrydata.AuditPosition{}, rec(industrydata.AuditCreate, typeOperation, op.ID,
		change("createdDateTime", "null", created),
		change("status", "null", `"notStarted"`),
		change("statusDetail", "null", `"queued"`)))

	seq := lastPosition(t, s)
	ctx, a = actor(t, "patch")
	if _, err := s.UpdateOperation(ctx, tenantA, who(ctx), op.ID, func(o *industrydata.Operation) error {
		o.Status, o.StatusDetail = industrydata.OperationRunning, nil
		o.LastActionDateTime = ptr(ts(t, "2024-05-06T08:00:00Z"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, seq, rec(industrydata.AuditUpdate, typeOperation, op.ID,
		change("lastActionDateTime", "null", `"2024-05-06T08:00:00Z"`),
		change("status", `"notStarted"`, `"running"`),
		change("statusDetail", `"queued"`, "null")))

	seq = lastPosition(t, s)
	if _, err := s.UpdateOperation(ctx, tenantA, who(ctx), op.ID, func(*industrydata.Operation) error { return nil }); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, seq, rec(industrydata.AuditUpdate, typeOperation, op.ID)) // a write, changing no property

	seq = lastPosition(t, s)
	ctx, a = actor(t, "delete")
	if err := s.DeleteOperation(ctx, tenantA, who(ctx), op.ID, nil); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, seq, rec(industrydata.AuditDelete, typeOperation, op.ID,
		change("createdDateTime", created, "null"),
		change("lastActionDateTime", `"2024-05-06T08:00:00Z"`, "null"),
		change("status", `"running"`, "null")))

	// Processes: create, update (the eTag changes too), run start, delete
	// (with its run).
	seq = lastPosition(t, s)
	ctx, a = actor(t, "process")
	p := newProcess(t)
	if err := s.CreateProcess(ctx, tenantA, who(ctx), &p); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, seq, rec(industrydata.AuditCreate, typeProcess, p.ID,
		change("eTag", "null", jsonString(p.ETag)),
		change("displayName", "null", `"Nightly sync"`),
		change("readinessStatus", "null", `"notReady"`)))

	seq = lastPosition(t, s)
	updated, err := s.UpdateProcess(ctx, tenantA, who(ctx), p.ID, func(p *industrydata.Process) error {
		p.DisplayName, p.ReadinessStatus = "Renamed", industrydata.ReadinessReady
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, seq, rec(industrydata.AuditUpdate, typeProcess, p.ID,
		change("eTag", jsonString(p.ETag), jsonString(updated.ETag)),
		change("displayName", `"Nightly sync"`, `"Renamed"`),
		change("readinessStatus", `"notReady"`, `"ready"`)))

	seq = lastPosition(t, s)
	ctx, a = actor(t, "start")
	start := ts(t, runStart)
	run, runOp := newRun(t, start), newRunOperation(t, start)
	run.ProcessID = p.ID
	if err := s.StartRun(ctx, tenantA, who(ctx), &run, &runOp, nil, nil, func(p *industrydata.Process, _ bool) error {
		run.DisplayName = p.DisplayName
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	startRec := rec(industrydata.AuditStart, typeRun, run.ID,
		change("displayName", "null", `"Renamed"`),
		change("startDateTime", "null", jsonString(runStart)),
		change("status", "null", `"running"`))
	startRec.ParentID = p.ID
	recs := wantAudit(t, s, seq, startRec, rec(industrydata.AuditCreate, typeOperation, runOp.ID,
		change("createdDateTime", "null", jsonString(runStart)),
		change("lastActionDateTime", "null", jsonString(runStart)),
		change("status", "null", `"notStarted"`)))
	if !recs[0].Time.Equal(recs[1].Time) {
		t.Errorf("the records of one start have times %v and %v, want one", recs[0].Time, recs[1].Time)
	}

	seq = lastPosition(t, s)
	ctx, a = actor(t, "drop")
	if err := s.DeleteProcess(ctx, tenantA, who(ctx), p.ID, nil); err != nil {
		t.Fatal(err)
	}
	runRec := rec(industrydata.AuditDelete, typeRun, run.ID,
		change("displayName", `"Renamed"`, "null"),
		change("startDateTime", jsonString(runStart), "null"),
		change("status", `"running"`, "null"))
	runRec.ParentID = p.ID
	wantAudit(t, s, seq, rec(industrydata.AuditDelete, typeProcess, p.ID,
		change("eTag", jsonString(updated.ETag), "null"),
		change("displayName", `"Renamed"`, "null"),
		change("readinessStatus", `"ready"`, "null")), runRec)
}

func testAuditRejected(t *testing.T, s industrydata.Store) {
	ctx, _ := actor(t, "rejected")
	op := createOperation(t, s, tenantA, newOperation(t))
	p := readyProcess(t, s, tenantA)
	seq := lastPosition(t, s)
	tests := []struct {
		name  string
		write func() error
	}{
		{"update operation", func() error {
			_, err := s.UpdateOperation(ctx, tenantA, who(ctx), op.ID, func(o *industrydata.Operation) error {
				o.Status = industrydata.OperationFailed
				return errRejected
			})
			return err
		}},
		{"delete operation", func() error {
			return s.DeleteOperation(ctx, tenantA, who(ctx), op.ID, func(industrydata.Operation) error { return errRejected })
		}},
		{"update process", func() error {
			_, err := s.UpdateProcess(ctx, tenantA, who(ctx), p.ID, func(p *industrydata.Process) error {
				p.DisplayName = "changed"
				return errRejected
			})
			return err
		}},
		{"delete process", func() error {
			return s.DeleteProcess(ctx, tenantA, who(ctx), p.ID, func(industrydata.Process, bool) error { return errRejected })
		}},
		{"start run", func() error {
			r, o := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
			r.ProcessID = p.ID
			return s.StartRun(ctx, tenantA, who(ctx), &r, &o, nil, nil, func(*industrydata.Process, bool) error { return errRejected })
		}},
	}
	for _, tc := range tests {
		wantRejected(t, tc.name, tc.write())
		wantNoAudit(t, s, tc.name, seq)
	}
	_, err := s.UpdateOperation(ctx, tenantA, who(ctx), newID(), func(*industrydata.Operation) error { return nil })
	wantErrIs(t, "update of a missing operation", err, industrydata.ErrNotFound)
	wantNoAudit(t, s, "update of a missing operation", seq)
}

func testAuditRolledBack(t *testing.T, s industrydata.Store) {
	ctx, _ := actor(t, "rollback")
	op := createOperation(t, s, tenantA, newOperation(t))
	createProcess(t, s, tenantA, newSystemProcess(t))
	p := readyProcess(t, s, tenantA)
	startRun(t, s, tenantA, p.ID, ts(t, runStart))
	seq := lastPosition(t, s)

	dup := newOperation(t)
	dup.ID = op.ID
	wantErrIs(t, "duplicate operation", s.CreateOperation(ctx, tenantA, who(ctx), &dup), industrydata.ErrDuplicate)
	wantNoAudit(t, s, "duplicate operation", seq)

	sys := newSystemProcess(t)
	wantErrIs(t, "second system process", s.CreateProcess(ctx, tenantA, who(ctx), &sys), industrydata.ErrDuplicate)
	wantNoAudit(t, s, "second system process", seq)

	_, err := s.UpdateProcess(ctx, tenantA, who(ctx), p.ID, func(p *industrydata.Process) error {
		p.Type = industrydata.TypeUserReportRefreshProcess
		return nil
	})
	wantErrIs(t, "update into a second system process", err, industrydata.ErrDuplicate)
	wantNoAudit(t, s, "update into a second system process", seq)

	// The operation is inserted before the run is refused: both go.
	r, o := newRun(t, ts(t, runStart)), newRunOperation(t, ts(t, runStart))
	r.ProcessID = p.ID
	wantErrIs(t, "second run in progress", s.StartRun(ctx, tenantA, who(ctx), &r, &o, nil, nil, nil), industrydata.ErrDuplicate)
	wantNoAudit(t, s, "second run in progress", seq)

	c := newOperation(t)
	if err := s.CreateOperation(cancelled(t), tenantA, who(cancelled(t)), &c); !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateOperation with a cancelled context: %v, want context.Canceled", err)
	}
	wantNoAudit(t, s, "write with a cancelled context", seq)
}

func testAuditProvision(t *testing.T, s industrydata.Store) {
	ctx, a := actor(t, "first-call")
	a.System = true
	ctx = withWho(ctx, a)
	p := newSystemProcess(t)
	if ok, err := s.ProvisionTenant(ctx, tenantA, who(ctx), []industrydata.Process{p}); err != nil || !ok {
		t.Fatalf("ProvisionTenant: %v, %v", ok, err)
	}
	stored := getProcess(t, s, tenantA, p.ID)
	wantAudit(t, s, industrydata.AuditPosition{}, industrydata.AuditRecord{Tenant: tenantA, Actor: a, Action: industrydata.AuditCreate,
		EntityType: industrydata.TypeUserReportRefreshProcess, EntityID: p.ID, Changes: []industrydata.PropertyChange{
			change("eTag", "null", jsonString(stored.ETag)),
			change("displayName", "null", jsonString(industrydata.DefaultUserReportRefreshProcessName)),
			change("readinessStatus", "null", `"notReady"`),
		}})
	seq := lastPosition(t, s)
	if ok, err := s.ProvisionTenant(ctx, tenantA, who(ctx), []industrydata.Process{newSystemProcess(t)}); err != nil || ok {
		t.Fatalf("second ProvisionTenant: %v, %v", ok, err)
	}
	wantNoAudit(t, s, "provisioning again", seq)
}

func testAuditRunner(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	r, acts := startRunWith(t, s, tenantA, readyProcess(t, s, tenantA).ID, newActivity(flow.ID, "Flow"))
	seq := lastPosition(t, s)
	t0 := leaseT0(t)
	c := mustClaim(t, s, "a", t0)
	c, err := s.RenewLease(t.Context(), c, t0.Add(time.Second), leaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.UpdateJobProgress(t.Context(), c, "step", t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	beginImport(t, s, c, acts[0], connectorA)
	finishActivity(t, s, c, acts[0], imported(sampleCounts(1)))
	if err := s.ReleaseLease(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	finishRun(t, s, r.ID, t0.Add(time.Minute))
	wantNoAudit(t, s, "claim, renew, progress, import, release and finish", seq)
}

func testAuditTenantFilter(t *testing.T, s industrydata.Store) {
	a1 := createOperation(t, s, tenantA, newOperation(t))
	b1 := createOperation(t, s, tenantB, newOperation(t))
	a2 := createOperation(t, s, tenantA, newOperation(t))
	ids := func(recs []industrydata.AuditRecord) (out []string) {
		for _, r := range recs {
			out = append(out, string(r.Tenant)+"/"+r.EntityID)
		}
		return out
	}
	tests := []struct {
		tenant industrydata.TenantID
		want   []string
	}{
		{tenantA, []string{string(tenantA) + "/" + a1.ID, string(tenantA) + "/" + a2.ID}},
		{tenantB, []string{string(tenantB) + "/" + b1.ID}},
		{"", []string{string(tenantA) + "/" + a1.ID, string(tenantB) + "/" + b1.ID, string(tenantA) + "/" + a2.ID}},
		{"00000000-0000-0000-0000-00000000000c", nil},
	}
	for _, tc := range tests {
		got := ids(listAudit(t, s, industrydata.AuditQuery{Tenant: tc.tenant}))
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("tenant %q (-want +got):\n%s", tc.tenant, d)
		}
	}
}

func testAuditPaging(t *testing.T, s industrydata.Store) {
	for range 7 {
		createOperation(t, s, tenantA, newOperation(t))
		createOperation(t, s, tenantB, newOperation(t))
	}
	all := listAudit(t, s, industrydata.AuditQuery{})
	if len(all) != 14 {
		t.Fatalf("%d records, want 14", len(all))
	}
	checkAuditOrder(t, all, industrydata.AuditPosition{})
	for _, tenant := range []industrydata.TenantID{"", tenantA} {
		var walked []industrydata.AuditRecord
		var after industrydata.AuditPosition
		for pages := 0; ; pages++ {
			if pages > 14 {
				t.Fatalf("tenant %q: the walk does not end", tenant)
			}
			page := listAudit(t, s, industrydata.AuditQuery{Tenant: tenant, After: after, Limit: 3})
			if len(page) > 3 {
				t.Fatalf("page of %d records, limit 3", len(page))
			}
			walked = append(walked, page...)
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].Position()
		}
		var want []industrydata.AuditRecord
		for _, r := range all {
			if tenant == "" || r.Tenant == tenant {
				want = append(want, r)
			}
		}
		if d := cmp.Diff(want, walked, sameJSON); d != "" {
			t.Errorf("tenant %q: walk by pages of 3 (-all +walked):\n%s", tenant, d)
		}
	}
}

func testAuditSince(t *testing.T, s industrydata.Store) {
	for range 5 {
		createOperation(t, s, tenantA, newOperation(t))
	}
	all := listAudit(t, s, industrydata.AuditQuery{})
	const tick = 100 * time.Nanosecond
	for _, r := range all {
		for _, since := range []time.Time{r.Time, r.Time.Add(tick), r.Time.Add(-tick)} {
			var want []industrydata.AuditRecord
			for _, w := range all {
				if !w.Time.Before(since) {
					want = append(want, w)
				}
			}
			got := listAudit(t, s, industrydata.AuditQuery{Since: since})
			if d := cmp.Diff(want, got, sameJSON, cmpopts.EquateEmpty()); d != "" {
				t.Fatalf("since %v (-want +got):\n%s", since, d)
			}
		}
	}
	if got := listAudit(t, s, industrydata.AuditQuery{Since: all[len(all)-1].Time.Add(time.Hour)}); len(got) != 0 {
		t.Errorf("since an hour after the last record: %d records, want none", len(got))
	}
}

// The AuditStore contract: a reader walking the log by positions while
// writers append concurrently sees every record once, in log order, by
// the time it reads a short page after the writers are done.
func testAuditWalkDuringWrites(t *testing.T, s industrydata.Store) {
	const writers, each, pageSize = 4, 25, 7
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				op := newOperation(t)
				errs <- s.CreateOperation(t.Context(), tenantA, industrydata.Actor{Principal: "writer"}, &op)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var walked []industrydata.AuditRecord
	var after industrydata.AuditPosition
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		page := listAudit(t, s, industrydata.AuditQuery{After: after, Limit: pageSize})
		walked = append(walked, page...)
		if len(page) > 0 {
			after = page[len(page)-1].Position()
		}
		// Only a short page read after every writer returned is the end.
		if finished && len(page) < pageSize {
			break
		}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("CreateOperation: %v", err)
		}
	}
	checkAuditOrder(t, walked, industrydata.AuditPosition{})
	all := listAudit(t, s, industrydata.AuditQuery{Limit: 10 * writers * each})
	if len(all) != writers*each {
		t.Fatalf("%d records in the log, want %d", len(all), writers*each)
	}
	if d := cmp.Diff(all, walked, sameJSON); d != "" {
		t.Errorf("the walk during the writes (-log +walked):\n%s", d)
	}
}
