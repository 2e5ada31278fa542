package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"industrydata/internal/pgtest"
)

// The service on PostgreSQL with several replicas: real `serve` processes
// (this test binary as a child, like startChild) sharing one database and
// one --data-dir (its keys: tokens and $skiptokens work on every replica).
// TestReplicas runs its cases against PostgreSQL directly and once through
// PgBouncer in transaction pooling mode. This file sets them up: the
// database, PgBouncer, the replica processes and their clients;
// replicas_test.go has the cases.

// replicaDB returns the URL of a new, empty database for replicas, direct
// or through a PgBouncer in transaction pooling mode in front of the
// server.
func replicaDB(t *testing.T, bouncer bool) string {
	t.Helper()
	srv := pgtest.Start(t)
	db := srv.NewDatabase(t, "")
	if !bouncer {
		return srv.URL(db)
	}
	port := startPgBouncer(t, srv)
	u, _ := url.Parse(srv.URL(db))
	u.Host = "127.0.0.1:" + strconv.Itoa(port)
	return u.String()
}

// startPgBouncer runs Debian's pgbouncer in transaction pooling mode on a
// free port of 127.0.0.1, in front of srv, until the test ends (it is
// killed by its PID). Without pgbouncer the test fails under CI=true and
// is skipped elsewhere.
func startPgBouncer(t *testing.T, srv *pgtest.Server) int {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr == nil {
			bin, err = "/usr/sbin/pgbouncer", nil
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgbouncer not found: %v", err)
		}
		t.Skipf("pgbouncer not found (apt-get install pgbouncer to run this test): %v", err)
	}
	dir := filepath.Join(srv.Dir(), fmt.Sprintf("pgbouncer-%d", time.Now().UnixNano()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freeTCPPort(t)
	ini := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 40
max_client_conn = 400
ignore_startup_parameters = extra_float_digits
logfile = %s
pidfile =
`, srv.Port(), port, filepath.Join(dir, "users.txt"), filepath.Join(dir, "pgbouncer.log"))
	for name, content := range map[string]string{"pgbouncer.ini": ini, "users.txt": `"postgres" ""` + "\n"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Chown(dir); err != nil {
		t.Fatal(err)
	}
	cmd := srv.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// runuser passes the signal on to pgbouncer.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// Listening once a connection goes through it to the server.
	u, _ := url.Parse(srv.URL("postgres"))
	u.Host = "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer exited: %s\n%s", out.String(), log)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := pingURL(ctx, u.String())
		cancel()
		if err == nil {
			return port
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer does not answer: %v\n%s\n%s", err, out.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeTCPPort is a port of 127.0.0.1 nothing listens on now.
// pingURL connects to url and runs SELECT 1, in the exec mode the store uses.
func pingURL(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// launchChild starts `serve` with args in a child process without waiting
// for it to listen (so that several replicas start, and migrate, at once).
func launchChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{log: newLogWatcher(), exited: make(chan struct{})}
	c.cmd = exec.Command(exe, append([]string{"--", "serve", "--log-format", "json"}, args...)...)
	c.cmd.Env = append(childEnviron(), env...)
	c.cmd.Stderr = c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	})
	return c
}

// startReplicas starts n replicas on dbURL sharing dataDir, all at once,
// and waits until each listens.
func startReplicas(t *testing.T, n int, dbURL, dataDir string, env []string, args ...string) []*child {
	t.Helper()
	cs := make([]*child, n)
	for i := range cs {
		cs[i] = launchChild(t, env, append([]string{"--addr", "127.0.0.1:0", "--data-dir", dataDir,
			"--database-url", dbURL}, args...)...)
	}
	for _, c := range cs {
		c.addr = c.log.waitAddr(t, c.exited)
	}
	return cs
}

// apiAs is newAPI with a token of tenant.
func apiAs(t *testing.T, addr, dataDir, tenant string) *apiClient {
	t.Helper()
	var out, errOut bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := runToken(context.Background(), []string{"--data-dir", dataDir, "--tenant", tenant}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("runToken: %v (%s)", err, errOut.String())
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &apiClient{base: "http://" + addr, token: strings.TrimSpace(out.String()),
		http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}
