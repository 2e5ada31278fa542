package service

import (
	"strings"
	"testing"
	"time"

	"industrydata"
)

func TestPlanActivities(t *testing.T) {
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	flow := func(id string, ready industrydata.ReadinessStatus, effective time.Time, expires *time.Time) industrydata.InboundFlow {
		f := industrydata.InboundFlow{DisplayName: "flow " + id, ReadinessStatus: ready, EffectiveDateTime: effective, ExpirationDateTime: expires}
		f.ID = id
		return f
	}
	ready, notReady, expired := industrydata.ReadinessReady, industrydata.ReadinessNotReady, industrydata.ReadinessExpired
	tests := []struct {
		name     string
		flow     industrydata.InboundFlow
		wantSkip string // "" imports
	}{
		{"ready, window open, no end", flow("a", ready, now.Add(-time.Hour), nil), ""},
		{"ready, window open until later", flow("b", ready, now.Add(-time.Hour), at(time.Hour)), ""},
		{"ready, opening exactly now", flow("c", ready, now, nil), ""},
		{"not ready", flow("d", notReady, now.Add(-time.Hour), nil), SkipNotReady},
		{"window not yet open", flow("e", ready, now.Add(time.Minute), nil), SkipNotYetEffective},
		{"window closed exactly now", flow("f", ready, now.Add(-time.Hour), at(0)), SkipExpired},
		{"expired readiness and closed window", flow("g", expired, now.Add(-2*time.Hour), at(-time.Hour)), SkipExpired},
		{"not ready and not yet open: the window is told first", flow("h", notReady, now.Add(time.Hour), nil), SkipNotYetEffective},
	}
	flows := make([]industrydata.InboundFlow, len(tests))
	for i, tt := range tests {
		flows[i] = tt.flow
	}
	acts := planActivities(flows, now)
	if len(acts) != len(tests) {
		t.Fatalf("%d activities for %d flows", len(acts), len(tests))
	}
	ids := map[string]bool{}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := acts[i]
			if a.FlowID != tt.flow.ID || a.DisplayName != tt.flow.DisplayName || a.ID == "" || ids[a.ID] {
				t.Fatalf("activity %+v does not stand for flow %s with an id of its own", a, tt.flow.ID)
			}
			ids[a.ID] = true
			if tt.wantSkip == "" {
				if a.Status != industrydata.ActivityInProgress || a.BlockingError != nil {
					t.Errorf("status %s, blockingError %+v; want inProgress, none", a.Status, a.BlockingError)
				}
				return
			}
			if a.Status != industrydata.ActivitySkipped || a.BlockingError == nil || a.BlockingError.Code != tt.wantSkip {
				t.Fatalf("status %s, blockingError %+v; want skipped, %s", a.Status, a.BlockingError, tt.wantSkip)
			}
			if a.BlockingError.Target != tt.flow.ID || !strings.Contains(a.BlockingError.Message, tt.flow.DisplayName) {
				t.Errorf("blockingError %+v does not name the flow", a.BlockingError)
			}
		})
	}
}
