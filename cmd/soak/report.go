package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// stats is the throughput and latency of some PATCHes over some time.
type stats struct {
	n        int
	over     time.Duration
	p50, p99 time.Duration
}

func (s stats) perSecond() float64 {
	if s.over <= 0 {
		return 0
	}
	return float64(s.n) / s.over.Seconds()
}

// statsOf is the stats of reqs over the time over.
func statsOf(reqs []request, over time.Duration) stats {
	took := make([]time.Duration, len(reqs))
	for i, r := range reqs {
		took[i] = r.took
	}
	slices.Sort(took)
	s := stats{n: len(took), over: over}
	if len(took) > 0 {
		s.p50, s.p99 = took[len(took)*50/100], took[min(len(took)*99/100, len(took)-1)]
	}
	return s
}

// split divides reqs into those that started during one of spans and the
// others, and returns the time spans cover within window.
func split(reqs []request, spans []span, window time.Duration) (during, outside []request, covered time.Duration) {
	slices.SortFunc(spans, func(a, b span) int { return int(a.start - b.start) })
	var merged []span
	for _, s := range spans {
		s.start, s.end = max(s.start, 0), min(s.end, window)
		if s.end <= s.start {
			continue
		}
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	for _, s := range merged {
		covered += s.end - s.start
	}
	for _, r := range reqs {
		i, _ := slices.BinarySearchFunc(merged, r.start, func(s span, t time.Duration) int {
			switch {
			case s.end <= t:
				return -1
			case s.start > t:
				return 1
			}
			return 0
		})
		if i < len(merged) && merged[i].start <= r.start && r.start < merged[i].end {
			during = append(during, r)
		} else {
			outside = append(outside, r)
		}
	}
	return during, outside, covered
}

// report writes the phases' figures as Markdown.
func report(w io.Writer, c config, results []result) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("Soak: %d clients PATCHing %d operations for %s per phase; cleanup phase: --retain-audit %s --cleanup-interval %s.\n\n",
		c.clients, c.operations, c.duration, c.retainAudit, c.cleanupInterval)
	p("| phase | PATCHes | req/s | p50 | p99 | failed | final db+wal (MB) |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		s := statsOf(r.requests, r.window)
		last := r.samples[len(r.samples)-1]
		p("| %s | %d | %.0f | %s | %s | %d | %.1f |\n", r.name, s.n, s.perSecond(), ms(s.p50), ms(s.p99), r.failed, mb(last.db+last.wal))
	}
	for _, r := range results {
		if len(r.cleanups) == 0 {
			continue
		}
		during, outside, covered := split(r.requests, r.cleanups, r.window)
		d, o := statsOf(during, covered), statsOf(outside, r.window-covered)
		p("\nPhase %q: %d cleanups, running %.1f%% of the time.\n\n", r.name, len(r.cleanups), 100*covered.Seconds()/r.window.Seconds())
		p("| PATCHes started | count | req/s | p50 | p99 |\n|---|---|---|---|---|\n")
		p("| while a cleanup runs | %d | %.0f | %s | %s |\n", d.n, d.perSecond(), ms(d.p50), ms(d.p99))
		p("| while none does | %d | %.0f | %s | %s |\n", o.n, o.perSecond(), ms(o.p50), ms(o.p99))
		if o.n > 0 && d.n > 0 {
			p("\nDuring cleanup: %.2f× the throughput, %.2f× the p99.\n", d.perSecond()/o.perSecond(), float64(d.p99)/float64(o.p99))
		}
	}
	p("\nDatabase + WAL size (MB) over the run:\n\n| t |")
	for _, r := range results {
		p(" %s |", r.name)
	}
	p("\n|---|")
	for range results {
		p("---|")
	}
	p("\n")
	rows := 0
	for _, r := range results {
		rows = max(rows, len(r.samples))
	}
	for i := range rows {
		at := time.Duration(0)
		cells := ""
		for _, r := range results {
			if i < len(r.samples) {
				at = r.samples[i].at
				cells += fmt.Sprintf(" %.1f |", mb(r.samples[i].db+r.samples[i].wal))
			} else {
				cells += " |"
			}
		}
		p("| %s |%s\n", at.Round(time.Second), cells)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) float64 { return float64(b) / (1 << 20) }
