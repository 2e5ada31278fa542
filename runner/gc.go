package runner

import (
	"runtime/debug"
	"sync"
)

// validationGCPercent is the collector's target while validations (and
// imports, which check the files again) run. A validation holds the sourcedId sets of every file (about 126 MB live at
// a million users with ten million enrollments), and Go's default target
// (100) lets the heap grow to twice what is live before it collects: a
// server peak of 287 MB. At 60 the same validation peaks near 210 MB, and
// took no longer in the same run (2.36× the bare parse against 2.58×:
// noise on this machine).
const validationGCPercent = 60

// gcTarget counts the validations running, so that the first lowers the
// target and the last puts back the one before.
var gcTarget struct {
	sync.Mutex
	running int
	before  int
}

// tightenGC lowers the collector's target for one check of a roster's
// files (a validation or an import) and returns
// the function that ends it. The setting is the process's: it holds while
// any validation runs, and an operator's lower GOGC (or GC off) is kept.
func tightenGC() (restore func()) {
	gcTarget.Lock()
	defer gcTarget.Unlock()
	if gcTarget.running == 0 {
		gcTarget.before = debug.SetGCPercent(validationGCPercent)
		if gcTarget.before < validationGCPercent {
			debug.SetGCPercent(gcTarget.before) // lower already, or off (< 0)
		}
	}
	gcTarget.running++
	return func() {
		gcTarget.Lock()
		defer gcTarget.Unlock()
		if gcTarget.running--; gcTarget.running == 0 {
			debug.SetGCPercent(gcTarget.before)
		}
	}
}
