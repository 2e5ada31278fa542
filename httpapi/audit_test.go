package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/auth"
)

// auditSince returns the records after position at.
func (h *harness) auditSince(at industrydata.AuditPosition) []industrydata.AuditRecord {
	h.t.Helper()
	recs, err := h.store.ListAudit(h.t.Context(), industrydata.AuditQuery{After: at})
	if err != nil {
		h.t.Fatal(err)
	}
	return recs
}

// lastAuditPosition is the position of the newest record.
func (h *harness) lastAuditPosition() industrydata.AuditPosition {
	h.t.Helper()
	recs := h.auditSince(industrydata.AuditPosition{})
	if len(recs) == 0 {
		return industrydata.AuditPosition{}
	}
	return recs[len(recs)-1].Position()
}

// A PATCH through the router is recorded with the token's oid and azp, the
// request-id the response carried, and the old and new values of what it
// changed; a refused PATCH records nothing; a run start records the run and
// its operation.
func TestWritesAreAudited(t *testing.T) {
	h := newHarness(t)
	tok, err := auth.Mint(testKey, auth.TokenRequest{Tenant: tenantA, Expires: time.Hour,
		Subject: "5f0c6a9e-0000-4000-8000-00000000c0de", App: "a11ce000-0000-4000-8000-0000000000a1"})
	if err != nil {
		t.Fatal(err)
	}
	actor := func(res *response) industrydata.Actor {
		return industrydata.Actor{Principal: "5f0c6a9e-0000-4000-8000-00000000c0de",
			App: "a11ce000-0000-4000-8000-0000000000a1", RequestID: res.header.Get("request-id")}
	}
	created := h.createOperation(`{"status":"notStarted","statusDetail":"queued"}`)
	id := created.str("id")
	seq := h.lastAuditPosition()

	res := h.must(200, request{method: "PATCH", path: "/beta/industryData/operations/" + id, token: tok,
		body: `{"status":"running","statusDetail":"checked 120 of 500 users","lastActionDateTime":"2024-05-01T08:30:00Z"}`})
	if res.header.Get("request-id") == "" {
		t.Fatal("no request-id header")
	}
	type change struct{ Property, Old, New string }
	type entry struct {
		Tenant     industrydata.TenantID
		Actor      industrydata.Actor
		Action     industrydata.AuditAction
		EntityType string
		EntityID   string
		ParentID   string
		Changes    []change
	}
	entries := func(recs []industrydata.AuditRecord) []entry {
		var out []entry
		for _, r := range recs {
			e := entry{r.Tenant, r.Actor, r.Action, r.EntityType, r.EntityID, r.ParentID, nil}
			for _, c := range r.Changes {
				e.Changes = append(e.Changes, change{c.Property, string(c.Old), string(c.New)})
			}
			out = append(out, e)
		}
		return out
	}
	recs := h.auditSince(seq)
	want := []entry{{tenantA, actor(res), industrydata.AuditUpdate, "microsoft.graph.longRunningOperation", id, "", []change{
		{"lastActionDateTime", jsonQuote(t, created.str("lastActionDateTime")), `"2024-05-01T08:30:00Z"`},
		{"status", `"notStarted"`, `"running"`},
		{"statusDetail", `"queued"`, `"checked 120 of 500 users"`},
	}}}
	if d := cmp.Diff(want, entries(recs)); d != "" {
		t.Errorf("record of the PATCH (-want +got):\n%s", d)
	}

	// Refused writes record nothing.
	seq = h.lastAuditPosition()
	h.must(400, request{method: "PATCH", path: "/beta/industryData/operations/" + id, token: tok, body: `{"status":"bogus"}`})
	p := h.systemProcess()
	pid := p["id"].(string)
	h.must(412, request{method: "PATCH", path: "/beta/industryData/processes/" + pid, token: tok,
		body: `{"eTag":"stale","displayName":"x","readinessStatus":"ready"}`})
	if recs := h.auditSince(seq); len(recs) != 0 {
		t.Errorf("refused writes appended %+v", recs)
	}

	// A run start: the run, with its process, and its operation.
	res = h.must(202, request{method: "POST", path: "/beta/industryData/processes/" + pid + "/runs", token: tok})
	rid := res.str("id")
	got := entries(h.auditSince(seq))
	if len(got) != 2 {
		t.Fatalf("a run start appended %d records, want 2: %+v", len(got), got)
	}
	if g := got[0]; g.Actor != actor(res) || g.Action != industrydata.AuditStart || g.EntityID != rid || g.ParentID != pid ||
		g.EntityType != "microsoft.graph.industryData.industryDataRun" {
		t.Errorf("start record %+v, want run %s of process %s by %+v", g, rid, pid, actor(res))
	}
	if g := got[1]; g.Actor != actor(res) || g.Action != industrydata.AuditCreate || g.EntityType != "microsoft.graph.longRunningOperation" {
		t.Errorf("operation record %+v, want its create by %+v", g, actor(res))
	}
}

func jsonQuote(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
