package service_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

// A tenant's first call provisions its process as a system write: no
// principal, but the request-id that caused it. The call's own write is
// the caller's.
func TestProvisioningIsAuditedAsSystemWrite(t *testing.T) {
	e := newEnv(t)
	caller := industrydata.Actor{Principal: "oid-1", App: "app-1", RequestID: "req-1"}
	body, err := schema.ParseBody([]byte(`{"status":"running"}`))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := e.svc.Tenant(t.Context(), tenantA, caller)
	if err != nil {
		t.Fatal(err)
	}
	op, err := ts.CreateOperation(t.Context(), body)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.store.ListAudit(t.Context(), industrydata.AuditQuery{Tenant: tenantA})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Actor      industrydata.Actor
		Action     industrydata.AuditAction
		EntityType string
		EntityID   string
	}
	var got []entry
	for _, r := range recs {
		got = append(got, entry{r.Actor, r.Action, r.EntityType, r.EntityID})
	}
	want := []entry{
		{industrydata.Actor{System: true, RequestID: "req-1"}, industrydata.AuditCreate,
			industrydata.TypeUserReportRefreshProcess, e.process(t, tenantA).ID},
		{caller, industrydata.AuditCreate, "microsoft.graph.longRunningOperation", op.ID},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("audit records (-want +got):\n%s", d)
	}
}
