package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// result is one measured phase: one mode, request kind and client count.
type result struct {
	mode        string
	request     string // PATCH or GET
	clients     int
	duration    time.Duration
	latencies   []time.Duration // one per successful request
	errors      int
	firstErrors []string
	// cpu is the CPU time, in seconds, the mode's server processes used
	// during the measured window; 0 when unknown.
	cpu float64
}

// rate is successful requests per second.
func (r result) rate() float64 {
	return float64(len(r.latencies)) / r.duration.Seconds()
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, or 0 when it is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// stats is a result's figures as the table shows them.
type stats struct {
	rate     float64
	p50, p99 time.Duration
	ratio    float64 // rate over the memory row's; NaN when there is none
}

// summarize computes every row's stats, the ratio against the memory row of
// the same request and client count.
func summarize(results []result) []stats {
	out := make([]stats, len(results))
	for i, r := range results {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		out[i] = stats{rate: r.rate(), p50: percentile(sorted, 50), p99: percentile(sorted, 99), ratio: math.NaN()}
		for _, m := range results {
			if m.mode == "memory" && m.request == r.request && m.clients == r.clients && m.rate() > 0 {
				out[i].ratio = r.rate() / m.rate()
			}
		}
	}
	return out
}

// renderReport is the markdown report: machine, command, table, targets and
// the first errors of any row that had some.
func renderReport(machine, command string, results []result) string {
	var b strings.Builder
	st := summarize(results)
	fmt.Fprintf(&b, "machine: %s\n\ncommand: `%s`\n\n", machine, command)
	b.WriteString("| mode | request | clients | req/s | p50 ms | p99 ms | errors | ×memory | server CPU s | req per CPU-s |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, r := range results {
		ratio := "—"
		if !math.IsNaN(st[i].ratio) {
			ratio = fmt.Sprintf("%.2f", st[i].ratio)
		}
		cpu, perCPU := "—", "—"
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%.1f", r.cpu)
			perCPU = fmt.Sprintf("%.0f", float64(len(r.latencies))/r.cpu)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %s | %s | %d | %s | %s | %s |\n",
			r.mode, r.request, r.clients, st[i].rate, ms(st[i].p50), ms(st[i].p99), r.errors, ratio, cpu, perCPU)
	}
	if lines := targets(results, st); len(lines) > 0 {
		b.WriteString("\ntargets:\n")
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, r := range results {
		if len(r.firstErrors) > 0 {
			fmt.Fprintf(&b, "\nfirst errors, %s %s %d clients:\n", r.mode, r.request, r.clients)
			for _, e := range r.firstErrors {
				fmt.Fprintf(&b, "- `%s`\n", e)
			}
		}
	}
	return b.String()
}

// targets checks the durable rows against the goals: PATCH at 64
// clients at least 0.6× memory with p99 ≤ 20 ms and no errors; GET by id at
// least 0.9× memory.
func targets(results []result, st []stats) []string {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	var lines []string
	for i, r := range results {
		if r.mode != "durable" || math.IsNaN(st[i].ratio) {
			continue
		}
		switch {
		case r.request == "PATCH" && r.clients == 64:
			lines = append(lines, fmt.Sprintf("durable PATCH, 64 clients: %.2f× memory (≥ 0.60: %s), p99 %s ms (≤ 20: %s), %d errors (0: %s)",
				st[i].ratio, verdict(st[i].ratio >= 0.6), ms(st[i].p99), verdict(st[i].p99 <= 20*time.Millisecond),
				r.errors, verdict(r.errors == 0)))
		case r.request == "GET":
			lines = append(lines, fmt.Sprintf("durable GET, %d clients: %.2f× memory (≥ 0.90: %s)",
				r.clients, st[i].ratio, verdict(st[i].ratio >= 0.9)))
		}
	}
	return lines
}

// machine describes where the run happened.
func machine() string {
	s := fmt.Sprintf("%d CPUs, %s/%s, %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(l, "model name"); ok {
				s += ", " + strings.TrimSpace(strings.TrimLeft(name, " \t:"))
				break
			}
		}
	}
	return s
}

// commandLine is how this run was invoked.
func commandLine() string {
	return strings.Join(append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...), " ")
}

// loadAverage is the 1-minute load average, or "" where it is unknown.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
