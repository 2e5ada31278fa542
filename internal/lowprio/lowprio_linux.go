package lowprio

import "syscall"

// lower lowers thread tid's priority: on Linux, setpriority with a thread
// id applies to that thread alone. Failure (a sandbox forbidding it)
// leaves the priority as it was, which is only slower to yield.
func lower(tid int) {
	if cur, err := priority(tid); err == nil {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(cur+Nice, 19))
	}
}

// priority returns thread tid's niceness.
func priority(tid int) (int, error) {
	// The raw syscall returns 20 - nice, so that it is never negative.
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	return 20 - p, err
}

// threadID is the calling thread's id.
func threadID() int { return syscall.Gettid() }
