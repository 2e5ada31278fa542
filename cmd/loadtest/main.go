// Command loadtest measures PATCH and GET-by-id throughput and latency of the
// industrydata server over loopback, for a durable store (SQLite file, every
// write synced before it is acknowledged) and an in-memory one in the same run, beside the
// ceiling (a bare net/http server in this process answering the same
// requests from a map: what the machine can serve at all), and prints a
// markdown table with each row's ratio to its memory and ceiling twins.
// The modes are measured in rounds (three by default), interleaved, so
// that the machine's drift shows in every mode alike; each round also
// times a start of the server on an empty data directory to its first
// /readyz 200, and its resident memory once idle. With
// --database-url it also measures the PostgreSQL store: one replica
// (postgres) and two replicas on the same database, each request sent to
// the next replica in turn (postgres2), and the requests per CPU-second of
// the replicas.
//
// Run it from the repository root:
//
//	go run ./cmd/loadtest --duration 10s
//	go run ./cmd/loadtest --modes durable,postgres,postgres2 --clients 64 \
//	    --database-url postgres://postgres@127.0.0.1:5432/bench
//
// Temporary data directories are made under $TMPDIR: for the durable figures
// to mean anything it must be on the disk being measured, not a tmpfs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// tenant is the tenant every request of the run is made for.
const tenant = "9f2c0c5e-6a43-4d7b-9a51-1d1f3c7e2a10"

type config struct {
	binary   string
	duration time.Duration
	warmup   time.Duration
	clients  []int
	seedOps  int
	modes    []string
	rounds   int
	out      string
	dbURL    string
	baseline string
	// cpuprofile is the directory of the servers' CPU profiles; empty
	// takes none.
	cpuprofile string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // the usage is printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	var clients, modes string
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.StringVar(&c.binary, "binary", "", "industrydata binary to run (default: go build ./cmd/industrydata into a temp dir)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each measured phase")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured load before each phase")
	fs.StringVar(&clients, "clients", "16,64", "comma-separated numbers of concurrent clients")
	fs.IntVar(&c.seedOps, "seed-ops", 2000, "operations created before measuring")
	fs.StringVar(&modes, "modes", "ceiling,memory,durable", "comma-separated modes: ceiling (a bare server in this process), memory, durable, baseline (durable, served by --baseline), postgres (one replica), postgres2 (two replicas, round-robin)")
	fs.StringVar(&c.baseline, "baseline", "", "industrydata binary of the baseline mode: the durable store before a change, measured in the same rounds as after it")
	fs.IntVar(&c.rounds, "rounds", 3, "times every mode is measured, interleaved")
	fs.StringVar(&c.dbURL, "database-url", "", "PostgreSQL database of the postgres and postgres2 modes (postgres://user@host:port/db)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "after the rounds, profile each server's CPU over one more phase per request kind at the most clients, into this directory")
	fs.StringVar(&c.out, "out", "", "also write the markdown report to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.duration <= 0 || c.warmup < 0 || c.seedOps < 1 || c.rounds < 1 {
		return c, errors.New("--duration must be > 0, --warmup >= 0, --seed-ops >= 1 and --rounds >= 1")
	}
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 4096 {
			return c, fmt.Errorf("--clients: %q is not a number from 1 to 4096", s)
		}
		c.clients = append(c.clients, n)
	}
	for _, m := range strings.Split(modes, ",") {
		m = strings.TrimSpace(m)
		switch m {
		case "ceiling", "memory", "durable":
		case "baseline":
			if c.baseline == "" {
				return c, errors.New("--modes: baseline needs --baseline")
			}
		case "postgres", "postgres2":
			if c.dbURL == "" {
				return c, fmt.Errorf("--modes: %s needs --database-url", m)
			}
		default:
			return c, fmt.Errorf("--modes: %q is not ceiling, memory, durable, baseline, postgres or postgres2", m)
		}
		c.modes = append(c.modes, m)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	loadBefore := loadAverage()
	tmp, err := os.MkdirTemp("", "loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	if c.binary == "" {
		c.binary = filepath.Join(tmp, "industrydata")
		fmt.Fprintln(os.Stderr, "building ./cmd/industrydata")
		build := exec.CommandContext(ctx, "go", "build", "-o", c.binary, "./cmd/industrydata")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}

	// One server per mode, all started up front, so that each row's modes
	// are measured back to back and drift affects them alike.
	servers := map[string]*server{}
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, mode := range c.modes {
		var s *server
		switch mode {
		case "ceiling":
			s, err = startCeiling(ctx)
		case "baseline":
			s, err = startServer(ctx, c.baseline, filepath.Join(tmp, mode), mode, c.dbURL, c.cpuprofile != "")
		default:
			s, err = startServer(ctx, c.binary, filepath.Join(tmp, mode), mode, c.dbURL, c.cpuprofile != "")
		}
		if err != nil {
			return fmt.Errorf("%s server: %w", mode, err)
		}
		servers[mode] = s
		fmt.Fprintf(os.Stderr, "%s server on %s; seeding %d operations\n", mode, strings.Join(s.addrs, ", "), c.seedOps)
		if s.ids, err = seed(ctx, s, c.seedOps); err != nil {
			return fmt.Errorf("%s server: seed: %w", mode, err)
		}
	}

	var results []result
	var starts []startup
	for round := 1; round <= c.rounds; round++ {
		st, err := measureStartup(ctx, c.binary, filepath.Join(tmp, fmt.Sprintf("start%d", round)))
		if err != nil {
			return fmt.Errorf("start-up: %w", err)
		}
		fmt.Fprintf(os.Stderr, "round %d: start-up to /readyz %s, idle RSS %.1f MB\n", round, st.ready.Round(time.Millisecond), st.rssMB())
		starts = append(starts, st)
		for _, n := range c.clients {
			for _, kind := range []string{"PATCH", "GET"} {
				for _, mode := range c.modes {
					if err := ctx.Err(); err != nil {
						return err
					}
					fmt.Fprintf(os.Stderr, "round %d %-9s %-5s %3d clients ...", round, mode, kind, n)
					r := runPhase(ctx, servers[mode], kind, n, c.warmup, c.duration)
					r.mode, r.round = mode, round
					fmt.Fprintf(os.Stderr, " %.0f req/s, %d errors\n", r.rate(), r.errors)
					results = append(results, r)
				}
			}
		}
	}

	if c.cpuprofile != "" {
		if err := profilePhases(ctx, c, servers, slices.Max(c.clients)); err != nil {
			return err
		}
	}

	mach := machine()
	if loadBefore != "" {
		// Other work on the machine skews every figure: say how busy it was.
		mach += fmt.Sprintf("; 1-min load average %s before, %s after", loadBefore, loadAverage())
	}
	report := renderReport(mach, commandLine(), results, starts)
	fmt.Fprint(stdout, report)
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(report), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// server is the industrydata child processes of one mode: one, or two
// replicas on one PostgreSQL database that requests alternate between.
type server struct {
	mode  string
	addrs []string
	token string
	ids   []string // seeded operations
	procs []*proc
	// close stops a server of this process (the ceiling).
	close func() error
	next  atomic.Uint64 // round-robin over addrs
}

// addr is the replica the next request goes to.
func (s *server) addr() string {
	return s.addrs[(s.next.Add(1)-1)%uint64(len(s.addrs))]
}

// cpuSeconds is the CPU time the server's processes have used so far.
func (s *server) cpuSeconds() float64 {
	var t float64
	for _, p := range s.procs {
		t += cpuSeconds(p.cmd.Process.Pid)
	}
	return t
}

// proc is one `serve` process.
type proc struct {
	admin  string // the admin listener's address, once logged; "" without one
	cmd    *exec.Cmd
	cancel context.CancelFunc
	exited chan struct{}
}

// startServer starts the mode's `serve` processes on free loopback ports,
// sharing a fresh data dir (and so their keys), and waits (bounded) for
// the addresses they log.
func startServer(ctx context.Context, binary, dataDir, mode, dbURL string, pprof bool) (*server, error) {
	tok, err := exec.CommandContext(ctx, binary, "token", "--data-dir", dataDir, "--tenant", tenant).Output()
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	s := &server{mode: mode, token: strings.TrimSpace(string(tok))}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir,
		"--log-format", "json", "--log-level", "info"}
	replicas := 1
	switch mode {
	case "memory":
		args = append(args, "--database-url", "sqlite::memory:")
	case "postgres":
		args = append(args, "--database-url", dbURL)
	case "postgres2":
		args = append(args, "--database-url", dbURL)
		replicas = 2
	}
	args = append(args, optionalFlags(ctx, binary, pprof)...)
	for range replicas {
		p, addr, err := startProc(ctx, binary, args)
		if err != nil {
			s.stop()
			return nil, err
		}
		s.procs, s.addrs = append(s.procs, p), append(s.addrs, addr)
	}
	return s, nil
}

// startProc starts one `serve` with args and waits for its address.
func startProc(ctx context.Context, binary string, args []string) (*proc, string, error) {
	sctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(sctx, binary, args...)
	// Stopping is SIGTERM to this one PID, then SIGKILL if it lingers.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, "", err
	}
	p := &proc{cmd: cmd, cancel: cancel, exited: make(chan struct{})}
	// ready is sent once the server has logged its address, and its admin
	// listener's when it has one (logged after): both are set by then.
	ready := make(chan struct{}, 2)
	var addr string
	go func() {
		// Read every line, so the server never blocks on a full pipe;
		// only the listening lines are kept.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var line struct {
				Msg, Addr string
				Admin     string `json:"admin_addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			switch {
			case line.Msg == "listening" && line.Addr != "":
				addr = line.Addr
				if !slices.Contains(args, "--admin-addr") {
					ready <- struct{}{}
				}
			case line.Msg == "admin listening" && addr != "":
				p.admin = line.Admin
				ready <- struct{}{}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-ready:
		return p, addr, nil
	case <-p.exited:
		cancel()
		return nil, "", errors.New("exited before listening")
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, "", errors.New("no listening line within 30s")
	}
}

// stop ends the server's processes.
func (s *server) stop() {
	for _, p := range s.procs {
		p.stop()
	}
	if s.close != nil {
		_ = s.close()
	}
}

// stop ends the process (SIGTERM, then SIGKILL after WaitDelay) and waits.
func (p *proc) stop() {
	p.cancel()
	<-p.exited
}

// cpuSeconds is the user and system CPU time of process pid, from
// /proc/<pid>/stat; 0 where it cannot be read.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// optionalFlags are the flags of serve that an older binary may not have:
// --access-log=false keeps info-level logging (for the listening line)
// without one log line per request; --admin-addr on a free port keeps the
// metrics on, as a server in production has them, without contending for
// the default port; with pprof, --pprof serves the profiles there.
func optionalFlags(ctx context.Context, binary string, pprof bool) []string {
	out, _ := exec.CommandContext(ctx, binary, "serve", "-h").CombinedOutput()
	var flags []string
	if strings.Contains(string(out), "-access-log") {
		flags = append(flags, "--access-log=false")
	}
	if strings.Contains(string(out), "-admin-addr") {
		flags = append(flags, "--admin-addr", "127.0.0.1:0")
		if pprof {
			flags = append(flags, "--pprof")
		}
	}
	return flags
}
