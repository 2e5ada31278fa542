package main

import (
	"testing"
	"time"
)

func TestSplitCountsRequestsByTheirStartInsideMergedCleanups(t *testing.T) {
	s := time.Second
	reqs := []request{{start: 0}, {start: 2 * s}, {start: 3 * s}, {start: 5 * s}, {start: 9 * s}, {start: 10 * s}}
	// Two overlapping cleanups make one from 2s to 5s; one starts before
	// the window and one ends after it.
	spans := []span{{start: 4 * s, end: 5 * s}, {start: 2 * s, end: 4500 * time.Millisecond}, {start: -s, end: s / 2}, {start: 9 * s, end: 20 * s}}
	during, outside, covered := split(reqs, spans, 10*s)
	if len(during) != 4 || len(outside) != 2 || covered != s/2+3*s+s {
		t.Fatalf("split = %d during, %d outside, %s covered; want 4, 2, 4.5s", len(during), len(outside), covered)
	}
	for _, r := range outside {
		if r.start != 5*s && r.start != 10*s {
			t.Errorf("request at %s counted outside the cleanups", r.start)
		}
	}
}

func TestStatsOfPercentiles(t *testing.T) {
	var reqs []request
	for i := range 100 {
		reqs = append(reqs, request{took: time.Duration(100-i) * time.Millisecond})
	}
	s := statsOf(reqs, 10*time.Second)
	if s.n != 100 || s.p50 != 51*time.Millisecond || s.p99 != 100*time.Millisecond || s.perSecond() != 10 {
		t.Fatalf("statsOf = %+v (%.1f/s)", s, s.perSecond())
	}
}
