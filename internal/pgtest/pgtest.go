// Package pgtest runs a PostgreSQL server for the tests of one package: a
// cluster made by initdb in a temporary directory, started with pg_ctl on
// 127.0.0.1 at a free port, and stopped (and deleted) when the package's
// tests end. No mocks: the tests talk to the real server.
//
// A package that uses it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and each test that needs PostgreSQL calls Start, then makes databases
// with NewDatabase. When PostgreSQL's binaries cannot be found, Start fails
// the test under CI=true and skips it elsewhere, saying why.
//
// PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
// user "postgres" (runuser), which Debian's package creates and .ci/run
// creates where it is missing.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL cluster of the test binary.
type Server struct {
	bin  string // the directory of initdb, pg_ctl, postgres
	dir  string // the temporary directory: data/, the log, the socket
	port int
	asPG bool // run the binaries as user postgres (the tests run as root)
	uid  int
	gid  int

	mu      sync.Mutex
	running bool
}

var (
	once    sync.Once
	shared  *Server
	initErr error
	dbSeq   atomic.Int64
)

// Main runs the package's tests and then stops the server if a test started
// one. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
		_ = os.RemoveAll(shared.dir)
	}
	return code
}

// Start returns the package's server, starting it on first use. Without
// PostgreSQL it fails tb under CI=true and skips it otherwise.
func Start(tb testing.TB) *Server {
	tb.Helper()
	once.Do(func() { shared, initErr = start() })
	if initErr != nil {
		if errors.Is(initErr, errNoPostgres) && os.Getenv("CI") != "true" {
			tb.Skipf("pgtest: %v (install PostgreSQL, e.g. apt-get install postgresql, to run this test)", initErr)
		}
		tb.Fatalf("pgtest: %v", initErr)
	}
	return shared
}

var errNoPostgres = errors.New("PostgreSQL's initdb and pg_ctl were not found")

// findBin returns the directory holding initdb and pg_ctl: $PG_BIN, the
// newest /usr/lib/postgresql/*/bin (Debian), else where PATH and
// /usr/local/bin have them.
func findBin() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("PG_BIN"); d != "" && has(d) {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	if has("/usr/local/bin") {
		return "/usr/local/bin", nil
	}
	return "", errNoPostgres
}

func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func start() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the user postgres: %w", err)
		}
		s.asPG = true
		s.uid, _ = strconv.Atoi(u.Uid)
		s.gid, _ = strconv.Atoi(u.Gid)
	}
	if s.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return nil, err
	}
	if s.asPG {
		if err := os.Chown(s.dir, s.uid, s.gid); err != nil {
			return nil, err
		}
	}
	out, err := s.run(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	if err != nil {
		_ = os.RemoveAll(s.dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	for try := 0; ; try++ {
		if s.port, err = freePort(); err == nil {
			if err = s.startServer(); err == nil {
				return s, nil
			}
		}
		if try == 3 {
			_ = os.RemoveAll(s.dir)
			return nil, err
		}
	}
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// run runs a PostgreSQL binary, as user postgres when the tests run as root.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if s.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// startServer starts the cluster on s.port. The settings trade durability
// against a crash of the machine for speed, as suits a throw-away test
// cluster: nothing is fsynced. A commit still reaches the operating system
// before it is acknowledged, so a killed or restarted server loses nothing
// acknowledged.
func (s *Server) startServer() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := strings.Join([]string{
		"-c listen_addresses=127.0.0.1",
		"-p " + strconv.Itoa(s.port),
		"-k " + s.dir,
		"-c fsync=off",
		"-c full_page_writes=off",
		"-c max_connections=300",
		"-c shared_buffers=128MB",
	}, " ")
	out, err := s.run(filepath.Join(s.bin, "pg_ctl"), "start", "-w", "-t", "60", "-D", s.data(),
		"-l", filepath.Join(s.dir, "postgres.log"), "-o", opts)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, lastLines(log, 20))
	}
	s.running = true
	return nil
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

// stop stops the cluster at once (its data is thrown away anyway).
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	_, _ = s.run(filepath.Join(s.bin, "pg_ctl"), "stop", "-w", "-m", "immediate", "-D", s.data())
	s.running = false
}

// Stop stops the server at once, as a crash would (its connections are
// cut, nothing is flushed beyond what was committed); Restart brings it
// back on the same port with the same data.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.stop()
}

// Restart starts the server stopped by Stop again.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if err := s.startServer(); err != nil {
		tb.Fatalf("pgtest: restart: %v", err)
	}
}

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// Dir is the server's temporary directory, owned by the user the server
// runs as (for the files of helpers such as PgBouncer).
func (s *Server) Dir() string { return s.dir }

// Command is the command that runs name as the user the server runs as
// (postgres when the tests run as root).
func (s *Server) Command(name string, args ...string) *exec.Cmd {
	if s.asPG {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// Chown gives path to the user the server runs as.
func (s *Server) Chown(path string) error {
	if !s.asPG {
		return nil
	}
	return os.Chown(path, s.uid, s.gid)
}

// URL is the URL of database db on the server.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "127.0.0.1:" + strconv.Itoa(s.port), Path: "/" + db}
	u.RawQuery = "sslmode=disable"
	return u.String()
}

// Exec runs statements on database db, each in its own transaction.
func (s *Server) Exec(ctx context.Context, db string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, s.URL(db))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// NewDatabase creates a database, empty or a copy of template when it is
// not "", and returns its name; it is dropped when tb ends.
func (s *Server) NewDatabase(tb testing.TB, template string) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + pgx.Identifier{template}.Sanitize() + " STRATEGY FILE_COPY"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Exec(ctx, "postgres", q); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return name
}

// CreateTemplate creates database name once per test binary with make,
// which is given its URL (to migrate it, say), and marks it a template for
// NewDatabase. Later calls return at once.
func (s *Server) CreateTemplate(tb testing.TB, name string, make func(url string) error) {
	tb.Helper()
	templatesMu.Lock()
	defer templatesMu.Unlock()
	if err, done := templates[name]; done {
		if err != nil {
			tb.Fatalf("pgtest: template %s: %v", name, err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.Exec(ctx, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if err == nil {
		err = make(s.URL(name))
	}
	if err == nil {
		err = s.Exec(ctx, "postgres", "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true")
	}
	templates[name] = err
	if err != nil {
		tb.Fatalf("pgtest: template %s: %v", name, err)
	}
}

var (
	templatesMu sync.Mutex
	templates   = map[string]error{}
)

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
