package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
)

// flowTests check the imports of inbound flows (SPEC §12): an activity
// pins its connector's validated set, which stays readable until the
// activity ends; its end makes the files the flow's current data, in
// place of those before, or drops them; contents nothing holds any more
// go; and only the holder of the run's lease does any of it.
var flowTests = []test{
	{"an import pins the connector's validated set, none when it has none", testBeginImport},
	{"a second begin of an activity replaces its pins; what they alone held goes", testBeginImportAgain},
	{"pinned files stay readable whatever becomes of the validated set and its container", testPinnedFilesStay},
	{"an import's end makes its files the flow's current data, and the data before goes", testImportMakesCurrent},
	{"an import that is not imported leaves the flow's data as it was", testImportNotImported},
	{"finishing an unknown activity is ErrNotFound; one with status inProgress is refused", testFinishActivityRefused},
	{"imports are fenced by the run's lease", testImportFenced},
	{"deleting a flow deletes its data, current and pinned", testDeleteFlowData},
	{"a run's end, or its process's deletion, drops the files it left pinned", testRunEndDropsPins},
	{"flow data lists the flows in creation order, files by name, of the tenant only", testFlowDataOrder},
}

// newFlow creates an inbound flow of tenant.
func newFlow(t *testing.T, s industrydata.Store, tenant industrydata.TenantID) industrydata.Resource {
	t.Helper()
	return createResource(t, s, tenant, newResource(setInboundFlows))
}

// uploadSet uploads files (name to content) to the connector's container
// and makes them, with more (files already uploaded), its validated set,
// which it returns by name.
func uploadSet(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, connector string, files map[string]string, more ...industrydata.ValidatedFile) []industrydata.ValidatedFile {
	t.Helper()
	c, _ := currentContainer(t, s, tenant, connector, uploadT0, false)
	set := slices.Clone(more)
	for name, data := range files {
		b := putBlob(t, s, c.ID, name, []byte(data))
		set = append(set, industrydata.ValidatedFile{Name: name, ContentID: b.ContentID, Size: b.Size})
	}
	if err := s.SetValidatedFiles(t.Context(), tenant, connector, set); err != nil {
		t.Fatalf("SetValidatedFiles: %v", err)
	}
	slices.SortFunc(set, func(a, b industrydata.ValidatedFile) int { return strings.Compare(a.Name, b.Name) })
	return set
}

// forgetUploads empties the connector's validated set and discards its
// container: what nothing else holds goes.
func forgetUploads(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, connector string) {
	t.Helper()
	if err := s.SetValidatedFiles(t.Context(), tenant, connector, nil); err != nil {
		t.Fatalf("SetValidatedFiles: %v", err)
	}
	currentContainer(t, s, tenant, connector, uploadT0, true)
}

// importRun starts a run of no process of tenant, with an activity in
// progress for each flow, and claims it.
func importRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, flows ...industrydata.Resource) (industrydata.JobClaim, []industrydata.RunActivity) {
	t.Helper()
	var acts []industrydata.RunActivity
	for _, f := range flows {
		acts = append(acts, newActivity(f.ID, "Flow "+f.ID))
	}
	r, acts := startRunWith(t, s, tenant, "", acts...)
	c := mustClaim(t, s, "importer-"+r.ID, leaseT0(t))
	if c.ID != r.ID {
		t.Fatalf("claimed run %s, want the new run %s", c.ID, r.ID)
	}
	return c, acts
}

// endRun finishes c's run, completed.
func endRun(t *testing.T, s industrydata.Store, c industrydata.JobClaim) {
	t.Helper()
	if err := s.FinishRun(t.Context(), c, outcome(industrydata.RunCompleted, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
}

func beginImport(t *testing.T, s industrydata.Store, c industrydata.JobClaim, a industrydata.RunActivity, connector string) []industrydata.ValidatedFile {
	t.Helper()
	files, err := s.BeginImport(t.Context(), c, a.ID, a.FlowID, connector)
	if err != nil {
		t.Fatalf("BeginImport(%s): %v", a.ID, err)
	}
	return files
}

func finishActivity(t *testing.T, s industrydata.Store, c industrydata.JobClaim, a industrydata.RunActivity, out industrydata.ActivityOutcome) {
	t.Helper()
	if err := s.FinishActivity(t.Context(), c, a.ID, out); err != nil {
		t.Fatalf("FinishActivity(%s): %v", a.ID, err)
	}
}

// imported is the outcome of an import that completed with counts.
func imported(counts industrydata.InboundCounts) industrydata.ActivityOutcome {
	return industrydata.ActivityOutcome{Status: industrydata.ActivityCompleted, Counts: &counts, Imported: true}
}

// sampleCounts returns counts with every figure set, different for each n.
func sampleCounts(n int) industrydata.InboundCounts {
	return industrydata.InboundCounts{
		People:        industrydata.EntityCounts{Active: n, Inactive: 1, Total: n + 1},
		Organizations: industrydata.EntityCounts{Active: 2, Inactive: 0, Total: 2},
		Groups:        industrydata.EntityCounts{Active: 3, Inactive: n, Total: n + 3},
		Memberships:   industrydata.EntityCounts{Active: 4, Inactive: 5, Total: 9},
		Errors:        n, Warnings: 2 * n,
	}
}

func flowData(t *testing.T, s industrydata.Store, tenant industrydata.TenantID) []industrydata.FlowData {
	t.Helper()
	data, err := s.FlowData(t.Context(), tenant)
	if err != nil {
		t.Fatalf("FlowData: %v", err)
	}
	for _, d := range data {
		if d.Imported.IsZero() {
			t.Errorf("flow %s's data has no import time", d.FlowID)
		}
		checkUTC(t, d.Imported)
	}
	return data
}

// checkFlowData fails unless the tenant's flow data is want, import times
// aside (the store's clock sets them).
func checkFlowData(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, want ...industrydata.FlowData) {
	t.Helper()
	got := flowData(t, s, tenant)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(industrydata.FlowData{}, "Imported"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("FlowData (-want +got):\n%s", diff)
	}
}

// wantContent fails unless content id of the tenant reads as data.
func wantContent(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id, data string) {
	t.Helper()
	if got := string(readContent(t, s, tenant, id)); got != data {
		t.Errorf("content %s = %q, want %q", id, got, data)
	}
}

// wantContentGone fails unless content id of the tenant is gone.
func wantContentGone(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) {
	t.Helper()
	rc, err := s.OpenContent(t.Context(), tenant, id)
	if err == nil {
		rc.Close()
	}
	wantErrIs(t, "OpenContent of "+id, err, industrydata.ErrNotFound)
}

func testBeginImport(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	set := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users", "orgs.csv": "orgs"})
	c, acts := importRun(t, s, tenantA, flow)
	if diff := cmp.Diff(set, beginImport(t, s, c, acts[0], connectorA)); diff != "" {
		t.Errorf("BeginImport (-want +got):\n%s", diff)
	}
	files, err := s.BeginImport(t.Context(), c, acts[0].ID, flow.ID, newID())
	if err != nil || files == nil || len(files) != 0 {
		t.Errorf("BeginImport of a connector with no validated set = %#v, %v; want none", files, err)
	}
	if a := getActivity(t, s, tenantA, c.ID, acts[0].ID); a.Status != industrydata.ActivityInProgress {
		t.Errorf("activity status %s after BeginImport, want inProgress", a.Status)
	}
	checkFlowData(t, s, tenantA) // nothing is current before the end
}

func testBeginImportAgain(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	first := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "first users", "orgs.csv": "orgs"})
	c, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c, acts[0], connectorA)
	// A new users.csv, the same orgs.csv content.
	second := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "second users"}, first[0])
	if diff := cmp.Diff(second, beginImport(t, s, c, acts[0], connectorA)); diff != "" {
		t.Errorf("second BeginImport (-want +got):\n%s", diff)
	}
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, first[1].ContentID) // the first users.csv, pinned no more
	wantContent(t, s, tenantA, second[0].ContentID, "orgs")
	wantContent(t, s, tenantA, second[1].ContentID, "second users")
	finishActivity(t, s, c, acts[0], imported(sampleCounts(1)))
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: c.ID, Files: second, Counts: sampleCounts(1)})
}

func testPinnedFilesStay(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	set := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users", "orgs.csv": "orgs"})
	c, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c, acts[0], connectorA)
	// A new validated set, then none; a new container, twice.
	uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "other users"})
	forgetUploads(t, s, tenantA, connectorA)
	currentContainer(t, s, tenantA, connectorA, uploadT0.Add(2*time.Hour), false)
	wantContent(t, s, tenantA, set[0].ContentID, "orgs")
	wantContent(t, s, tenantA, set[1].ContentID, "users")
	_, err := s.OpenContent(t.Context(), tenantB, set[0].ContentID)
	wantErrIs(t, "OpenContent of a pinned file by another tenant", err, industrydata.ErrNotFound)
}

func testImportMakesCurrent(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	first := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users 1", "orgs.csv": "orgs"})
	c1, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c1, acts[0], connectorA)
	finishActivity(t, s, c1, acts[0], imported(sampleCounts(1)))
	want := industrydata.FlowData{FlowID: flow.ID, RunID: c1.ID, Files: first, Counts: sampleCounts(1)}
	checkFlowData(t, s, tenantA, want)
	a := getActivity(t, s, tenantA, c1.ID, acts[0].ID)
	if a.Status != industrydata.ActivityCompleted || a.Counts == nil || *a.Counts != sampleCounts(1) || a.BlockingError != nil {
		t.Errorf("finished activity %+v, want completed with its counts", a)
	}
	endRun(t, s, c1)
	checkFlowData(t, s, tenantA, want) // the run's end keeps what it imported

	// A second import: a new users.csv, the same orgs.csv content.
	second := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users 2"}, first[0])
	c2, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c2, acts[0], connectorA)
	finishActivity(t, s, c2, acts[0], imported(sampleCounts(2)))
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: c2.ID, Files: second, Counts: sampleCounts(2)})
	// The first users.csv is in its container still, until that goes.
	wantContent(t, s, tenantA, first[1].ContentID, "users 1")
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, first[1].ContentID)
	wantContent(t, s, tenantA, second[0].ContentID, "orgs")
	wantContent(t, s, tenantA, second[1].ContentID, "users 2")
	endRun(t, s, c2)

	// A third, from a new container: the current files, whose container
	// is gone, go the moment they are replaced.
	third := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users 3"})
	c3, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c3, acts[0], connectorA)
	finishActivity(t, s, c3, acts[0], industrydata.ActivityOutcome{Status: industrydata.ActivityCompletedWithWarnings, Imported: true})
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: c3.ID, Files: third})
	wantContentGone(t, s, tenantA, second[0].ContentID)
	wantContentGone(t, s, tenantA, second[1].ContentID)
	wantContent(t, s, tenantA, third[0].ContentID, "users 3")
}

func testImportNotImported(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	want := importedOnce(t, s, flow, map[string]string{"users.csv": "good"})
	first := want.Files

	bad := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "bad"})
	c2, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c2, acts[0], connectorA)
	counts := sampleCounts(7)
	failed := industrydata.ActivityOutcome{Status: industrydata.ActivityFailed, Counts: &counts,
		BlockingError: &industrydata.PublicError{Code: "invalidRoster", Message: "users.csv, line 2: no \"sourcedId\"", Target: "users.csv"}}
	finishActivity(t, s, c2, acts[0], failed)
	checkFlowData(t, s, tenantA, want)
	got := getActivity(t, s, tenantA, c2.ID, acts[0].ID)
	wantAct := acts[0]
	wantAct.Status, wantAct.Counts, wantAct.BlockingError = failed.Status, failed.Counts, failed.BlockingError
	if diff := cmp.Diff(wantAct, got); diff != "" {
		t.Errorf("failed activity (-want +got):\n%s", diff)
	}
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, bad[0].ContentID)
	wantContent(t, s, tenantA, first[0].ContentID, "good")
}

func testFinishActivityRefused(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	set := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users"})
	c, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c, acts[0], connectorA)
	err := s.FinishActivity(t.Context(), c, newID(), imported(sampleCounts(1)))
	wantErrIs(t, "FinishActivity of an unknown activity", err, industrydata.ErrNotFound)
	for _, status := range []industrydata.ActivityStatus{industrydata.ActivityInProgress, ""} {
		out := imported(sampleCounts(1))
		out.Status = status
		if err := s.FinishActivity(t.Context(), c, acts[0].ID, out); err == nil {
			t.Errorf("FinishActivity with status %q succeeded", status)
		}
	}
	if diff := cmp.Diff(acts[0], getActivity(t, s, tenantA, c.ID, acts[0].ID)); diff != "" {
		t.Errorf("activity changed by refused finishes (-want +got):\n%s", diff)
	}
	checkFlowData(t, s, tenantA)
	// The pins are still there to import.
	forgetUploads(t, s, tenantA, connectorA)
	finishActivity(t, s, c, acts[0], imported(sampleCounts(1)))
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: c.ID, Files: set, Counts: sampleCounts(1)})
}

func testImportFenced(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	set := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "users"})
	old, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, old, acts[0], connectorA)
	taken := mustClaim(t, s, "heir", old.Expires)
	if taken.ID != old.ID {
		t.Fatalf("claimed run %s after expiry, want %s", taken.ID, old.ID)
	}
	_, err := s.BeginImport(t.Context(), old, acts[0].ID, flow.ID, connectorA)
	wantErrIs(t, "BeginImport of the old claim", err, industrydata.ErrLeaseLost)
	err = s.FinishActivity(t.Context(), old, acts[0].ID, imported(sampleCounts(1)))
	wantErrIs(t, "FinishActivity of the old claim", err, industrydata.ErrLeaseLost)
	if diff := cmp.Diff(acts[0], getActivity(t, s, tenantA, old.ID, acts[0].ID)); diff != "" {
		t.Errorf("activity changed by the old claim (-want +got):\n%s", diff)
	}
	checkFlowData(t, s, tenantA)

	// The claim that took over imports.
	if diff := cmp.Diff(set, beginImport(t, s, taken, acts[0], connectorA)); diff != "" {
		t.Errorf("BeginImport of the new claim (-want +got):\n%s", diff)
	}
	finishActivity(t, s, taken, acts[0], imported(sampleCounts(1)))
	if err := s.FinishRun(t.Context(), taken, outcome(industrydata.RunCompleted, old.Expires)); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	_, err = s.BeginImport(t.Context(), taken, acts[0].ID, flow.ID, connectorA)
	wantErrIs(t, "BeginImport after FinishRun", err, industrydata.ErrLeaseLost)
	err = s.FinishActivity(t.Context(), taken, acts[0].ID, imported(sampleCounts(2)))
	wantErrIs(t, "FinishActivity after FinishRun", err, industrydata.ErrLeaseLost)
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: taken.ID, Files: set, Counts: sampleCounts(1)})
}

func testDeleteFlowData(t *testing.T, s industrydata.Store) {
	flow, kept := newFlow(t, s, tenantA), newFlow(t, s, tenantA)
	current := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "current"})
	c1, acts := importRun(t, s, tenantA, flow, kept)
	for _, a := range acts {
		beginImport(t, s, c1, a, connectorA)
		finishActivity(t, s, c1, a, imported(sampleCounts(1)))
	}
	endRun(t, s, c1)
	pinned := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "pinned"})
	c2, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c2, acts[0], connectorA)

	if err := s.DeleteResource(t.Context(), tenantA, who(t.Context()), setInboundFlows, flow.ID, nil); err != nil {
		t.Fatalf("DeleteResource: %v", err)
	}
	want := industrydata.FlowData{FlowID: kept.ID, RunID: c1.ID, Files: current, Counts: sampleCounts(1)}
	checkFlowData(t, s, tenantA, want)
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, pinned[0].ContentID)
	wantContent(t, s, tenantA, current[0].ContentID, "current") // the other flow's still

	// The activity of the deleted flow still ends, and imports nothing.
	finishActivity(t, s, c2, acts[0], imported(sampleCounts(2)))
	if a := getActivity(t, s, tenantA, c2.ID, acts[0].ID); a.Status != industrydata.ActivityCompleted {
		t.Errorf("activity of a deleted flow has status %s, want its outcome's", a.Status)
	}
	checkFlowData(t, s, tenantA, want)

	// The other flow goes too: its files, whose container is gone, go.
	if err := s.DeleteResource(t.Context(), tenantA, who(t.Context()), setInboundFlows, kept.ID, nil); err != nil {
		t.Fatalf("DeleteResource: %v", err)
	}
	checkFlowData(t, s, tenantA)
	wantContentGone(t, s, tenantA, current[0].ContentID)
}

func testRunEndDropsPins(t *testing.T, s industrydata.Store) {
	flow := newFlow(t, s, tenantA)
	want := importedOnce(t, s, flow, map[string]string{"users.csv": "current"})
	current := want.Files

	// A run that ends (failed, say) without finishing its activity.
	left := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "left pinned"})
	c2, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c2, acts[0], connectorA)
	if err := s.FinishRun(t.Context(), c2, outcome(industrydata.RunFailed, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, left[0].ContentID)
	wantContent(t, s, tenantA, current[0].ContentID, "current")
	checkFlowData(t, s, tenantA, want)

	// A run deleted with its process, with its activities.
	p := readyProcess(t, s, tenantA)
	deleted := uploadSet(t, s, tenantA, connectorA, map[string]string{"users.csv": "deleted"})
	r, acts := startRunWith(t, s, tenantA, p.ID, newActivity(flow.ID, "Flow"))
	c3 := mustClaim(t, s, "a", leaseT0(t))
	if c3.ID != r.ID {
		t.Fatalf("claimed run %s, want %s", c3.ID, r.ID)
	}
	beginImport(t, s, c3, acts[0], connectorA)
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	forgetUploads(t, s, tenantA, connectorA)
	wantContentGone(t, s, tenantA, deleted[0].ContentID)
	_, err := s.GetActivity(t.Context(), tenantA, r.ID, acts[0].ID)
	wantErrIs(t, "GetActivity of a deleted run", err, industrydata.ErrNotFound)
	checkFlowData(t, s, tenantA, want)
}

func testFlowDataOrder(t *testing.T, s industrydata.Store) {
	flows := []industrydata.Resource{newFlow(t, s, tenantA), newFlow(t, s, tenantA), newFlow(t, s, tenantA)}
	newFlow(t, s, tenantB)
	set := uploadSet(t, s, tenantA, connectorA,
		map[string]string{"users.csv": "u", "orgs.csv": "o", "classes.csv": "c", "enrollments.csv": "e"})
	// The last flow first, then the first two, of which one fails.
	c1, acts := importRun(t, s, tenantA, flows[2])
	beginImport(t, s, c1, acts[0], connectorA)
	finishActivity(t, s, c1, acts[0], imported(sampleCounts(3)))
	endRun(t, s, c1)
	c2, acts := importRun(t, s, tenantA, flows[0], flows[1])
	for i, a := range acts {
		beginImport(t, s, c2, a, connectorA)
		out := imported(sampleCounts(i))
		if i == 1 {
			out = industrydata.ActivityOutcome{Status: industrydata.ActivityFailed}
		}
		finishActivity(t, s, c2, a, out)
	}
	checkFlowData(t, s, tenantA,
		industrydata.FlowData{FlowID: flows[0].ID, RunID: c2.ID, Files: set, Counts: sampleCounts(0)},
		industrydata.FlowData{FlowID: flows[2].ID, RunID: c1.ID, Files: set, Counts: sampleCounts(3)})
	if got := flowData(t, s, tenantB); got == nil || len(got) != 0 {
		t.Errorf("FlowData of tenant B = %#v, want none", got)
	}
}

// importedOnce validates files for tenant A's connector, imports them into
// flow with a run that ends, and returns the flow's data as it must be.
func importedOnce(t *testing.T, s industrydata.Store, flow industrydata.Resource, files map[string]string) industrydata.FlowData {
	t.Helper()
	set := uploadSet(t, s, tenantA, connectorA, files)
	c, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c, acts[0], connectorA)
	finishActivity(t, s, c, acts[0], imported(sampleCounts(1)))
	endRun(t, s, c)
	return industrydata.FlowData{FlowID: flow.ID, RunID: c.ID, Files: set, Counts: sampleCounts(1)}
}
