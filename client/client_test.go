package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRoot(t *testing.T) {
	for base, want := range map[string]string{
		"http://127.0.0.1:8080":                    "http://127.0.0.1:8080/beta/industryData",
		"http://127.0.0.1:8080/":                   "http://127.0.0.1:8080/beta/industryData",
		"https://graph.example.com/beta":           "https://graph.example.com/beta/industryData",
		"https://graph.example.com/beta/external/": "https://graph.example.com/beta/external/industryData",
		"https://h/beta/external/industryData":     "https://h/beta/external/industryData",
		"http://localhost:1/beta/industryData/":    "http://localhost:1/beta/industryData",
	} {
		c, err := New(base, Options{})
		if err != nil || c.Root() != want {
			t.Errorf("New(%q).Root() = %v, %v; want %s", base, c, err, want)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:8080", "ftp://h", "http://", "http://h?x=1", "http://h/#f"} {
		if _, err := New(bad, Options{}); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
}

func TestResolveStaysOnTheBaseOrigin(t *testing.T) {
	c, err := New("http://127.0.0.1:8080", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"operations/x":                                         "http://127.0.0.1:8080/beta/industryData/operations/x",
		"/beta/external/industryData/runs":                     "http://127.0.0.1:8080/beta/external/industryData/runs",
		"https://public.example/beta/industryData/runs?$top=2": "http://127.0.0.1:8080/beta/industryData/runs?$top=2",
		"http://evil.example/steal":                            "http://127.0.0.1:8080/steal",
	} {
		got, err := c.resolve(ref)
		if err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for _, bad := range []string{"", "javascript://x/y", "https://h"} {
		if got, err := c.resolve(bad); err == nil {
			t.Errorf("resolve(%q) = %q, want an error", bad, got)
		}
	}
}

func TestQueryEncode(t *testing.T) {
	q := &Query{Filter: "issues/any(i: i eq 'missingEmail')", OrderBy: "username desc", Select: []string{"a", "b"},
		Expand: []string{"runs"}, Top: 5, Skip: 2, Count: true}
	want := "$filter=issues%2Fany%28i%3A+i+eq+%27missingEmail%27%29&$orderby=username+desc&$select=a%2Cb&$expand=runs&$top=5&$skip=2&$count=true"
	if got := q.encode(); got != want {
		t.Errorf("encode = %s\nwant     %s", got, want)
	}
	if (*Query)(nil).encode() != "" || (&Query{}).encode() != "" {
		t.Error("an empty query encodes to something")
	}
}

func TestOperationUpdateJSON(t *testing.T) {
	at := time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)
	data, err := json.Marshal(OperationUpdate{
		Status:             Some(OperationRunning),
		StatusDetail:       Null[string](),
		LastActionDateTime: Some(at),
	})
	if want := `{"lastActionDateTime":"2024-05-01T08:30:00Z","status":"running","statusDetail":null}`; err != nil || string(data) != want {
		t.Errorf("JSON %s, %v; want %s", data, err, want)
	}
}

func TestPlace(t *testing.T) {
	for target, want := range map[string][]any{
		"users.csv:3:13": {"users.csv", 3, 13},
		"orgs.csv:0:0":   {"orgs.csv", 0, 0},
		"a:b.csv:12:4":   {"a:b.csv", 12, 4},
		"users.csv":      nil,
		"users.csv:x:1":  nil,
		":1:2":           nil,
		"":               nil,
	} {
		file, line, col, ok := PublicError{Target: target}.Place()
		if (want == nil) == ok || (ok && (file != want[0] || line != want[1] || col != want[2])) {
			t.Errorf("Place(%q) = %q %d %d %v, want %v", target, file, line, col, ok, want)
		}
	}
}

func TestParseReportLocation(t *testing.T) {
	ref, err := ParseReportLocation("http://127.0.0.1:8080/beta/industryData/processes/p%201/runs/r1/userReport")
	if err != nil || ref != (ReportRef{ProcessID: "p 1", RunID: "r1"}) {
		t.Errorf("ParseReportLocation = %+v, %v", ref, err)
	}
	for _, bad := range []string{"", "http://h/beta/industryData/runs/r1", "/processes//runs/r/userReport"} {
		if _, err := ParseReportLocation(bad); err == nil {
			t.Errorf("ParseReportLocation(%q) accepted", bad)
		}
	}
}

// Create names the set's concrete type when the entity names none, and
// keeps the one it names; the answer's ETag becomes its Version.
func TestCreateTypeAndVersion(t *testing.T) {
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		data, _ := io.ReadAll(r.Body)
		json.Unmarshal(data, &m)
		bodies = append(bodies, m)
		w.Header().Set("ETag", `"v1"`)
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","id":"c1","displayName":"CSV"}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	got, err := c.DataConnectors().Create(t.Context(), DataConnector{DisplayName: "CSV", SourceSystemBind: Bind("sourceSystems", "s'1")})
	if err != nil || got.ID != "c1" || got.Version != `"v1"` {
		t.Fatalf("Create = %+v, %v", got, err)
	}
	if _, err := c.DataConnectors().Create(t.Context(), DataConnector{Entity: Entity{ODataType: "#other"}}); err != nil {
		t.Fatal(err)
	}
	if bodies[0]["@odata.type"] != "#microsoft.graph.industryData.azureDataLakeConnector" ||
		bodies[0]["sourceSystem@odata.bind"] != "sourceSystems('s''1')" || bodies[1]["@odata.type"] != "#other" {
		t.Errorf("bodies %v", bodies)
	}
	if _, ok := bodies[0]["id"]; ok {
		t.Errorf("the create sent an id: %v", bodies[0])
	}
}

func TestErrorOfAnswerWithoutEnvelope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "r-9")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("upstream down\n"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	_, err := c.Operations().Get(t.Context(), "x")
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 502 || e.Code != "Bad Gateway" || e.Message != "upstream down" || e.RequestID != "r-9" {
		t.Fatalf("error %#v", err)
	}
}

// A directory without a OneRoster file name is refused before anything
// is sent; other names are listed as skipped.
func TestUploadRosterNeedsOneRosterFiles(t *testing.T) {
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++ }))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	dir := t.TempDir()
	for _, name := range []string{"Users.csv", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.UploadRoster(t.Context(), srv.URL+"/uploads/c?sig=x", dir, nil)
	if err == nil || requests != 0 || strings.Join(res.Skipped, ",") != "Users.csv,notes.txt" {
		t.Errorf("UploadRoster = %+v, %v after %d requests; want an error, no request, both names skipped", res, err, requests)
	}
}
