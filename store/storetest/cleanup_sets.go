package storetest

import (
	"testing"

	"industrydata"
)

var sweepSetTests = []test{
	{"the validated set of a deleted connector goes with the contents nothing else holds", testSweepSetOfDeletedConnector},
	{"a dropped set's content a flow imported stays", testSweepSetKeepsFlowContent},
	{"the set of a deleted connector being validated stays", testSweepSetKeepsValidating},
	{"the validated set a ready flow will import stays", testSweepSetKeepsFlowConnector},
}

// connectorResource creates a data connector of tenantA.
func connectorResource(t *testing.T, s industrydata.Store) industrydata.Resource {
	t.Helper()
	return createResource(t, s, tenantA, industrydata.Resource{Set: "dataConnectors", ID: newID(),
		Type: "microsoft.graph.industryData.azureDataLakeConnector", Doc: []byte(`{}`)})
}

// sweepSets sweeps validated sets, after checking Sweepable says the same.
func sweepSets(t *testing.T, s industrydata.Store, want industrydata.Swept) {
	t.Helper()
	cutoff, _ := industrydata.Retention{}.Cutoff(industrydata.CleanupValidatedSets, leaseT0(t))
	counted, err := s.Sweepable(t.Context(), industrydata.CleanupValidatedSets, cutoff)
	if err != nil || counted != want {
		t.Fatalf("Sweepable validated sets = %+v, %v; want %+v", counted, err, want)
	}
	got, err := s.Sweep(t.Context(), industrydata.CleanupValidatedSets, cutoff, 10)
	if err != nil || got != want {
		t.Fatalf("Sweep validated sets = %+v, %v; want %+v", got, err, want)
	}
}

func testSweepSetOfDeletedConnector(t *testing.T, s industrydata.Store) {
	gone, kept := connectorResource(t, s), connectorResource(t, s)
	set := uploadSet(t, s, tenantA, gone.ID, map[string]string{"users.csv": "gone", "orgs.csv": "o"})
	keptSet := uploadSet(t, s, tenantA, kept.ID, map[string]string{"users.csv": "kept"})
	sweepSets(t, s, industrydata.Swept{})
	deleteResource(t, s, tenantA, gone)
	// The session still holds the files: they go with it, not the set.
	currentContainer(t, s, tenantA, gone.ID, uploadT0, true)
	sweepSets(t, s, industrydata.Swept{Rows: 1, Bytes: set[0].Size + set[1].Size})
	for _, f := range set {
		wantContentGone(t, s, tenantA, f.ContentID)
	}
	files, err := s.ValidatedFiles(t.Context(), tenantA, gone.ID)
	if err != nil || len(files) != 0 {
		t.Fatalf("ValidatedFiles of the deleted connector = %+v, %v; want none", files, err)
	}
	wantContent(t, s, tenantA, keptSet[0].ContentID, "kept")
	sweepSets(t, s, industrydata.Swept{})
}

func testSweepSetKeepsFlowContent(t *testing.T, s industrydata.Store) {
	conn, flow := connectorResource(t, s), newFlow(t, s, tenantA)
	set := uploadSet(t, s, tenantA, conn.ID, map[string]string{"users.csv": "imported"})
	c, acts := importRun(t, s, tenantA, flow)
	beginImport(t, s, c, acts[0], conn.ID)
	finishActivity(t, s, c, acts[0], imported(sampleCounts(1)))
	endRun(t, s, c)
	deleteResource(t, s, tenantA, conn)
	currentContainer(t, s, tenantA, conn.ID, uploadT0, true)
	sweepSets(t, s, industrydata.Swept{Rows: 1})
	wantContent(t, s, tenantA, set[0].ContentID, "imported")
	checkFlowData(t, s, tenantA, industrydata.FlowData{FlowID: flow.ID, RunID: c.ID, Files: set, Counts: sampleCounts(1)})
}

func testSweepSetKeepsValidating(t *testing.T, s industrydata.Store) {
	conn := connectorResource(t, s)
	set := uploadSet(t, s, tenantA, conn.ID, map[string]string{"users.csv": "checked"})
	startValidation(t, s, tenantA, conn.ID)
	deleteResource(t, s, tenantA, conn)
	sweepSets(t, s, industrydata.Swept{})
	wantContent(t, s, tenantA, set[0].ContentID, "checked")
}

func testSweepSetKeepsFlowConnector(t *testing.T, s industrydata.Store) {
	conn := connectorResource(t, s)
	createResource(t, s, tenantA, newResource(setInboundFlows, refTo("dataConnector", conn)))
	set := uploadSet(t, s, tenantA, conn.ID, map[string]string{"users.csv": "next import"})
	// The flow's connector cannot be deleted, and its set never goes.
	if err := s.DeleteResource(t.Context(), tenantA, who(t.Context()), conn.Set, conn.ID, nil); err == nil {
		t.Fatal("DeleteResource of a flow's connector succeeded")
	}
	currentContainer(t, s, tenantA, conn.ID, uploadT0, true)
	sweepSets(t, s, industrydata.Swept{})
	wantContent(t, s, tenantA, set[0].ContentID, "next import")
}
