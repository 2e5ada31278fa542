package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"industrydata"
	"industrydata/internal/flowtest"
	"industrydata/internal/rostergen"
)

// failingPages is a store whose report entries fail past the first page.
type failingPages struct{ industrydata.Store }

func (s failingPages) ListReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
	if q.After != nil {
		return nil, errors.New("disk on fire")
	}
	return s.Store.ListReportEntries(ctx, tenant, runID, q)
}

// A CSV download that fails after its first page is cut off, not ended: the
// client sees a broken response, never a short file it could take for
// the whole report.
func TestUserReportCSVFailsMidway(t *testing.T) {
	st := openStore(t)
	users := rostergen.Reader(12_000, rostergen.WriteUsers)
	orgs := rostergen.Reader(12_000, rostergen.WriteOrgs)
	defer users.Close()
	defer orgs.Close()
	flowtest.Ready(t, st, tenantA, "Rostering", flowtest.Roster(users, orgs))
	h := newHarnessWithStore(t, failingPages{st})
	pid := h.systemProcess()["id"].(string)
	rid := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
	runToEnd(t, st, rid)

	srv := httptest.NewServer(h.handler)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/beta/industryData/processes/"+pid+"/runs/"+rid+"/userReport/entries", nil)
	req.Header.Set("Authorization", "Bearer "+token(t, tenantA))
	req.Header.Set("Accept", "text/csv")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("read %d bytes and a clean end; want the response cut off", len(body))
	}
	if lines := strings.Count(string(body), "\n"); lines < 2 || lines > 12_000 {
		t.Errorf("got %d lines before the cut", lines)
	}
}
