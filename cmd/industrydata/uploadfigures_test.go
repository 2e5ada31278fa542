package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"industrydata/internal/procstat"
	"industrydata/internal/rostergen"
	"industrydata/roster"
)

// The figures of a school's upload and validation, the issue's, against a
// real server child, each beside a baseline measured in the same run (the
// ratio is what to compare across machines):
//
//   - the upload of each file through the Azure SDK for Go (UploadFile, in
//     blocks) beside writing the same bytes to a local file and fsyncing
//     it, file by file, interleaved;
//   - the validation (POST validate until its outcome is committed: the
//     time of the server's "validation finished" log record, written then,
//     rather than of the paced GET that next sees the operation ended, up
//     to a pace later) beside a bare encoding/csv parse of the same files
//     in this process, and the server's peak RSS meanwhile (a server
//     restarted after the upload, so the peak is the validation's);
//   - a GET of an operation, paced, during the validation, beside the same
//     GETs on the idle server just before it (p50, p99);
//   - the upload and the validation again, on the same server, each beside
//     its baseline again: the figures of a server that has done it before,
//     without what a fresh process pays once (its heap's first touch, a
//     page fault per 4 KiB, and the like).
//
// Off unless -uploadfigures.users is set:
//
//	go test ./cmd/industrydata -run TestUploadFigures -v -timeout 60m \
//	    -uploadfigures.users 10000,100000,1000000
//
// Rosters of -uploadfigures.binding users or more carry the whole binding
// (academicSessions, courses, classes, enrollments: 10 a user); smaller
// ones orgs.csv and users.csv.
var (
	upUsers       = flag.String("uploadfigures.users", "", "comma-separated roster sizes in users (off when empty)")
	upBinding     = flag.Int("uploadfigures.binding", 1_000_000, "from this many users on, the roster has classes and enrollments too")
	upBlock       = flag.Int64("uploadfigures.block", 8<<20, "the SDK's block size in bytes")
	upConcurrency = flag.Int("uploadfigures.concurrency", 4, "the SDK's concurrent blocks")
	upIdleGets    = flag.Int("uploadfigures.gets", 1000, "GETs of the idle server, one every -uploadfigures.pace")
	upPace        = flag.Duration("uploadfigures.pace", 5*time.Millisecond, "interval between the GETs of an operation")
	upMaxGets     = flag.Int("uploadfigures.maxgets", 200_000, "bound on the GETs during one validation")
	upDeadline    = flag.Duration("uploadfigures.deadline", 30*time.Minute, "bound on one validation")
	upValidate    = flag.Bool("uploadfigures.validate", true, "validate after the upload (false: the upload's figures alone)")
	upCache       = flag.String("uploadfigures.cache", "", "directory keeping the generated rosters from run to run (empty: a temporary one)")
	upRepeat      = flag.Int("uploadfigures.repeat", 0, "after the figures, upload and validate this many times more on the same server, for medians and the server's CPU per upload and validation")
)

// uploadFigures are one roster size's.
type uploadFigures struct {
	users, files                 int
	bytes                        int64
	upload, local                time.Duration // sums over the files
	bare, validate, seen         time.Duration // seen: by the paced GET
	uploadAgain, localAgain      time.Duration
	bareAgain, validateAgain     time.Duration
	rows                         int
	peakKiB, sampledKiB, idleKiB int
	peakUploadKiB                int
	idle, loaded                 []time.Duration
	status, detail               string
	// the server's usage: of each upload of the roster, and validation
	upUsed, valUsed [2]procstat.Usage
	repeat          repeated
}

func TestUploadFigures(t *testing.T) {
	if *upUsers == "" {
		t.Skip("no -uploadfigures.users")
	}
	var out []uploadFigures
	for _, s := range strings.Split(*upUsers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-uploadfigures.users: %q", s)
		}
		f := measureUpload(t, n)
		out = append(out, f)
		t.Logf("%d users done: %+v", n, summary(f))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nSDK UploadFile, block %d MiB, concurrency %d; GETs one every %v\n", *upBlock>>20, *upConcurrency, *upPace)
	b.WriteString("| users | files | MB | upload s | upload MB/s | write+fsync MB/s | ×local | ×local again | bare csv s | validate s | ×bare | ×bare again | server peak RSS MB (sampled) | GET p50 idle / during ms | GET p99 idle / during ms | p99 ×idle | GETs idle / during | outcome |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, f := range out {
		mb := float64(f.bytes) / 1e6
		upRate, localRate := mb/f.upload.Seconds(), mb/f.local.Seconds()
		ip50, ip99 := pct(f.idle, 50), pct(f.idle, 99)
		lp50, lp99 := pct(f.loaded, 50), pct(f.loaded, 99)
		fmt.Fprintf(&b, "| %d | %d | %.1f | %.3f | %.0f | %.0f | %.2f | %.2f | %.3f | %.3f | %.2f | %.2f | %.0f (%.0f) | %.2f / %.2f | %.2f / %.2f | %.2f | %d / %d | %s |\n",
			f.users, f.files, mb, f.upload.Seconds(), upRate, localRate, upRate/localRate, f.localAgain.Seconds()/f.uploadAgain.Seconds(),
			f.bare.Seconds(), f.validate.Seconds(), f.validate.Seconds()/f.bare.Seconds(), f.validateAgain.Seconds()/f.bareAgain.Seconds(),
			float64(f.peakKiB)/1024, float64(f.sampledKiB)/1024,
			millis(ip50), millis(lp50), millis(ip99), millis(lp99), float64(lp99)/float64(ip99),
			len(f.idle), len(f.loaded), f.status)
	}
	t.Log(b.String())
}

func summary(f uploadFigures) string {
	return fmt.Sprintf("%.0f MB, upload %.3fs (again %.3fs) local %.3fs (again %.3fs) upload server peak %d MiB, bare %.3fs validate %.3fs (seen by the GETs %.3fs; again %.3fs, bare %.3fs), peak %d MiB, p99 idle %.2fms during %.2fms, %s: %s",
		float64(f.bytes)/1e6, f.upload.Seconds(), f.uploadAgain.Seconds(), f.local.Seconds(), f.localAgain.Seconds(),
		f.peakUploadKiB>>10, f.bare.Seconds(), f.validate.Seconds(), f.seen.Seconds(), f.validateAgain.Seconds(), f.bareAgain.Seconds(),
		f.peakKiB>>10, millis(pct(f.idle, 99)), millis(pct(f.loaded, 99)), f.status, f.detail) +
		fmt.Sprintf("; server uploads %v/%d faults (again %v/%d), validations %v/%d faults (again %v/%d); %v",
			f.upUsed[0].CPU, f.upUsed[0].Faults, f.upUsed[1].CPU, f.upUsed[1].Faults,
			f.valUsed[0].CPU, f.valUsed[0].Faults, f.valUsed[1].CPU, f.valUsed[1].Faults, f.repeat)
}

func millis(d time.Duration) float64 { return float64(d) / 1e6 }

// pct is the p-th percentile of ds (nearest rank), 0 for none.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s), i)-1)]
}

// measureUpload measures one roster of n users, on a server and data
// directory of its own.
func measureUpload(t *testing.T, n int) uploadFigures {
	f := uploadFigures{users: n}
	work := t.TempDir()
	src := filepath.Join(work, "src")
	if *upCache != "" {
		src = filepath.Join(*upCache, fmt.Sprintf("%d-%t", n, n >= *upBinding))
	}
	if _, err := os.Stat(filepath.Join(src, "done")); err != nil {
		if err := os.MkdirAll(src, 0o755); err != nil {
			t.Fatal(err)
		}
		if n >= *upBinding {
			err = rostergen.AllFiles(src, n)
		} else {
			_, _, err = rostergen.Files(src, n)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(src, "done"), nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, name := range roster.Files {
		if _, err := os.Stat(filepath.Join(src, name)); err == nil {
			names = append(names, name)
		}
	}
	f.files = len(names)

	dir := filepath.Join(work, "data")
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--access-log=false")
	api := newAPI(t, srv.addr, dir)
	api.http.Timeout = 0
	const base = "/beta/external/industryData"
	conn, cc := api.connectorSession(t, base)

	local := filepath.Join(work, "local.csv")
	u0 := procstat.Used(srv.cmd.Process.Pid)
	f.upload, f.local, f.bytes = uploadAll(t, cc, src, names, local)
	u1 := procstat.Used(srv.cmd.Process.Pid)
	f.uploadAgain, f.localAgain, _ = uploadAll(t, cc, src, names, local)
	f.upUsed = [2]procstat.Usage{u1.Sub(u0), procstat.Used(srv.cmd.Process.Pid).Sub(u1)}

	f.peakUploadKiB = procstat.PeakRSSKiB(srv.cmd.Process.Pid)
	if !*upValidate {
		return f
	}
	// A fresh server on the same data: its peak is the validation's.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := srv.wait(t); code != 0 {
		t.Fatalf("server exited %d; log:\n%s", code, srv.log)
	}
	srv = startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--access-log=false")
	api.base = "http://" + srv.addr
	pid := srv.cmd.Process.Pid
	probe := operationsPath + "/" + api.createOperation(t, "probe")

	// The baseline of the validation: every file parsed by encoding/csv.
	t0 := time.Now()
	for _, name := range names {
		f.rows += bareCSV(t, filepath.Join(src, name))
	}
	f.bare = time.Since(t0)

	// The idle GETs, paced as those during the validation.
	f.idleKiB = procstat.RSSKiB(pid)
	tick := time.NewTicker(*upPace)
	for range *upIdleGets {
		<-tick.C
		f.idle = append(f.idle, timedGet(t, api, probe))
		timedGet(t, api, probe) // in place of the validation's GET below
	}
	tick.Stop()

	// The validation, the server's RSS sampled meanwhile.
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		st := time.NewTicker(20 * time.Millisecond)
		defer st.Stop()
		for {
			f.sampledKiB = max(f.sampledKiB, procstat.RSSKiB(pid))
			select {
			case <-stopSampling:
				return
			case <-st.C:
			}
		}
	})
	var op fullOperation
	v0 := procstat.Used(pid)
	f.validate, f.seen, op = validateOnce(t, api, srv, base, conn, probe, &f.loaded, 1)
	f.valUsed[0] = procstat.Used(pid).Sub(v0)
	f.status, f.detail = op.Status, op.detail()
	close(stopSampling)
	sampler.Wait()
	f.peakKiB = procstat.PeakRSSKiB(pid)
	f.sampledKiB = max(f.sampledKiB, procstat.RSSKiB(pid))

	// The same again: baseline, then validation.
	t0 = time.Now()
	for _, name := range names {
		bareCSV(t, filepath.Join(src, name))
	}
	f.bareAgain = time.Since(t0)
	v0 = procstat.Used(pid)
	f.validateAgain, _, _ = validateOnce(t, api, srv, base, conn, probe, nil, 2)
	f.valUsed[1] = procstat.Used(pid).Sub(v0)
	f.repeat = repeat(t, cc, srv, src, names, local, func(nth int) time.Duration {
		took, _, _ := validateOnce(t, api, srv, base, conn, probe, nil, nth)
		return took
	})
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.wait(t)
	return f
}

// uploadAll uploads the files of src, file by file, each beside its local
// write and fsync, and returns the time of each kind and the bytes.
func uploadAll(t *testing.T, cc *container.Client, src string, names []string, local string) (upload, write time.Duration, n int64) {
	t.Helper()
	for _, name := range names {
		path := filepath.Join(src, name)
		t0 := time.Now()
		size := copyAndSync(t, path, local)
		write += time.Since(t0)
		n += size
		if err := os.Remove(local); err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t0 = time.Now()
		_, err = cc.NewBlockBlobClient(name).UploadFile(t.Context(), in,
			&blockblob.UploadFileOptions{BlockSize: *upBlock, Concurrency: uint16(*upConcurrency)})
		upload += time.Since(t0)
		in.Close()
		if err != nil {
			t.Fatalf("upload %s (%d bytes): %v", name, size, err)
		}
	}
	return upload, write, n
}

// validateOnce POSTs validate and GETs its operation, and probe before
// it, one every -uploadfigures.pace until it has ended, appending the
// probe's times to loaded (unless nil). It returns the time until the
// outcome was committed (the server's nth "validation finished" record)
// and until a GET saw it, and the operation.
func validateOnce(t *testing.T, api *apiClient, srv *child, base, conn, probe string, loaded *[]time.Duration, nth int) (took, seen time.Duration, op fullOperation) {
	t.Helper()
	t0 := time.Now()
	opPath := api.validate(t, base, conn)
	deadline := t0.Add(*upDeadline)
	tick := time.NewTicker(*upPace)
	defer tick.Stop()
	for {
		<-tick.C
		if d := timedGet(t, api, probe); loaded != nil && len(*loaded) < *upMaxGets {
			*loaded = append(*loaded, d)
		}
		status, data, err := api.do(http.MethodGet, opPath, "")
		op = fullOperation{}
		if err != nil || status != 200 || json.Unmarshal(data, &op) != nil {
			t.Fatalf("GET %s: %d %s %v", opPath, status, data, err)
		}
		if ended(op) {
			return finishedAt(t, srv, nth).Sub(t0), time.Since(t0), op
		}
		if time.Now().After(deadline) {
			t.Fatalf("validation still %s after %v", op.Status, *upDeadline)
		}
	}
}

// finishedAt is when srv logged that its nth validation had finished,
// which the runner does once the outcome is committed.
func finishedAt(t *testing.T, srv *child, nth int) time.Time {
	t.Helper()
	deadline := time.Now().Add(startDeadline)
	for {
		if recs := withMsg(srv.log.records(t), "validation finished"); len(recs) >= nth {
			rec := recs[nth-1]
			at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(rec["time"]))
			if err != nil {
				t.Fatalf("validation finished at %v: %v", rec["time"], err)
			}
			return at
		}
		if time.Now().After(deadline) {
			t.Fatalf("no validation finished %d times in the log within %v; log:\n%s", nth, startDeadline, srv.log)
		}
		time.Sleep(time.Millisecond)
	}
}

// copyAndSync writes the bytes of file from to a new file to and fsyncs
// it: the local baseline of an upload.
func copyAndSync(t *testing.T, from, to string) int64 {
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bareCSV reads every record of the file with encoding/csv alone, the
// record reused, and returns how many there are.
func bareCSV(t *testing.T, path string) int {
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r := csv.NewReader(in)
	r.ReuseRecord = true
	rows := 0
	for {
		if _, err := r.Read(); err == io.EOF {
			return rows
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows++
	}
}

// timedGet GETs path, reads the whole answer, and returns how long it
// took.
func timedGet(t *testing.T, api *apiClient, path string) time.Duration {
	t0 := time.Now()
	status, data, err := api.do(http.MethodGet, path, "")
	took := time.Since(t0)
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", path, status, data, err)
	}
	return took
}

// pprofEnv, when set in the environment of the test (it is passed on to
// the children, not being INDUSTRYDATA_*), makes a child serve
// net/http/pprof on that loopback address, to profile a figures run by
// hand:
//
//	FIGURES_PPROF=127.0.0.1:6061 go test ./cmd/industrydata -run TestUploadFigures ...
//	go tool pprof http://127.0.0.1:6061/debug/pprof/profile?seconds=10
const pprofEnv = "FIGURES_PPROF"

// servePprof serves net/http/pprof on $FIGURES_PPROF, if set and on
// loopback.
func servePprof() {
	addr := os.Getenv(pprofEnv)
	if addr == "" || !strings.HasPrefix(addr, "127.0.0.1:") {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	go func() { _ = http.ListenAndServe(addr, mux) }()
}
