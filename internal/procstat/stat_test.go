package procstat

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestUsed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	u := Used(os.Getpid())
	if u.Faults <= 0 || u.CPU < 0 {
		t.Errorf("Used(self) = %+v, want some page faults", u)
	}
	if got := Used(-1); got != (Usage{}) {
		t.Errorf("Used(-1) = %+v, want zero", got)
	}
	a, b := Usage{CPU: 30 * time.Millisecond, Faults: 7}, Usage{CPU: 10 * time.Millisecond, Faults: 2}
	if got := a.Sub(b); got != (Usage{CPU: 20 * time.Millisecond, Faults: 5}) {
		t.Errorf("Sub = %+v", got)
	}
	if got := a.Add(b); got != (Usage{CPU: 40 * time.Millisecond, Faults: 9}) {
		t.Errorf("Add = %+v", got)
	}
}
