package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"industrydata/internal/procstat"
	"industrydata/internal/rostergen"
	"industrydata/report"
)

// The figures of the issue: Build against a bare encoding/csv parse of the
// same users.csv, in time and in peak memory, each measured in a child
// process of its own (the test binary again) so that the peak resident set
// (VmHWM) is that one job's:
//
//	go test ./report -run TestFigures -figures 10000,100000,1000000 -v
var (
	figures     = flag.String("figures", "", "comma-separated user counts to measure Build at (off when empty)")
	figuresRuns = flag.Int("figures.runs", 3, "runs of each measurement; the fastest is reported")
)

// figure is what a child reports.
type figure struct {
	Users   int     `json:"users"`
	Seconds float64 `json:"seconds"`
	CPU     float64 `json:"cpuSeconds"` // user+system, GC workers included
	HWMKiB  int     `json:"vmhwmKiB"`
	HeapMiB float64 `json:"heapSysMiB"`
}

func TestFigures(t *testing.T) {
	if *figures == "" {
		t.Skip("no -figures")
	}
	type row struct {
		n           int
		mb          float64
		bare, build figure
	}
	var rows []row
	for _, s := range strings.Split(*figures, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-figures: %q is not a user count", s)
		}
		dir := t.TempDir()
		_, usersPath, err := rostergen.Files(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(usersPath)
		r := row{n: n, mb: float64(st.Size()) / 1e6}
		for i := 0; i < *figuresRuns; i++ {
			// Alternate, so both see the same machine load and page cache.
			for _, mode := range []string{"bare", "build"} {
				f := runChild(t, mode, dir)
				best := &r.bare
				if mode == "build" {
					best = &r.build
				}
				if best.Users == 0 {
					*best = f
				}
				// The fastest run (the least disturbed by other load) and
				// the worst peak of all runs.
				best.Seconds = min(best.Seconds, f.Seconds)
				best.CPU = min(best.CPU, f.CPU)
				best.HWMKiB = max(best.HWMKiB, f.HWMKiB)
				best.HeapMiB = max(best.HeapMiB, f.HeapMiB)
			}
		}
		rows = append(rows, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| users | users.csv MB | bare parse s (CPU s) | Build s (CPU s) | ×bare (CPU) | bare peak RSS MB | Build peak RSS MB | Build heap MB |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %.1f | %.3f (%.3f) | %.3f (%.3f) | %.2f (%.2f) | %.1f | %.1f | %.1f |\n", r.n, r.mb,
			r.bare.Seconds, r.bare.CPU, r.build.Seconds, r.build.CPU,
			r.build.Seconds/r.bare.Seconds, r.build.CPU/r.bare.CPU,
			float64(r.bare.HWMKiB)/1024, float64(r.build.HWMKiB)/1024, r.build.HeapMiB)
	}
	t.Log(b.String())
}

// runChild runs TestFigureChild in a new process and returns its figure.
func runChild(t *testing.T, mode, dir string) figure {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFigureChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "REPORT_FIGURE_MODE="+mode, "REPORT_FIGURE_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s child: %v\n%s", mode, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "FIGURE "); ok {
			var f figure
			if err := json.Unmarshal([]byte(rest), &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("%s child printed no figure:\n%s", mode, out)
	return figure{}
}

// TestFigureChild is one measurement, run by TestFigures in a child.
func TestFigureChild(t *testing.T) {
	mode, dir := os.Getenv("REPORT_FIGURE_MODE"), os.Getenv("REPORT_FIGURE_DIR")
	if mode == "" {
		t.Skip("run by TestFigures")
	}
	usersPath := filepath.Join(dir, "users.csv")
	cpu0 := cpuTime()
	start := time.Now()
	var n int
	switch mode {
	case "bare":
		f, err := os.Open(usersPath)
		if err != nil {
			t.Fatal(err)
		}
		if n, err = bareParse(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	case "build":
		src := []report.Source{{FlowID: "f1",
			OpenOrgs:  func() (io.ReadCloser, error) { return os.Open(filepath.Join(dir, "orgs.csv")) },
			OpenUsers: func() (io.ReadCloser, error) { return os.Open(usersPath) }}}
		sum, err := report.Build(context.Background(), src, report.Discard)
		if err != nil {
			t.Fatal(err)
		}
		n = sum.TotalUsers
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out, _ := json.Marshal(figure{Users: n, Seconds: elapsed.Seconds(), CPU: cpu.Seconds(), HWMKiB: procstat.PeakRSSKiB(os.Getpid()),
		HeapMiB: float64(ms.HeapSys) / (1 << 20)})
	fmt.Printf("FIGURE %s\n", out)
}

// bareParse is the baseline: every record of a CSV file through
// encoding/csv, reusing the record, with the read buffer Build uses.
func bareParse(r io.Reader) (int, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.ReuseRecord = true
	n := -1 // the header
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuild compares Build with the bare parse of the same users.csv,
// generated in memory; ns/user is the figure to compare.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		var orgs, users bytes.Buffer
		if err := rostergen.WriteOrgs(&orgs, n); err != nil {
			b.Fatal(err)
		}
		if err := rostergen.WriteUsers(&users, n); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("users=%d/bare", n), func(b *testing.B) {
			b.SetBytes(int64(users.Len()))
			for b.Loop() {
				if _, err := bareParse(bytes.NewReader(users.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/user")
		})
		b.Run(fmt.Sprintf("users=%d/build", n), func(b *testing.B) {
			b.SetBytes(int64(users.Len()))
			src := []report.Source{{FlowID: "f1",
				OpenOrgs:  func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(orgs.Bytes())), nil },
				OpenUsers: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(users.Bytes())), nil }}}
			for b.Loop() {
				if _, err := report.Build(b.Context(), src, report.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/user")
		})
	}
}
