// Package procstat reads what Linux says of a process, for the figures
// tests that compare peak memory.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakRSSKiB is the peak resident set (VmHWM) of process pid in KiB, from
// /proc/<pid>/status; 0 when it cannot be read (not Linux, or gone).
func PeakRSSKiB(pid int) int { return statusKiB(pid, "VmHWM:") }

// RSSKiB is the current resident set (VmRSS) of process pid in KiB, from
// /proc/<pid>/status; 0 when it cannot be read.
func RSSKiB(pid int) int { return statusKiB(pid, "VmRSS:") }

func statusKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	return 0
}
