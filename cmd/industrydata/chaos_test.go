package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"industrydata/httpapi"
)

// TestServeChaosFlags: --chaos is off by default, parsed and checked
// before anything opens, and refused on an address others can reach
// unless --chaos-allow-remote says so.
func TestServeChaosFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		rules   string // the rules as chaos writes them
		wantErr string
	}{
		{name: "off by default"},
		{name: "rules", args: []string{"--chaos", "429:0.1:/industryData/runs*,latency=200ms:0.2", "--chaos-seed", "42"},
			rules: "429=1s:0.1:/industryData/runs*,latency=200ms:0.2:*"},
		{name: "from the environment", env: map[string]string{"INDUSTRYDATA_CHAOS": "503=5s:1"}, rules: "503=5s:1:*"},
		{name: "localhost", args: []string{"--addr", "localhost:0", "--chaos", "503:1"}, rules: "503=1s:1:*"},
		{name: "IPv6 loopback", args: []string{"--addr", "[::1]:0", "--chaos", "503:1"}, rules: "503=1s:1:*"},
		{name: "every interface, allowed", args: []string{"--addr", ":0", "--chaos", "503:1", "--chaos-allow-remote"}, rules: "503=1s:1:*"},
		{name: "a bad rule", args: []string{"--chaos", "404:0.1"}, wantErr: "--chaos: rule \"404:0.1\""},
		{name: "a bad share", args: []string{"--chaos", "429:2"}, wantErr: "--chaos"},
		{name: "every interface", args: []string{"--addr", ":8080", "--chaos", "503:1"}, wantErr: "--chaos-allow-remote"},
		{name: "a public address", args: []string{"--addr", "192.0.2.1:8080", "--chaos", "503:1"}, wantErr: "not a loopback address"},
		{name: "a host name", args: []string{"--addr", "example.com:8080", "--chaos", "503:1"}, wantErr: "--chaos-allow-remote"},
		{name: "a seed without rules", args: []string{"--chaos-seed", "1"}, wantErr: "need --chaos"},
		{name: "allow-remote without rules", args: []string{"--chaos-allow-remote"}, wantErr: "need --chaos"},
		{name: "a bad seed", args: []string{"--chaos", "429:1", "--chaos-seed", "-1"}, wantErr: "chaos-seed"},
		{name: "batch max bytes", args: []string{"--batch-max-bytes", "100"}, wantErr: "--batch-max-bytes 100 must be at least 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseServeCase(t, tt.args, tt.env, tt.wantErr)
			if !ok {
				return
			}
			var got []string
			for _, r := range c.chaos.rules {
				got = append(got, r.String())
			}
			if strings.Join(got, ",") != tt.rules {
				t.Errorf("rules %q, want %q", strings.Join(got, ","), tt.rules)
			}
			var logs bytes.Buffer
			in := c.chaos.injector(slog.New(slog.NewJSONHandler(&logs, nil)))
			if (in == nil) != (tt.rules == "") || (in == nil) != (logs.Len() == 0) {
				t.Errorf("injector %v, log %q", in, logs.String())
			}
			if c.batchMaxBytes != httpapi.DefaultMaxBatchBytes {
				t.Errorf("--batch-max-bytes %d", c.batchMaxBytes)
			}
		})
	}
}

// TestServeChaos: serve with --chaos says so loudly at start, with the
// seed that repeats its faults, answers as the rules say, and names the
// fault in the access log; the same seed gives the same faults again.
func TestServeChaos(t *testing.T) {
	faults := func(seed string) (string, []int) {
		s := startInProcess(t, "--chaos", "429=2s:0.5:/industryData/operations", "--chaos-seed", seed)
		api := newAPI(t, s.addr, s.dataDir)
		var statuses []int
		for range 12 {
			req, _ := http.NewRequest("GET", api.base+"/beta/industryData/operations", nil)
			req.Header.Set("Authorization", "Bearer "+api.token)
			resp, err := api.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "2" {
				t.Errorf("429 with Retry-After %q", resp.Header.Get("Retry-After"))
			}
			statuses = append(statuses, resp.StatusCode)
		}
		if err := s.stop(t); err != nil {
			t.Fatal(err)
		}
		return s.log.String(), statuses
	}
	log, first := faults("7")
	_, again := faults("7")
	if !equalInts(first, again) || !containsInt(first, 429) || !containsInt(first, 200) {
		t.Errorf("seed 7 gave %v, then %v; want the same mix of 200 and 429 twice", first, again)
	}
	var warned, simulated bool
	for _, line := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if strings.HasPrefix(m["msg"].(string), "CHAOS:") && m["level"] == "WARN" && m["seed"] == float64(7) &&
			m["rules"] == "429=2s:0.5:/industryData/operations" {
			warned = true
		}
		if m["msg"] == "request" && m["chaos"] == "429=2s" && m["status"] == float64(429) {
			simulated = true
		}
	}
	if !warned || !simulated {
		t.Errorf("warned at start %v, a simulated 429 in the access log %v:\n%s", warned, simulated, log)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
