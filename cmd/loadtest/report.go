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

// result is one measured phase: one round's mode, request kind and client
// count.
type result struct {
	round       int
	mode        string
	request     string // PATCH or GET
	clients     int
	duration    time.Duration
	latencies   []time.Duration // one per successful request
	errors      int
	firstErrors []string
	// cpu is the CPU time, in seconds, the mode's server processes used
	// during the measured window; 0 when unknown (the ceiling's is this
	// process's, shared with the clients).
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
	// ratios are the rate over the memory and the ceiling rows of the
	// same round, request and client count; NaN when there is none.
	memory, ceiling float64
}

// summarize computes every row's stats.
func summarize(results []result) []stats {
	out := make([]stats, len(results))
	for i, r := range results {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		out[i] = stats{rate: r.rate(), p50: percentile(sorted, 50), p99: percentile(sorted, 99),
			memory: ratioTo(results, r, "memory"), ceiling: ratioTo(results, r, "ceiling")}
	}
	return out
}

// ratioTo is r's rate over that of the mode's row of the same round,
// request and client count; NaN when there is none.
func ratioTo(results []result, r result, mode string) float64 {
	for _, m := range results {
		if m.mode == mode && m.round == r.round && m.request == r.request && m.clients == r.clients && m.rate() > 0 {
			return r.rate() / m.rate()
		}
	}
	return math.NaN()
}

func ratio(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.2f", x)
}

// renderReport is the markdown report: machine, command, the load table,
// the start-ups, targets and the first errors of any row that had some.
func renderReport(machine, command string, results []result, starts []startup) string {
	var b strings.Builder
	st := summarize(results)
	fmt.Fprintf(&b, "machine: %s\n\ncommand: `%s`\n\n", machine, command)
	b.WriteString("| round | mode | request | clients | req/s | p50 ms | p99 ms | errors | ×memory | ×ceiling | server CPU s | req per CPU-s |\n")
	b.WriteString("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, r := range results {
		cpu, perCPU := "—", "—"
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%.1f", r.cpu)
			perCPU = fmt.Sprintf("%.0f", float64(len(r.latencies))/r.cpu)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %d | %.0f | %s | %s | %d | %s | %s | %s | %s |\n",
			r.round, r.mode, r.request, r.clients, st[i].rate, ms(st[i].p50), ms(st[i].p99), r.errors,
			ratio(st[i].memory), ratio(st[i].ceiling), cpu, perCPU)
	}
	if len(starts) > 0 {
		b.WriteString("\n| round | start-up to /readyz ms | idle RSS MB |\n|---:|---:|---:|\n")
		for i, s := range starts {
			fmt.Fprintf(&b, "| %d | %.0f | %.1f |\n", i+1, float64(s.ready)/float64(time.Millisecond), s.rssMB())
		}
	}
	if lines := targets(results, st, starts); len(lines) > 0 {
		b.WriteString("\ntargets (medians over the rounds):\n")
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, r := range results {
		if len(r.firstErrors) > 0 {
			fmt.Fprintf(&b, "\nfirst errors, round %d %s %s %d clients:\n", r.round, r.mode, r.request, r.clients)
			for _, e := range r.firstErrors {
				fmt.Fprintf(&b, "- `%s`\n", e)
			}
		}
	}
	return b.String()
}

// targets checks the medians over the rounds against the goals: durable
// PATCH at 64 clients at least 0.40× the ceiling with p99 ≤ 15 ms and no
// errors; durable GET by id at 64 clients at least 0.60× the ceiling;
// start-up to /readyz under 300 ms and idle RSS under 40 MB.
func targets(results []result, st []stats, starts []startup) []string {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	var patchRatio, patchP99, getRatio []float64
	patchErrors, patchRows := 0, 0
	for i, r := range results {
		if r.mode != "durable" || r.clients != 64 || math.IsNaN(st[i].ceiling) {
			continue
		}
		switch r.request {
		case "PATCH":
			patchRatio = append(patchRatio, st[i].ceiling)
			patchP99 = append(patchP99, float64(st[i].p99)/float64(time.Millisecond))
			patchErrors += r.errors
			patchRows++
		case "GET":
			getRatio = append(getRatio, st[i].ceiling)
		}
	}
	var lines []string
	if patchRows > 0 {
		m, p := median(patchRatio), median(patchP99)
		lines = append(lines, fmt.Sprintf("durable PATCH, 64 clients: %.2f× the ceiling (≥ 0.40: %s), p99 %.2f ms (≤ 15: %s), %d errors (0: %s)",
			m, verdict(m >= 0.40), p, verdict(p <= 15), patchErrors, verdict(patchErrors == 0)))
	}
	if len(getRatio) > 0 {
		m := median(getRatio)
		lines = append(lines, fmt.Sprintf("durable GET by id, 64 clients: %.2f× the ceiling (≥ 0.60: %s)", m, verdict(m >= 0.60)))
	}
	if len(starts) > 0 {
		var ready, rss []float64
		for _, s := range starts {
			ready = append(ready, float64(s.ready)/float64(time.Millisecond))
			rss = append(rss, s.rssMB())
		}
		r, m := median(ready), median(rss)
		lines = append(lines, fmt.Sprintf("start-up to /readyz %.0f ms (< 300: %s), idle RSS %.1f MB (< 40: %s)", r, verdict(r < 300), m, verdict(m < 40)))
	}
	return lines
}

// median is the middle of xs (the mean of the two middle ones for an
// even count); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
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
