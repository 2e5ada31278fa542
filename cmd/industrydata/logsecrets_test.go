package main

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"industrydata/auth"
	"industrydata/blob"
)

// A whole scenario through the real server logging at debug level, every
// request traced — a connector created, the sample roster uploaded by its
// upload session, validated, a run, its report read — leaves in the log no
// bearer token, no key of the data directory, no signature of an upload
// URL and no e-mail address of the roster; and every access line names
// its trace.
func TestScenarioLogsNoSecrets(t *testing.T) {
	srv := startInProcess(t, "--log-level", "debug", "--access-log")
	key, err := auth.LoadOrCreateKey(srv.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	uploadKey, err := blob.LoadOrCreateKey(srv.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.Mint(key, auth.TokenRequest{Tenant: testTenant, Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"INDUSTRYDATA_URL": "http://" + srv.addr, "INDUSTRYDATA_TOKEN": token}
	out := mustCLI(t, env, "connectors", "create", "CSV drop", "--flow", "Rostering", "--year", "2026")
	conn := idOf(t, out, "dataConnector")
	mustCLI(t, env, "roster", "upload", "../../testdata/roster", "--connector", conn, "--validate", "--wait")
	mustCLI(t, env, "runs", "start", "--wait")
	mustCLI(t, env, "runs", "report")

	// The session the upload used: the same until it expires.
	api := newAPI(t, srv.addr, srv.dataDir)
	status, data, err := api.do("GET", "/beta/industryData/dataConnectors/"+conn+"/getUploadSession", "")
	var session struct{ SessionURL string }
	if err != nil || status != 200 || json.Unmarshal(data, &session) != nil {
		t.Fatalf("getUploadSession: %d %s %v", status, data, err)
	}
	u, err := url.Parse(session.SessionURL)
	if err != nil || u.Query().Get("sig") == "" {
		t.Fatalf("session URL %q", session.SessionURL)
	}
	sig := u.Query().Get("sig")

	secrets := map[string]string{
		"token": token, "token signature": token[strings.LastIndex(token, ".")+1:], "api token": api.token,
		"upload signature": sig, "upload signature, escaped": url.QueryEscape(sig),
	}
	for name, k := range map[string][]byte{"signing key": key, "upload key": uploadKey} {
		secrets[name+" (hex)"] = hex.EncodeToString(k)
		secrets[name+" (base64)"] = base64.StdEncoding.EncodeToString(k)
		secrets[name+" (base64url)"] = base64.RawURLEncoding.EncodeToString(k)
		secrets[name+" (raw)"] = string(k)
	}
	emails := rosterEmails(t, "../../testdata/roster/users.csv")
	if len(emails) < 10 {
		t.Fatalf("only %d e-mail addresses in the roster", len(emails))
	}
	for _, e := range emails {
		secrets["e-mail "+e] = e
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	log := srv.log.String()
	if !strings.Contains(log, testTenant) {
		t.Fatalf("the log does not even name the tenant:\n%s", log)
	}
	for name, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the log has the %s", name)
		}
	}

	// The log is the scenario's: uploads, the validation and the run, each
	// access line with its trace.
	recs := srv.log.records(t)
	routes := map[string]bool{}
	for _, r := range withMsg(recs, "request") {
		route, _ := r["route"].(string)
		routes[route] = true
		if id, _ := r["trace_id"].(string); len(id) != 32 {
			t.Errorf("access line without a trace id: %v", r)
		}
	}
	for _, want := range []string{"blob PutBlob", "POST /beta/industryData/dataConnectors/{id}/validate",
		"POST /beta/industryData/runs/start", "GET /beta/industryData/processes/{id}/runs/{rid}/userReport"} {
		if !routes[want] {
			t.Errorf("no access line of %s among %v", want, routes)
		}
	}
	for _, msg := range []string{"validation finished", "run finished"} {
		if recs := withMsg(recs, msg); len(recs) != 1 || recs[0]["trace_id"] == "" || recs[0]["trace_id"] == nil {
			t.Errorf("%s: %v", msg, recs)
		}
	}
}

// rosterEmails is the e-mail column of a OneRoster users.csv.
func rosterEmails(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %v", path, err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "email" {
			col = i
		}
	}
	var emails []string
	for _, r := range rows[1:] {
		if col >= 0 && strings.Contains(r[col], "@") {
			emails = append(emails, r[col])
		}
	}
	return emails
}
