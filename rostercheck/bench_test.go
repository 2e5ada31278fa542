package rostercheck_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"industrydata/internal/procstat"
	"industrydata/internal/rostergen"
	"industrydata/roster"
	"industrydata/rostercheck"
)

// generated returns the files of a generated roster of n users (orgs,
// users, academicSessions, courses, classes, enrollments at 10 a user) in
// memory.
func generated(tb testing.TB, n int) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for name, write := range map[string]func(io.Writer, int) error{
		"orgs.csv": rostergen.WriteOrgs, "users.csv": rostergen.WriteUsers,
		"academicSessions.csv": rostergen.WriteAcademicSessions, "courses.csv": rostergen.WriteCourses,
		"classes.csv": rostergen.WriteClasses, "enrollments.csv": rostergen.WriteEnrollments,
	} {
		var b bytes.Buffer
		if err := write(&b, n); err != nil {
			tb.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// bareParse reads every file with encoding/csv alone, reusing its record:
// the baseline the validation is measured against.
func bareParse(open func(string) (io.ReadCloser, error)) (rows int, err error) {
	for _, name := range roster.Files {
		f, err := open(name)
		if err != nil {
			continue
		}
		r := csv.NewReader(f)
		r.ReuseRecord = true
		for {
			if _, err = r.Read(); err == io.EOF {
				break
			} else if err != nil {
				f.Close()
				return rows, err
			}
			rows++
		}
		f.Close()
	}
	return rows, nil
}

func memOpen(files map[string][]byte) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		b, ok := files[name]
		if !ok {
			return nil, os.ErrNotExist
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
}

// BenchmarkValidate: Validate over a generated roster beside the bare
// encoding/csv parse of the same bytes (sub-benchmark csv), in the same
// run, so that their ratio can be read off.
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		files := generated(b, n)
		size := 0
		for _, f := range files {
			size += len(f)
		}
		open := memOpen(files)
		b.Run(fmt.Sprintf("users=%d/csv", n), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := bareParse(open); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("users=%d/validate", n), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				res, err := rostercheck.Validate(context.Background(), open, rostercheck.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if res.ErrorCount != 0 {
					b.Fatalf("errors: %s", res.Summary())
				}
			}
		})
	}
}

// TestValidatePeak prints, for ROSTERCHECK_PEAK_USERS users (say 1000000),
// the time of the bare parse and of Validate over the generated files on
// disk, their ratio, the heap held after Validate (runtime/metrics) and
// the process's peak RSS. Run it alone: the peak RSS is the process's.
func TestValidatePeak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ROSTERCHECK_PEAK_USERS"))
	if n <= 0 {
		t.Skip("set ROSTERCHECK_PEAK_USERS to the number of users, such as 1000000")
	}
	dir := t.TempDir()
	if err := rostergen.AllFiles(dir, n); err != nil {
		t.Fatal(err)
	}
	open := func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, name)) }
	var size int64
	for _, name := range roster.Files {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			size += fi.Size()
		}
	}
	runtime.GC()
	start := time.Now()
	rows, err := bareParse(open)
	if err != nil {
		t.Fatal(err)
	}
	bare := time.Since(start)
	runtime.GC()
	before := heapHeld()
	start = time.Now()
	res, err := rostercheck.Validate(context.Background(), open, rostercheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("%d users, %d rows, %.0f MB: bare parse %.2f s, Validate %.2f s (×%.2f); heap held after %.0f MB (before %.0f MB); process peak RSS %.0f MB; %s",
		n, rows, float64(size)/1e6, bare.Seconds(), took.Seconds(), took.Seconds()/bare.Seconds(),
		float64(heapHeld())/1e6, float64(before)/1e6, float64(procstat.PeakRSSKiB(os.Getpid()))/1024, res.Summary())
}

// heapHeld is the memory the Go runtime holds for the heap (objects, and
// free and unused spans not yet returned to the system), from
// runtime/metrics: right after a validation, close to its peak; the peak
// RSS beside it is the process's true peak.
func heapHeld() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	var total uint64
	for _, x := range s {
		total += x.Value.Uint64()
	}
	return total
}
