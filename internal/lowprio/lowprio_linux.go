package lowprio

import "syscall"

// lower lowers the calling thread's priority: on Linux, setpriority with a
// thread id applies to that thread alone. Failure (a sandbox forbidding
// it) leaves the priority as it was, which is only slower to yield.
func lower() {
	if cur, err := priority(); err == nil {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), min(cur+Nice, 19))
	}
}

// priority returns the calling thread's niceness.
func priority() (int, error) {
	// The raw syscall returns 20 - nice, so that it is never negative.
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	return 20 - p, err
}
