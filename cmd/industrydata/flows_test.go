package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"industrydata/internal/rostergen"
)

// flowUsers is the size of the roster the end-to-end test imports: big
// enough that a slowed import is still reading when the server is killed.
const flowUsers = 5_000

// The issue's end-to-end path, through HTTP only against a real server: a
// source system, a year, an azureDataLakeConnector and an inboundFileFlow;
// the roster uploaded to the upload session with the Azure SDK for Go;
// validate; runs/start, killed with -9 while it imports the flow; the next
// server resumes the run, and its statistics, activities, report
// (filtered) and CSV download say what the roster holds.
func TestRunImportsTheFlowAndSurvivesKillNine(t *testing.T) {
	dir := t.TempDir()
	env := []string{slowRunsEnv + "=1"}
	srv := startChildWith(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--lease-ttl", "1s")
	api := newAPI(t, srv.addr, dir)
	const base = "/beta/external/industryData"
	conn, cc := api.connectorSession(t, base)
	year := api.created(t, base+"/years", `{"displayName":"2025-2026","startDate":"2025-08-01","endDate":"2026-07-31","year":{"code":"2026"}}`)
	flow := api.created(t, base+"/inboundFlows", `{"@odata.type":"#microsoft.graph.industryData.inboundFileFlow",
		"displayName":"District roster","dataDomain":"educationRostering","effectiveDateTime":"2020-01-01T00:00:00Z",
		"dataConnector@odata.bind":"`+api.base+base+`/dataConnectors('`+conn+`')","year@odata.bind":"`+api.base+base+`/years('`+year+`')"}`)
	for _, f := range []struct {
		name  string
		write func(io.Writer, int) error
	}{
		{"orgs.csv", rostergen.WriteOrgs}, {"users.csv", rostergen.WriteUsers},
		{"academicSessions.csv", rostergen.WriteAcademicSessions}, {"courses.csv", rostergen.WriteCourses},
		{"classes.csv", rostergen.WriteClasses}, {"enrollments.csv", rostergen.WriteEnrollments},
	} {
		var buf bytes.Buffer
		if err := f.write(&buf, flowUsers); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.NewBlockBlobClient(f.name).UploadBuffer(t.Context(), buf.Bytes(),
			&blockblob.UploadBufferOptions{BlockSize: 256 << 10, Concurrency: 4}); err != nil {
			t.Fatalf("upload %s: %v", f.name, err)
		}
	}
	if op := api.waitOperation(t, api.validate(t, base, conn), srv, ended); op.Status != "succeeded" {
		t.Fatalf("validation: %+v", op)
	}

	// runs/start, killed in the middle of the import.
	opPath := api.startAll(t, base)
	api.waitOperation(t, opPath, srv, func(op fullOperation) bool {
		return op.Status == "running" && strings.Contains(op.detail(), "Importing the inbound flow 'District roster' (1 of 1): reading users.csv")
	})
	srv2, api2 := killAndRestart(t, srv, env, dir)
	op := api2.waitOperation(t, opPath, srv2, ended)
	if !strings.Contains(srv2.log.String(), "resuming a run whose runner stopped") {
		t.Errorf("the next server did not resume the run; log:\n%s", srv2.log)
	}
	checkReport(t, api2, op, flowUsers)
	if !strings.HasPrefix(op.detail(), "Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 5000 of 5000 users;") {
		t.Errorf("statusDetail %q", op.detail())
	}
	runID := path(op.ResourceLocation)[strings.Index(path(op.ResourceLocation), "/runs/")+len("/runs/"):]
	runID = runID[:strings.Index(runID, "/")]

	// Statistics: the run's, and the latest run's by the collection's
	// function, as the SDKs name it.
	var stats struct {
		RunID              string `json:"runId"`
		Status             string `json:"status"`
		ActivityStatistics []struct {
			Type        string `json:"@odata.type"`
			ActivityID  string `json:"activityId"`
			DisplayName string `json:"displayName"`
			Status      string `json:"status"`
			People      struct{ Active, Inactive, Total int }
			Memberships struct{ Active, Inactive, Total int }
			Groups      struct{ Total int }
		} `json:"activityStatistics"`
		InboundTotals struct {
			People, Organizations, Groups, Memberships, Errors, Warnings int
		} `json:"inboundTotals"`
	}
	for _, p := range []string{base + "/runs/" + runID + "/getStatistics()", base + "/runs/microsoft.graph.industryData.getStatistics()"} {
		api2.getJSON(t, p, &stats)
		if stats.RunID != runID || len(stats.ActivityStatistics) != 1 {
			t.Fatalf("GET %s: %+v", p, stats)
		}
		a := stats.ActivityStatistics[0]
		if a.Type != "#microsoft.graph.industryData.inboundActivityResults" || a.DisplayName != "District roster" ||
			a.People.Total != flowUsers || a.People.Active+a.People.Inactive != flowUsers ||
			a.Memberships.Total != flowUsers*rostergen.EnrollmentsPerUser || a.Groups.Total != rostergen.Classes(flowUsers) {
			t.Errorf("GET %s: activity statistics %+v", p, a)
		}
		if stats.InboundTotals.People != a.People.Active || stats.InboundTotals.Memberships != a.Memberships.Active {
			t.Errorf("GET %s: inboundTotals %+v do not count the active records", p, stats.InboundTotals)
		}
	}

	// The activity, and the flow it imported through its navigation.
	var acts struct {
		Value []struct {
			ID       string         `json:"id"`
			Status   string         `json:"status"`
			Activity map[string]any `json:"activity"`
		} `json:"value"`
	}
	api2.getJSON(t, base+"/runs/"+runID+"/activities?$expand=activity", &acts)
	if len(acts.Value) != 1 || acts.Value[0].ID != stats.ActivityStatistics[0].ActivityID || acts.Value[0].Activity["id"] != flow ||
		!strings.HasPrefix(acts.Value[0].Status, "completed") {
		t.Fatalf("activities: %+v", acts)
	}
	var flowBack map[string]any
	api2.getJSON(t, base+"/runs/"+runID+"/activities/"+acts.Value[0].ID+"/activity", &flowBack)
	if flowBack["id"] != flow || flowBack["readinessStatus"] != "ready" {
		t.Errorf("the activity's flow: %v", flowBack)
	}

	// The report: the users missing an email (teachers and administrators
	// only), counted, and the whole of it as CSV.
	report := path(op.ResourceLocation)
	var missing struct {
		Count int `json:"@odata.count"`
		Value []struct {
			Role          string   `json:"role"`
			Issues        []string `json:"issues"`
			InboundFlowID string   `json:"inboundFlowId"`
		} `json:"value"`
	}
	api2.getJSON(t, report+"/entries?$count=true&$top=5&$filter="+url.QueryEscape("issues/any(i: i eq 'missingEmail')"), &missing)
	for _, e := range missing.Value {
		if e.InboundFlowID != flow || e.Role != "teacher" && e.Role != "administrator" || !strings.Contains(strings.Join(e.Issues, ","), "missingEmail") {
			t.Errorf("entry %+v", e)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, api2.base+report+"/entries", nil)
	req.Header.Set("Authorization", "Bearer "+api2.token)
	req.Header.Set("Accept", "text/csv")
	resp, err := api2.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || strings.Count(string(csv), "\n") != flowUsers+1 {
		t.Errorf("CSV download: %d, %d lines, %v", resp.StatusCode, strings.Count(string(csv), "\n"), err)
	}
}

// killAndRestart kills srv with SIGKILL and starts the next server on its
// data directory, with env and a lease of a second, so that what srv held
// is taken over soon.
func killAndRestart(t *testing.T, srv *child, env []string, dir string) (*child, *apiClient) {
	t.Helper()
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.wait(t)
	next := startChildWith(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--lease-ttl", "1s")
	return next, newAPI(t, next.addr, dir)
}

// startAll POSTs runs/start under base and returns the path of the
// operation its Location names.
func (c *apiClient) startAll(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+base+"/runs/start", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusAccepted || err != nil || loc.Path == "" {
		t.Fatalf("runs/start: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Path
}

// getJSON GETs path and decodes its 200 answer into v.
func (c *apiClient) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	status, data, err := c.do(http.MethodGet, path, "")
	if err != nil || status != 200 {
		t.Fatalf("GET %s: %d %s %v", path, status, data, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, data)
	}
}

// path is the path of an absolute URL.
func path(u *string) string {
	if u == nil {
		return ""
	}
	p, err := url.Parse(*u)
	if err != nil {
		return ""
	}
	return p.Path
}
