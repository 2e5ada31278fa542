package main

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// get GETs url and returns the status and body.
func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// adminAddr is the admin listener's address, as the server logged it.
func (s *inProcess) adminAddr(t *testing.T) string {
	t.Helper()
	addr, _ := s.log.waitRecord(t, "admin listening")["admin_addr"].(string)
	if addr == "" {
		t.Fatalf("no admin_addr; log:\n%s", s.log)
	}
	return addr
}

// The admin listener serves the metrics of the API's requests; neither
// the metrics nor the profiler are on the API listener, and the profiler
// is not on the admin listener without --pprof.
func TestAdminListenerServesMetrics(t *testing.T) {
	srv := startInProcess(t)
	admin := "http://" + srv.adminAddr(t)
	api := "http://" + srv.addr
	for range 3 {
		if code, _ := get(t, api+"/healthz"); code != 200 {
			t.Fatalf("healthz: %d", code)
		}
	}
	// Readiness pings the store with an empty write: one group commit.
	if code, _ := get(t, api+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	code, body := get(t, admin+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d %s", code, body)
	}
	for _, want := range []string{
		`industrydata_http_requests_total{code="200",method="GET",route="GET /healthz"} 3`,
		`industrydata_http_requests_in_flight 0`, `go_goroutines `, `process_resident_memory_bytes `,
		// A series of a histogram shows once it has an observation.
		`industrydata_store_transaction_duration_seconds_count{op="write",outcome="ok"} `,
		`industrydata_store_group_commit_writes_count `,
		`industrydata_store_pool_max_connections{pool="writer"} 1`,
		`industrydata_store_pool_max_connections{pool="readers"} 4`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape has no %s", want)
		}
	}
	for _, u := range []string{admin + "/debug/pprof/", api + "/debug/pprof/", api + "/metrics"} {
		if code, _ := get(t, u); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, code)
		}
	}
}

func TestPprofOnlyWithTheFlag(t *testing.T) {
	srv := startInProcess(t, "--pprof")
	admin := "http://" + srv.adminAddr(t)
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/goroutine?debug=1"} {
		if code, _ := get(t, admin+p); code != 200 {
			t.Errorf("GET admin %s: %d", p, code)
		}
	}
	if code, _ := get(t, "http://"+srv.addr+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("GET API /debug/pprof/: %d, want 404", code)
	}
}

func TestNoAdminListenerWhenEmpty(t *testing.T) {
	srv := startInProcess(t, "--admin-addr", "")
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	if recs := withMsg(srv.log.records(t), "admin listening"); len(recs) != 0 {
		t.Errorf("an admin listener with --admin-addr empty: %v", recs)
	}
}

func TestAdminFlags(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := parseServeFlags(nil, env(nil), io.Discard)
	if err != nil || c.admin.addr != defaultAdminAddr || c.admin.pprof || c.admin.otlpEndpoint != "" {
		t.Fatalf("defaults: %+v, %v", c.admin, err)
	}
	if c, err := parseServeFlags(nil, env(map[string]string{"INDUSTRYDATA_ADMIN_ADDR": "[::1]:9999", "INDUSTRYDATA_PPROF": "true"}), io.Discard); err != nil ||
		c.admin.addr != "[::1]:9999" || !c.admin.pprof {
		t.Errorf("from the environment: %+v, %v", c.admin, err)
	}
	if _, err := parseServeFlags([]string{"--admin-addr", "0.0.0.0:9464", "--admin-allow-remote"}, env(nil), io.Discard); err != nil {
		t.Errorf("a remote admin address allowed: %v", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--admin-addr", "0.0.0.0:9464"}, "--admin-allow-remote"},
		{[]string{"--admin-addr", ":9464"}, "--admin-allow-remote"},
		{[]string{"--admin-addr", "localhost"}, "--admin-addr"},
		{[]string{"--admin-addr", "", "--pprof"}, "need --admin-addr"},
		{[]string{"--otlp-endpoint", "127.0.0.1:4318"}, "--otlp-endpoint"},
	} {
		_, err := parseServeFlags(tc.args, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

// With --otlp-endpoint the spans of the requests reach the collector by
// OTLP/HTTP, at the latest when the server stops.
func TestSpansExportedToTheCollector(t *testing.T) {
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	var mu sync.Mutex
	var bodies [][]byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			mu.Lock()
			bodies = append(bodies, b)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	srv := startInProcess(t, "--otlp-endpoint", collector.URL)
	code, _ := get(t, "http://"+srv.addr+"/healthz", "traceparent", "00-"+trace+"-00f067aa0ba902b7-01")
	if code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	id, _ := hex.DecodeString(trace)
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bodies {
		if bytes.Contains(b, id) && bytes.Contains(b, []byte("GET /healthz")) {
			return
		}
	}
	t.Errorf("no span of trace %s among %d exports; log:\n%s", trace, len(bodies), srv.log)
}
