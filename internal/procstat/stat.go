package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ticksPerSecond is Linux's USER_HZ, the unit of the CPU times of
// /proc/<pid>/stat: 100 on every architecture Go supports.
const ticksPerSecond = 100

// Usage is what a process has used so far: CPU time (user and system)
// and minor page faults (the first touch of a page of memory).
type Usage struct {
	CPU    time.Duration
	Faults int64
}

// Sub is what was used between before and u.
func (u Usage) Sub(before Usage) Usage {
	return Usage{CPU: u.CPU - before.CPU, Faults: u.Faults - before.Faults}
}

// Add is u and v together.
func (u Usage) Add(v Usage) Usage {
	return Usage{CPU: u.CPU + v.CPU, Faults: u.Faults + v.Faults}
}

// Used reads process pid's Usage from /proc/<pid>/stat; zero when it
// cannot be read. Its CPU is in ticks of 10 ms: a figure for work of tens
// of milliseconds or more, or summed over many.
func Used(pid int) Usage {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Usage{}
	}
	// The fields after the command, which is in parentheses and may hold
	// spaces: state is field 3, minflt 10, utime 14, stime 15.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return Usage{}
	}
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i-3], 10, 64); return n }
	return Usage{CPU: time.Duration(num(14)+num(15)) * time.Second / ticksPerSecond, Faults: num(10)}
}
