package runner

import (
	"runtime/debug"
	"testing"
)

// The target is lowered while any validation runs, and the one before is
// back once the last ends; a lower one is never raised.
func TestTightenGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	current := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	endA := tightenGC()
	endB := tightenGC()
	if got := current(); got != validationGCPercent {
		t.Fatalf("during two validations: GOGC %d, want %d", got, validationGCPercent)
	}
	endA()
	if got := current(); got != validationGCPercent {
		t.Fatalf("while one still runs: GOGC %d, want %d", got, validationGCPercent)
	}
	endB()
	if got := current(); got != 100 {
		t.Fatalf("after both: GOGC %d, want 100 back", got)
	}

	debug.SetGCPercent(30)
	end := tightenGC()
	if got := current(); got != 30 {
		t.Errorf("an operator's GOGC 30 became %d", got)
	}
	end()
	if got := current(); got != 30 {
		t.Errorf("after: GOGC %d, want 30", got)
	}
}
