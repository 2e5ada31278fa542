package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"industrydata"
	"industrydata/internal/flowtest"
	"industrydata/internal/procstat"
	"industrydata/internal/rostergen"
	"industrydata/store/sqlite"
)

// The figures of a run (issues 5 and 14), measured on the real server: the
// time a runs/start takes over one inbound flow of a generated district
// (every OneRoster file: users, orgs, the school year, courses, classes and
// ten enrollments a user), which imports the flow and refreshes the user
// report, and the server's peak RSS, beside a bare streaming parse of the
// same files with encoding/csv (each in a process of its own, so each peak
// is its own); and the p99 of GET operations/{id} while the largest run
// goes, against the same server idle.
//
//	go test ./cmd/industrydata -run TestFigures -figures 10000,100000,1000000 -v
var (
	figures     = flag.String("figures", "", "comma-separated user counts to refresh (off when empty)")
	figuresRuns = flag.Int("figures.runs", 3, "runs of each measurement; the fastest is reported")
)

// bareEnv makes the test binary parse the CSV files of the directory it
// names and print a figure, instead of running tests.
const bareEnv = "INDUSTRYDATA_TEST_BARE_PARSE"

type figure struct {
	Users   int     `json:"users"`
	Seconds float64 `json:"seconds"`
	HWMKiB  int     `json:"vmhwmKiB"`
}

// bareMain is the baseline: every record of every CSV file of dir through
// encoding/csv, as a plain streaming reader does it (a new record per row),
// in a process of its own. Users counts the records of users.csv.
func bareMain(dir string) int {
	start := time.Now()
	paths, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "no CSV files in", dir, err)
		return 1
	}
	users := 0
	for _, path := range paths {
		n, err := countRecords(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if filepath.Base(path) == "users.csv" {
			users = n
		}
	}
	out, _ := json.Marshal(figure{Users: users, Seconds: time.Since(start).Seconds(), HWMKiB: procstat.PeakRSSKiB(os.Getpid())})
	fmt.Printf("FIGURE %s\n", out)
	return 0
}

// countRecords reads every record of one CSV file and returns how many
// follow the header.
func countRecords(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	n := -1
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		n++
	}
}

func TestFigures(t *testing.T) {
	if *figures == "" {
		t.Skip("no -figures")
	}
	type row struct {
		n             int
		mb            float64
		bare, refresh figure
	}
	var rows []row
	var largest struct {
		dir  string
		n    int
		idle []time.Duration
		busy []time.Duration
	}
	for _, s := range strings.Split(*figures, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-figures: %q is not a user count", s)
		}
		dir := t.TempDir()
		if err := rostergen.AllFiles(dir, n); err != nil {
			t.Fatal(err)
		}
		r := row{n: n, mb: float64(putRosterFiles(t, dir)) / 1e6}
		for range *figuresRuns {
			keepBest(&r.bare, bareChild(t, dir))
			f, _, _ := refreshChild(t, dir, n, false)
			keepBest(&r.refresh, f)
		}
		rows = append(rows, r)
		largest.dir, largest.n = dir, n
	}

	// GET latency: the same server idle, then during a refresh of the
	// largest roster.
	_, largest.idle, largest.busy = refreshChild(t, largest.dir, largest.n, true)

	var b strings.Builder
	fmt.Fprintf(&b, "\n| users | files MB | bare parse s | run s | ×bare | bare peak RSS MB | server peak RSS MB |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %.1f | %.3f | %.3f | %.2f | %.1f | %.1f |\n", r.n, r.mb,
			r.bare.Seconds, r.refresh.Seconds, r.refresh.Seconds/r.bare.Seconds,
			float64(r.bare.HWMKiB)/1024, float64(r.refresh.HWMKiB)/1024)
	}
	idle, busy := p99(largest.idle), p99(largest.busy)
	fmt.Fprintf(&b, "\nGET operations/{id}, 2 clients, %d users: idle p99 %.2f ms (%d requests), during the run p99 %.2f ms (%d requests): %.2f× idle\n",
		largest.n, ms(idle), len(largest.idle), ms(busy), len(largest.busy), float64(busy)/float64(idle))
	t.Log(b.String())
}

func keepBest(best *figure, f figure) {
	if best.Users == 0 {
		*best = f
	}
	best.Seconds = min(best.Seconds, f.Seconds)
	best.HWMKiB = max(best.HWMKiB, f.HWMKiB)
}

// putRosterFiles gives the test tenant an inbound flow of the roster files
// of dir, ready to be imported, and returns their size in bytes.
func putRosterFiles(t *testing.T, dir string) int64 {
	t.Helper()
	st, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(dir, "industrydata.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := map[string]io.Reader{}
	var size int64
	for _, name := range industrydata.UploadFileNames {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil {
			size += info.Size()
		}
		files[name] = f
	}
	flowtest.Ready(t, st, testTenant, "Rostering", files)
	return size
}

func bareChild(t *testing.T, dir string) figure {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), bareEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bare parse: %v\n%s", err, out)
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
	t.Fatalf("bare parse printed no figure:\n%s", out)
	return figure{}
}

// refreshChild starts a server on dir, runs runs/start once and
// returns how long the run took (its endDateTime less its startDateTime)
// and the server's peak RSS. With latency set it also GETs an operation
// from two clients, for 5 seconds before the run and then until the run
// ends, and returns those latencies.
func refreshChild(t *testing.T, dir string, n int, latency bool) (f figure, idle, busy []time.Duration) {
	t.Helper()
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--access-log=false")
	api := newAPI(t, srv.addr, dir)
	var opPath string
	if latency {
		opID := api.createOperation(t, "probe")
		idle = getLoad(api, opID, func(start time.Time) bool { return time.Since(start) < 5*time.Second })
		opPath = api.startAll(t, "/beta/industryData")
		var finished atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer finished.Store(true)
			deadline := time.Now().Add(10 * time.Minute)
			for time.Now().Before(deadline) {
				status, data, err := api.do(http.MethodGet, opPath, "")
				var op fullOperation
				if err == nil && status == 200 && json.Unmarshal(data, &op) == nil && ended(op) {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		busy = getLoad(api, opID, func(time.Time) bool { return !finished.Load() })
		<-done
	} else {
		opPath = api.startAll(t, "/beta/industryData")
	}
	// Every user's entry is stored: the figure is of a whole refresh.
	checkReport(t, api, api.waitOperation(t, opPath, srv, ended), n)
	f = figure{Users: n, HWMKiB: procstat.PeakRSSKiB(srv.cmd.Process.Pid)}
	f.Seconds = lastRunSeconds(t, api)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.wait(t)
	return f, idle, busy
}

// lastRunSeconds reads the newest run and returns its duration.
func lastRunSeconds(t *testing.T, api *apiClient) float64 {
	t.Helper()
	status, data, err := api.do(http.MethodGet, "/beta/industryData/runs?$top=1", "")
	var page struct {
		Value []struct {
			Status string    `json:"status"`
			Start  time.Time `json:"startDateTime"`
			End    time.Time `json:"endDateTime"`
		} `json:"value"`
	}
	if err != nil || status != 200 || json.Unmarshal(data, &page) != nil || len(page.Value) != 1 {
		t.Fatalf("runs: %d %s %v", status, data, err)
	}
	r := page.Value[0]
	if r.Status == "failed" || r.Status == "running" {
		t.Fatalf("run ended %s: %s", r.Status, data)
	}
	return r.End.Sub(r.Start).Seconds()
}

// getLoad GETs the operation from 2 clients, one request after another
// each, while more says so, and returns the latencies.
func getLoad(api *apiClient, opID string, more func(start time.Time) bool) []time.Duration {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range 2 {
		wg.Go(func() {
			var mine []time.Duration
			for more(start) && len(mine) < 1_000_000 {
				t0 := time.Now()
				status, _, err := api.do(http.MethodGet, operationsPath+"/"+opID, "")
				if err != nil || status != 200 {
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

func p99(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*99/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
