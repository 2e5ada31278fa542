package lowprio

import (
	"runtime"
	"testing"
)

// f runs at the lowered priority, and the goroutines around it do not.
func TestRunLowersOnlyItsThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are set on Linux only")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, err := priority()
	if err != nil {
		t.Fatal(err)
	}
	var inside int
	Run(func() { inside, err = priority() })
	if err != nil || inside != min(before+Nice, 19) {
		t.Errorf("niceness inside Run = %d (%v), want %d", inside, err, min(before+Nice, 19))
	}
	if after, _ := priority(); after != before {
		t.Errorf("the caller's niceness went from %d to %d", before, after)
	}
	// A new goroutine on a new thread keeps the usual priority.
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		p, _ := priority()
		done <- p
	}()
	if p := <-done; p != before {
		t.Errorf("another thread's niceness is %d, want %d", p, before)
	}
}
