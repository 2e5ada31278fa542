package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	readyRoster(t, st)
	h := newHarnessWithStore(t, failingPages{st})
	pid := h.systemProcess()["id"].(string)
	rid := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
	runToEnd(t, st, rid)

	body, err := downloadCSV(t, h, pid, rid)
	if err == nil {
		t.Fatalf("read %d bytes and a clean end; want the response cut off", len(body))
	}
	if lines := strings.Count(string(body), "\n"); lines < 2 || lines > 12_000 {
		t.Errorf("got %d lines before the cut", lines)
	}
}

// sweepingPages is a store whose cleanup of runs sweeps as each page of
// report entries after the first is read, after the report is found and
// before its entries are. With unpinned, its pins hold nothing, and an entry
// read of a report that went reads none, as when a run goes between the
// two reads.
type sweepingPages struct {
	industrydata.Store
	unpinned bool
}

func (s sweepingPages) PinReport(ctx context.Context, tenant industrydata.TenantID, runID string, now time.Time, ttl time.Duration) (int64, error) {
	if s.unpinned {
		return 0, nil
	}
	return s.Store.PinReport(ctx, tenant, runID, now, ttl)
}

func (s sweepingPages) ListReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
	if q.After != nil {
		if _, err := s.Sweep(ctx, industrydata.CleanupRuns, industrydata.Cutoff{Keep: 1, Now: time.Now()}, 100); err != nil {
			return nil, err
		}
	}
	entries, err := s.Store.ListReportEntries(ctx, tenant, runID, q)
	if s.unpinned && errors.Is(err, industrydata.ErrNotFound) {
		return nil, nil
	}
	return entries, err
}

// A cleanup that runs while an older report downloads, page after page,
// leaves it whole: the download pins it. Where the report goes all the
// same, the download is cut off, never ended short.
func TestUserReportCSVOutlivesCleanup(t *testing.T) {
	for _, unpinned := range []bool{false, true} {
		t.Run(fmt.Sprintf("unpinned=%t", unpinned), func(t *testing.T) {
			st := openStore(t)
			readyRoster(t, st)
			h := newHarnessWithStore(t, sweepingPages{st, unpinned})
			pid := h.systemProcess()["id"].(string)
			older := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
			runToEnd(t, st, older)
			newest := h.must(202, request{method: "POST", path: "/beta/industryData/runs/start"}).str("id")
			runToEnd(t, st, newest)
			n, err := st.CountReportEntries(t.Context(), tenantA, older, industrydata.ListQuery{})
			if err != nil {
				t.Fatal(err)
			}

			body, err := downloadCSV(t, h, pid, older)
			lines := int64(strings.Count(string(body), "\n"))
			switch {
			case unpinned && err == nil:
				t.Fatalf("read %d lines and a clean end of a report that went; want the response cut off", lines)
			case !unpinned && err != nil:
				t.Fatalf("download cut off after %d lines: %v", lines, err)
			case !unpinned && lines != n+1:
				t.Fatalf("downloaded %d lines; want the header and %d entries", lines, n)
			}
			if unpinned {
				return
			}
			// The pin went with the download: the next cleanup takes the run.
			swept, err := st.Sweep(t.Context(), industrydata.CleanupRuns, industrydata.Cutoff{Keep: 1, Now: time.Now()}, 100)
			if err != nil || swept.Rows != 1 {
				t.Fatalf("Sweep after the download = %+v, %v; want the older run", swept, err)
			}
		})
	}
}

// readyRoster makes tenantA's rostering flow ready to import 12,000 users:
// three pages of a CSV download.
func readyRoster(t *testing.T, st industrydata.Store) {
	t.Helper()
	users := rostergen.Reader(12_000, rostergen.WriteUsers)
	orgs := rostergen.Reader(12_000, rostergen.WriteOrgs)
	t.Cleanup(func() { users.Close(); orgs.Close() })
	flowtest.Ready(t, st, tenantA, "Rostering", flowtest.Roster(users, orgs))
}

// downloadCSV downloads the report of run rid of process pid as CSV over
// a real connection, and returns what it read and how the read ended.
func downloadCSV(t *testing.T, h *harness, pid, rid string) ([]byte, error) {
	t.Helper()
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
	return io.ReadAll(resp.Body)
}
