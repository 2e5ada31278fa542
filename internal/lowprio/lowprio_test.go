package lowprio

import (
	"runtime"
	"testing"
	"time"
)

// usual is the calling goroutine's thread's niceness, the goroutine locked
// to it until the test ends.
func usual(t *testing.T) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are set on Linux only")
	}
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	p, err := priority(threadID())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func self() int {
	p, _ := priority(threadID())
	return p
}

// f runs at the lowered priority, and the goroutines around it do not.
func TestRunLowersOnlyItsThread(t *testing.T) {
	before := usual(t)
	var inside int
	Run(func() { inside = self() })
	if inside != min(before+Nice, 19) {
		t.Errorf("niceness inside Run = %d, want %d", inside, min(before+Nice, 19))
	}
	if after := self(); after != before {
		t.Errorf("the caller's niceness went from %d to %d", before, after)
	}
	// A new goroutine on a new thread keeps the usual priority.
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		done <- self()
	}()
	if p := <-done; p != before {
		t.Errorf("another thread's niceness is %d, want %d", p, before)
	}
}

// Work shorter than RunAfter's delay keeps the usual priority.
func TestRunAfterShortWorkKeepsPriority(t *testing.T) {
	before := usual(t)
	var inside int
	RunAfter(time.Hour, func() { inside = self() })
	if inside != before {
		t.Errorf("niceness inside RunAfter = %d, want the usual %d", inside, before)
	}
}

// Work still running when the delay ends is lowered then, on its thread.
func TestRunAfterLowersLongWork(t *testing.T) {
	before := usual(t)
	after, lowered := make(chan time.Time), make(chan struct{})
	var first, then int
	run(after, lowered, func() {
		first = self()
		after <- time.Time{}
		<-lowered
		then = self()
	})
	if first != before || then != min(before+Nice, 19) {
		t.Errorf("niceness %d before the delay and %d after, want %d and %d", first, then, before, min(before+Nice, 19))
	}
	if p := self(); p != before {
		t.Errorf("the caller's niceness went from %d to %d", before, p)
	}
}
