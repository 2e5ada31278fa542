package chaos

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want []Rule
	}{
		{"429:0.1", []Rule{{Fault{TooManyRequests, time.Second}, 0.1, "*"}}},
		{"429=30s:1:/industryData/runs*", []Rule{{Fault{TooManyRequests, 30 * time.Second}, 1, "/industryData/runs*"}}},
		{"503:0.5:*", []Rule{{Fault{Unavailable, time.Second}, 0.5, "*"}}},
		{"503=1h:0.01:/$batch", []Rule{{Fault{Unavailable, time.Hour}, 0.01, "/$batch"}}},
		{"latency=200ms:0.2", []Rule{{Fault{Latency, 200 * time.Millisecond}, 0.2, "*"}}},
		{" 429:0.1:/industryData/runs* , latency=1m:1:/industryData/operations/*/x:y ", []Rule{
			{Fault{TooManyRequests, time.Second}, 0.1, "/industryData/runs*"},
			{Fault{Latency, time.Minute}, 1, "/industryData/operations/*/x:y"}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for spec, says := range map[string]string{
		"":                           "no rule",
		"   ":                        "no rule",
		"429":                        "FAULT:SHARE",
		"429:0.1,":                   `rule ""`,
		"404:0.1":                    "must be 429, 503 or latency",
		"latency:0.1":                "needs a delay",
		"latency=0s:0.1":             "needs a delay",
		"latency=2m:0.1":             "from 1ms to 1m0s",
		"latency=soon:0.1":           "not a duration",
		"429=0s:0.1":                 "whole seconds",
		"429=1500ms:0.1":             "whole seconds",
		"503=2h:0.1":                 "whole seconds from 1s to 1h0m0s",
		"429:0":                      "above 0",
		"429:1.5":                    "at most 1",
		"429:-0.1":                   "above 0",
		"429:NaN":                    "above 0",
		"429:ten":                    "above 0",
		"429:0.1:industryData/runs*": "must start with /",
		"429:0.1:":                   "must start with /",
	} {
		_, err := Parse(spec)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", spec, err, says)
		}
	}
}

// TestRuleRoundTrip: a rule's String parses back to the rule.
func TestRuleRoundTrip(t *testing.T) {
	rules, err := Parse("429=5s:0.25:/industryData/runs*,503:1,latency=150ms:0.5:/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		back, err := Parse(r.String())
		if err != nil || len(back) != 1 || back[0] != r {
			t.Errorf("%v → %q → %v, %v", r, r.String(), back, err)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"*", "/industryData", true},
		{"*", "", true},
		{"/industryData/runs*", "/industryData/runs", true},
		{"/industryData/runs*", "/industryData/runs/start", true},
		{"/industryData/runs*", "/industryData/runsx", true},
		{"/industryData/runs*", "/industryData/processes/1/runs", false},
		{"*/runs", "/industryData/processes/1/runs", true},
		{"*/runs", "/industryData/processes/1/runs/2", false},
		{"/industryData/*/x", "/industryData/a/b/x", true},
		{"/industryData/operations", "/industryData/operations", true},
		{"/industryData/operations", "/industryData/operations/1", false},
		{"/industryData/Operations", "/industryData/operations", false},
		{"/a*b*c", "/aXbYbZc", true},
		{"/a*b*c", "/aXbYbZ", false},
		{"/$batch", "/$batch", true},
	} {
		if got := Match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// faults draws n decisions for path and returns them as strings.
func faults(in *Injector, path string, n int) []string {
	out := make([]string, n)
	for i := range out {
		if f, ok := in.Decide(path); ok {
			out[i] = f.String()
		}
	}
	return out
}

// TestDecideIsReproducible: the same seed gives the same faults to the
// same sequence of requests; another seed, others; a path no rule matches
// leaves the sequence as it is.
func TestDecideIsReproducible(t *testing.T) {
	rules, _ := Parse("429:0.3:/industryData/runs*,latency=10ms:0.3")
	a, b, c := New(rules, 42), New(rules, 42), New(rules, 43)
	if !slices.Equal(faults(a, "/industryData/runs", 200), faults(b, "/industryData/runs", 200)) {
		t.Error("the same seed gave different faults")
	}
	if slices.Equal(faults(a, "/industryData/runs", 200), faults(c, "/industryData/runs", 200)) {
		t.Error("seeds 42 and 43 gave the same 200 faults")
	}
	onlyRuns, _ := Parse("503:0.5:/industryData/runs")
	x, y := New(onlyRuns, 7), New(onlyRuns, 7)
	var got, want []string
	for i := range 100 {
		want = append(want, faults(x, "/industryData/runs", 1)...)
		if _, ok := y.Decide(fmt.Sprintf("/industryData/operations/%d", i)); ok {
			t.Fatal("a path no rule matches got a fault")
		}
		got = append(got, faults(y, "/industryData/runs", 1)...)
	}
	if !slices.Equal(got, want) {
		t.Error("requests to other paths changed the faults of /industryData/runs")
	}
	if a.Seed() != 42 || len(a.Rules()) != 2 {
		t.Errorf("seed %d, rules %v", a.Seed(), a.Rules())
	}
}

// TestDecideShares: each rule takes its share of the matching requests,
// the rules of one path in turn. (The draws are a seed's: the counts are
// the same at each run.)
func TestDecideShares(t *testing.T) {
	rules, _ := Parse("429:0.1:/industryData/runs*,503:0.2:/industryData/*,latency=1ms:1")
	in := New(rules, 1)
	const n = 20_000
	count := map[string]int{}
	for _, f := range faults(in, "/industryData/runs/start", n) {
		count[f]++
	}
	for fault, share := range map[string]float64{"429=1s": 0.1, "503=1s": 0.2, "latency=1ms": 0.7} {
		if got := float64(count[fault]) / n; math.Abs(got-share) > 0.01 {
			t.Errorf("%s: %.3f of the requests, want %.2f", fault, got, share)
		}
	}
	count = map[string]int{}
	for _, f := range faults(in, "/industryData/operations", n) {
		count[f]++
	}
	if count["429=1s"] != 0 || math.Abs(float64(count["503=1s"])/n-0.2) > 0.01 || count[""] != 0 {
		t.Errorf("/industryData/operations: %v", count)
	}
}
