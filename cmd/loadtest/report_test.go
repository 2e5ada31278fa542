package main

import (
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
	results := []result{
		{mode: "memory", request: "PATCH", clients: 64, duration: time.Second, latencies: lat(1000, 2*time.Millisecond)},
		{mode: "durable", request: "PATCH", clients: 64, duration: time.Second, latencies: lat(500, 30*time.Millisecond),
			errors: 1, firstErrors: []string{"boom"}},
		{mode: "memory", request: "GET", clients: 64, duration: time.Second, latencies: lat(1000, time.Millisecond)},
		{mode: "durable", request: "GET", clients: 64, duration: time.Second, latencies: lat(950, time.Millisecond)},
	}
	got := renderReport("test machine", "loadtest --duration 1s", results)
	want := "machine: test machine\n\ncommand: `loadtest --duration 1s`\n\n" +
		"| mode | request | clients | req/s | p50 ms | p99 ms | errors | ×memory | server CPU s | req per CPU-s |\n" +
		"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| memory | PATCH | 64 | 1000 | 2.00 | 2.00 | 0 | 1.00 | — | — |\n" +
		"| durable | PATCH | 64 | 500 | 30.00 | 30.00 | 1 | 0.50 | — | — |\n" +
		"| memory | GET | 64 | 1000 | 1.00 | 1.00 | 0 | 1.00 | — | — |\n" +
		"| durable | GET | 64 | 950 | 1.00 | 1.00 | 0 | 0.95 | — | — |\n" +
		"\ntargets:\n" +
		"- durable PATCH, 64 clients: 0.50× memory (≥ 0.60: MISSED), p99 30.00 ms (≤ 20: MISSED), 1 errors (0: MISSED)\n" +
		"- durable GET, 64 clients: 0.95× memory (≥ 0.90: met)\n" +
		"\nfirst errors, durable PATCH 64 clients:\n- `boom`\n"
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
	for _, bad := range [][]string{{"--clients", "0"}, {"--modes", "disk"}, {"--duration", "0s"}, {"extra"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", bad)
		}
	}
}
