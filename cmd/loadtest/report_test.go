package main

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty is zero", nil, 50, 0},
		{"one value is every percentile", []time.Duration{ms(7)}, 99, ms(7)},
		{"median of 100 is the 50th", hundred, 50, ms(50)},
		{"p99 of 100 is the 99th", hundred, 99, ms(99)},
		{"p100 is the largest", hundred, 100, ms(100)},
		{"p99 of 3 rounds up to the largest", []time.Duration{ms(1), ms(2), ms(3)}, 99, ms(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%d values, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func TestRenderReport(t *testing.T) {
	lat := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	var results []result
	// Two rounds; the durable PATCH is 0.40× then 0.30× the ceiling, its
	// median 0.35×.
	for round, durable := range []int{800, 600} {
		results = append(results,
			result{round: round + 1, mode: "ceiling", request: "PATCH", clients: 64, duration: time.Second, latencies: lat(2000, time.Millisecond)},
			result{round: round + 1, mode: "memory", request: "PATCH", clients: 64, duration: time.Second, latencies: lat(1000, 2*time.Millisecond)},
			result{round: round + 1, mode: "durable", request: "PATCH", clients: 64, duration: time.Second, latencies: lat(durable, 10*time.Millisecond)},
			result{round: round + 1, mode: "ceiling", request: "GET", clients: 64, duration: time.Second, latencies: lat(2000, time.Millisecond)},
			result{round: round + 1, mode: "durable", request: "GET", clients: 64, duration: time.Second, latencies: lat(1400, time.Millisecond)},
		)
	}
	results[2].errors, results[2].firstErrors = 1, []string{"boom"}
	starts := []startup{{ready: 150 * time.Millisecond, rssKiB: 20 << 10}, {ready: 250 * time.Millisecond, rssKiB: 22 << 10}}
	got := renderReport("test machine", "loadtest --duration 1s", results, starts)
	want := "machine: test machine\n\ncommand: `loadtest --duration 1s`\n\n" +
		"| round | mode | request | clients | req/s | p50 ms | p99 ms | errors | ×memory | ×ceiling | server CPU s | req per CPU-s |\n" +
		"|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| 1 | ceiling | PATCH | 64 | 2000 | 1.00 | 1.00 | 0 | 2.00 | 1.00 | — | — |\n" +
		"| 1 | memory | PATCH | 64 | 1000 | 2.00 | 2.00 | 0 | 1.00 | 0.50 | — | — |\n" +
		"| 1 | durable | PATCH | 64 | 800 | 10.00 | 10.00 | 1 | 0.80 | 0.40 | — | — |\n" +
		"| 1 | ceiling | GET | 64 | 2000 | 1.00 | 1.00 | 0 | — | 1.00 | — | — |\n" +
		"| 1 | durable | GET | 64 | 1400 | 1.00 | 1.00 | 0 | — | 0.70 | — | — |\n" +
		"| 2 | ceiling | PATCH | 64 | 2000 | 1.00 | 1.00 | 0 | 2.00 | 1.00 | — | — |\n" +
		"| 2 | memory | PATCH | 64 | 1000 | 2.00 | 2.00 | 0 | 1.00 | 0.50 | — | — |\n" +
		"| 2 | durable | PATCH | 64 | 600 | 10.00 | 10.00 | 0 | 0.60 | 0.30 | — | — |\n" +
		"| 2 | ceiling | GET | 64 | 2000 | 1.00 | 1.00 | 0 | — | 1.00 | — | — |\n" +
		"| 2 | durable | GET | 64 | 1400 | 1.00 | 1.00 | 0 | — | 0.70 | — | — |\n" +
		"\n| round | start-up to /readyz ms | idle RSS MB |\n|---:|---:|---:|\n" +
		"| 1 | 150 | 20.0 |\n| 2 | 250 | 22.0 |\n" +
		"\ntargets (medians over the rounds):\n" +
		"- durable PATCH, 64 clients: 0.35× the ceiling (≥ 0.40: MISSED), p99 10.00 ms (≤ 15: met), 1 errors (0: MISSED)\n" +
		"- durable GET by id, 64 clients: 0.70× the ceiling (≥ 0.60: met)\n" +
		"- start-up to /readyz 200 ms (< 300: met), idle RSS 21.0 MB (< 40: met)\n" +
		"\nfirst errors, round 1 durable PATCH 64 clients:\n- `boom`\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"--clients", "1, 8", "--modes", "durable"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 8}, c.clients); diff != "" {
		t.Errorf("clients (-want +got):\n%s", diff)
	}
	if c.rounds != 3 || !slices.Contains(c.modes, "durable") {
		t.Errorf("rounds %d, modes %v", c.rounds, c.modes)
	}
	if b, err := parseFlags([]string{"--modes", "durable,baseline", "--baseline", "/bin/old"}); err != nil || b.baseline != "/bin/old" {
		t.Errorf("baseline: %v, %v", b.baseline, err)
	}
	if d, err := parseFlags(nil); err != nil || !slices.Equal(d.modes, []string{"ceiling", "memory", "durable"}) {
		t.Errorf("default modes %v, %v", d.modes, err)
	}
	for _, bad := range [][]string{{"--clients", "0"}, {"--modes", "disk"}, {"--duration", "0s"}, {"--rounds", "0"}, {"extra"}, {"--modes", "baseline"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", bad)
		}
	}
}
