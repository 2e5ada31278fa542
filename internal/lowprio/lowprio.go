// Package lowprio runs background work (a run building its user report) at
// a lower CPU priority than the goroutines serving requests.
//
// Go has no goroutine priorities, and on a busy machine the kernel lets a
// thread that computes without pause keep its core for a few milliseconds
// before a woken request-serving thread gets it: that is what a request
// waits, on top of its own work, while a refresh runs. Run puts the work
// on an OS thread of its own with a lower scheduling priority (nice 10 on
// Linux), so that the kernel hands the core to a woken thread at once, and
// the work still has every core nothing else wants. Databases do the same
// for their background threads (compaction, checkpoints).
package lowprio

import "runtime"

// Nice is how much nicer than the process Run's thread is, where the OS
// has niceness (19 at most).
const Nice = 10

// Run calls f on a goroutine locked to an OS thread of its own whose
// priority is lowered, and returns when f does. Where the OS cannot lower
// a thread's priority, f runs at the usual one.
func Run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Never unlocked: the thread, its priority lowered, ends with this
		// goroutine rather than going back to serve others. (Threads the
		// runtime starts meanwhile are cloned from a thread of its own,
		// not this one, so they keep the usual priority.)
		runtime.LockOSThread()
		lower()
		f()
	}()
	<-done
}
