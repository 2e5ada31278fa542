package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/runner"
)

// A roster goes in the published Graph way: the connector's upload
// session, Put Blob to its sessionUrl, validate, and the operation that
// follows the validation; its flows become ready once it has a validated
// set.

// uploadSession GETs the connector's session and returns its URL.
func (h *harness) uploadSession(conn, call string) *response {
	h.t.Helper()
	return h.must(200, request{method: "GET", path: idPrefix + "dataConnectors/" + conn + "/" + call})
}

// putBlob uploads one file to a session URL as Azure's Put Blob does.
func (h *harness) putBlob(sessionURL, name, body string) int {
	h.t.Helper()
	u, err := url.Parse(sessionURL)
	if err != nil {
		h.t.Fatal(err)
	}
	u.Path += "/" + name
	req := httptest.NewRequest("PUT", u.RequestURI(), strings.NewReader(body))
	req.Header.Set("x-ms-blob-type", "BlockBlob")
	req.Header.Set("x-ms-version", "2021-08-06")
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec.Code
}

// validated POSTs validate and lets a runner execute it; it returns the
// operation as it ended.
func (h *harness) validated(conn string) *response {
	h.t.Helper()
	res := h.must(202, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/validate"})
	return h.runJobs(res.header.Get("Location"))
}

// runJobs lets a runner execute the queue until the operation at location
// has ended, and returns it.
func (h *harness) runJobs(location string) *response {
	h.t.Helper()
	return h.runJobsWith(location, runner.Config{Store: h.store, Poll: time.Millisecond})
}

// runJobsWith is runJobs with a runner of cfg.
func (h *harness) runJobsWith(location string, cfg runner.Config) *response {
	h.t.Helper()
	loc, err := url.Parse(location)
	if err != nil || !strings.Contains(loc.Path, "/operations/") {
		h.t.Fatalf("Location %q", location)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.New(cfg).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		op := h.must(200, request{method: "GET", path: loc.Path})
		if s := op.str("status"); s == "succeeded" || s == "failed" {
			return op
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("operation still %s after 30s", op.str("status"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const (
	goodOrgs  = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\norg-1,active,2024-05-01T00:00:00Z,North High,school,NH,\r\n"
	goodUsers = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\r\n" +
		"u-1,active,2024-05-01T00:00:00Z,true,org-1,teacher,ada,,Ada,Lovelace,,,,,,,,\r\n" +
		"u-2,active,2024-05-01T00:00:00Z,true,org-1,student,alan,,Alan,Turing,,,alan@north.example,,,,09,\r\n"
)

func TestUploadAndValidate(t *testing.T) {
	h := newHarness(t)
	_, _, conn, flow := h.importSurface()
	s := h.uploadSession(conn, "microsoft.graph.industryData.getUploadSession()")
	sessionURL := s.str("sessionUrl")
	if !strings.HasPrefix(sessionURL, "http://industrydata.test/uploads/") || s.str("containerId") == "" ||
		s.str("sessionExpirationDateTime") == "" || !strings.Contains(s.str("@odata.context"), "fileUploadSession") {
		t.Fatalf("session = %s", s.raw)
	}
	// The same session until it expires, through the cast too; a new one
	// with resetSession=true.
	again := h.uploadSession(conn, "microsoft.graph.industryData.azureDataLakeConnector/microsoft.graph.industryData.getUploadSession")
	if again.str("containerId") != s.str("containerId") {
		t.Errorf("a second session: %s", again.raw)
	}
	if h.must(200, request{method: "GET", path: idPrefix + "inboundFlows/" + flow}).str("readinessStatus") != "notReady" {
		t.Error("a flow is ready before its connector has validated files")
	}

	// users.csv without orgs.csv: errors, and nothing validated.
	if code := h.putBlob(sessionURL, "users.csv", goodUsers); code != http.StatusCreated {
		t.Fatalf("Put Blob users.csv: %d", code)
	}
	failed := h.validated(conn)
	if failed.str("status") != "failed" || failed.str("@odata.type") != "#microsoft.graph.industryData.fileValidateOperation" {
		t.Fatalf("validation without orgs.csv: %s", failed.raw)
	}
	if errs, _ := failed.body["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["code"] != "missingFile" {
		t.Errorf("errors: %s", failed.raw)
	}
	if h.must(200, request{method: "GET", path: idPrefix + "inboundFlows/" + flow}).str("readinessStatus") != "notReady" {
		t.Error("a failed validation made the flow ready")
	}

	// With orgs.csv: succeeded, with the report's warnings; the flow is ready.
	if code := h.putBlob(sessionURL, "orgs.csv", goodOrgs); code != http.StatusCreated {
		t.Fatalf("Put Blob orgs.csv: %d", code)
	}
	ok := h.validated(conn)
	if ok.str("status") != "succeeded" {
		t.Fatalf("validation: %s", ok.raw)
	}
	files, _ := ok.body["validatedFiles"].([]any)
	warns, _ := ok.body["warnings"].([]any)
	if len(files) != 2 || len(warns) != 1 || warns[0].(map[string]any)["code"] != "missingEmail" ||
		warns[0].(map[string]any)["target"] != "users.csv:2:13" {
		t.Errorf("findings: %s", ok.raw)
	}
	set, err := h.store.ValidatedFiles(t.Context(), tenantA, conn)
	if err != nil || len(set) != 2 {
		t.Errorf("validated set %+v, %v", set, err)
	}
	if r := h.must(200, request{method: "GET", path: idPrefix + "inboundFlows/" + flow}); r.str("readinessStatus") != "ready" {
		t.Errorf("flow after a successful validation: %s", r.raw)
	}
	page := h.must(200, request{method: "GET", path: idPrefix + "inboundFlows?$filter=" + url.QueryEscape("readinessStatus eq 'ready'")})
	if v, _ := page.body["value"].([]any); len(v) != 1 {
		t.Errorf("$filter on the derived readinessStatus: %s", page.raw)
	}

	// A reset discards what was uploaded, not what was validated.
	reset := h.uploadSession(conn, "getUploadSession(resetSession=true)")
	if reset.str("containerId") == s.str("containerId") {
		t.Error("resetSession=true gave the same container")
	}
	if set, _ := h.store.ValidatedFiles(t.Context(), tenantA, conn); len(set) != 2 {
		t.Error("a reset dropped the validated set")
	}
	h.must(400, request{method: "GET", path: idPrefix + "dataConnectors/" + conn + "/getUploadSession(resetSession=maybe)"})
	posted := h.must(200, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/getUploadSession", body: `{"resetSession":true}`})
	if posted.str("containerId") == reset.str("containerId") {
		t.Error("POST getUploadSession with resetSession true in the body gave the same container")
	}
	h.must(400, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/getUploadSession", body: `{"resetSession":"yes"}`})
	h.must(400, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/getUploadSession", body: `{"other":1}`})
	h.must(404, request{method: "GET", path: idPrefix + "dataConnectors/" + conn + "/getDownloadSession()"})
	h.must(405, request{method: "GET", path: idPrefix + "dataConnectors/" + conn + "/validate"})
	h.must(404, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/validate", tenant: tenantB})
	h.must(404, request{method: "GET", path: idPrefix + "dataConnectors/" + conn + "/getUploadSession()", tenant: tenantB})
	if _, err := h.store.GetOperation(t.Context(), industrydata.TenantID(tenantA), ok.str("id")); err != nil {
		t.Error(err)
	}
}

// TestValidationSeesFilesAsStarted: a file uploaded while a validation is
// queued does not change what it reads: it judges, and validates, the
// content its session held when it was started.
func TestValidationSeesFilesAsStarted(t *testing.T) {
	h := newHarness(t)
	_, _, conn, _ := h.importSurface()
	sessionURL := h.uploadSession(conn, "getUploadSession()").str("sessionUrl")
	h.putBlob(sessionURL, "orgs.csv", goodOrgs)
	h.putBlob(sessionURL, "users.csv", goodUsers)
	started := h.must(202, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/microsoft.graph.industryData.validate"})
	h.must(409, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/validate"})
	before, err := h.store.ListBlobs(t.Context(), strings.TrimPrefix(mustPath(t, sessionURL), "/uploads/"))
	if err != nil {
		t.Fatal(err)
	}
	// Replaced before any worker took the validation: a users.csv no
	// validation would pass.
	if code := h.putBlob(sessionURL, "users.csv", "not,a,roster\r\n\"unbalanced\r\n"); code != http.StatusCreated {
		t.Fatalf("Put Blob: %d", code)
	}
	op := h.runJobs(started.header.Get("Location"))
	if op.str("status") != "succeeded" {
		t.Fatalf("validation: %s", op.raw)
	}
	set, err := h.store.ValidatedFiles(t.Context(), tenantA, conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range set {
		for _, b := range before {
			if b.Name == f.Name && b.ContentID != f.ContentID {
				t.Errorf("%s: validated content %s, the session held %s when the validation started", f.Name, f.ContentID, b.ContentID)
			}
		}
	}
}

func mustPath(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// TestFlowExpired: a flow whose expirationDateTime has passed is expired,
// whatever its connector holds, and $filter sees it so.
func TestFlowExpired(t *testing.T) {
	h := newHarness(t)
	_, year, conn, flow := h.importSurface()
	old := h.must(201, request{method: "POST", path: idPrefix + "inboundFlows", body: `{
		"@odata.type":"#microsoft.graph.industryData.inboundFileFlow","displayName":"Last year",
		"dataDomain":"educationRostering","effectiveDateTime":"2020-09-01T00:00:00Z","expirationDateTime":"2021-06-30T00:00:00Z",
		"dataConnector@odata.bind":"dataConnectors/` + conn + `","year@odata.bind":"years/` + year + `"}`})
	if old.str("readinessStatus") != "expired" {
		t.Errorf("created: %s", old.raw)
	}
	if got := h.must(200, request{method: "GET", path: idPrefix + "inboundFlows/" + flow}).str("readinessStatus"); got != "notReady" {
		t.Errorf("the open flow is %s", got)
	}
	page := h.must(200, request{method: "GET", path: idPrefix + "inboundFlows?$filter=" + url.QueryEscape("readinessStatus eq 'expired'")})
	if v, _ := page.body["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != old.str("id") {
		t.Errorf("$filter expired: %s", page.raw)
	}
}
