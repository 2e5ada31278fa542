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

import (
	"runtime"
	"sync"
	"time"
)

// Nice is how much nicer than the process Run's thread is, where the OS
// has niceness (19 at most).
const Nice = 10

// Run calls f on a goroutine locked to an OS thread of its own whose
// priority is lowered, and returns when f does. Where the OS cannot lower
// a thread's priority, f runs at the usual one.
func Run(f func()) { run(nil, nil, f) }

// RunAfter is Run with the priority lowered only once f has run for d:
// work that ends sooner (a validation of a small roster, tens of
// milliseconds) keeps the usual priority, which on a machine busy with
// other processes' work is a tenth of the CPU share or less at nice 10;
// what a request waits behind it is bounded by d either way.
func RunAfter(d time.Duration, f func()) {
	t := time.NewTimer(d)
	defer t.Stop()
	run(t.C, nil, f)
}

// run calls f on a locked thread of its own, lowered at once when after is
// nil, else when after fires if f is still running; lowered, if not nil,
// is closed once the thread has been lowered.
func run(after <-chan time.Time, lowered chan<- struct{}, f func()) {
	var (
		mu   sync.Mutex // held while lowering: the thread is still f's
		done bool
	)
	started, finished := make(chan int), make(chan struct{})
	go func() {
		defer close(finished)
		// Never unlocked: the thread, its priority lowered, ends with this
		// goroutine rather than going back to serve others. (Threads the
		// runtime starts meanwhile are cloned from a thread of its own,
		// not this one, so they keep the usual priority.)
		runtime.LockOSThread()
		if after == nil {
			lower(threadID())
			if lowered != nil {
				close(lowered)
			}
		}
		started <- threadID()
		defer func() {
			mu.Lock()
			done = true
			mu.Unlock()
		}()
		f()
	}()
	tid := <-started
	if after != nil {
		select {
		case <-finished:
			return
		case <-after:
		}
		mu.Lock()
		if !done {
			lower(tid)
			if lowered != nil {
				close(lowered)
			}
		}
		mu.Unlock()
	}
	<-finished
}
