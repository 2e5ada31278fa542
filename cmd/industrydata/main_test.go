package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"industrydata/internal/pgtest"
)

// childEnv marks a run of this test binary as the industrydata command
// (the os/exec/exec_test.go pattern): TestMain then runs the arguments after
// "--" as main would, and exits with main's status.
const childEnv = "INDUSTRYDATA_TEST_CHILD"

// testTenant is the tenant the tests' tokens are for.
const testTenant = "c0c0c0c0-0000-4000-8000-000000000001"

// startDeadline bounds how long a server may take to log where it listens,
// and stopDeadline how long it may take to exit.
const (
	startDeadline = 15 * time.Second
	stopDeadline  = 15 * time.Second
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(childMain())
	}
	if path := os.Getenv(bareEnv); path != "" {
		os.Exit(bareMain(path))
	}
	os.Exit(pgtest.Main(m))
}

// childMain is main for a child process: the same signals, the same exit
// statuses.
func childMain() int {
	args := os.Args[1:]
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[i+1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	servePprof()
	var err error
	if os.Getenv(slowRunsEnv) == "1" && len(args) > 0 && args[0] == "serve" {
		err = runServe(ctx, args[1:], os.Getenv, os.Stdout, os.Stderr, serveOptions{runner: slowRuns})
	} else {
		err = run(ctx, args, os.Getenv, os.Stdout, os.Stderr)
	}
	return exitStatus(err, os.Stderr)
}

// logWatcher is a thread-safe writer for a server's stderr: it keeps
// everything (for failure messages) and spots the "listening" line.
type logWatcher struct {
	mu        sync.Mutex
	all       bytes.Buffer
	partial   []byte
	addr      string
	listening chan struct{} // closed once addr is known
}

func newLogWatcher() *logWatcher { return &logWatcher{listening: make(chan struct{})} }

func (w *logWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.partial = append(w.partial, p...)
	for {
		line, rest, ok := bytes.Cut(w.partial, []byte("\n"))
		if !ok {
			break
		}
		var rec struct{ Msg, Addr string }
		if w.addr == "" && json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			w.addr = rec.Addr
			close(w.listening)
		}
		w.partial = append(w.partial[:0], rest...)
	}
	return len(p), nil
}

func (w *logWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// waitAddr returns the address the server logged, failing the test if it
// stops first or takes longer than startDeadline.
func (w *logWatcher) waitAddr(t *testing.T, stopped <-chan struct{}) string {
	t.Helper()
	select {
	case <-w.listening:
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.addr
	case <-stopped:
		t.Fatalf("server stopped before listening; log:\n%s", w)
	case <-time.After(startDeadline):
		t.Fatalf("server did not log its address within %v; log:\n%s", startDeadline, w)
	}
	return ""
}

// child is this test binary running the industrydata command.
type child struct {
	cmd    *exec.Cmd
	log    *logWatcher
	addr   string
	exited chan struct{} // closed once Wait has returned
}

// childEnviron is the environment of a child: ours without any
// INDUSTRYDATA_* variable, plus the marker, and an admin listener on a
// free port, so that children never contend for the default one.
func childEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INDUSTRYDATA_") {
			env = append(env, kv)
		}
	}
	return append(env, childEnv+"=1", "INDUSTRYDATA_ADMIN_ADDR=127.0.0.1:0")
}

// startChild runs `serve` with args in a child process and waits until it
// listens. The child is killed (by its PID) when the test ends, if it still
// runs.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	return startChildWith(t, nil, args...)
}

// startChildWith is startChild with env added to the child's environment.
func startChildWith(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	c := launchChild(t, env, args...)
	c.addr = c.log.waitAddr(t, c.exited)
	return c
}

// wait waits (bounded) for the child to exit and returns its exit code.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-c.exited:
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(stopDeadline):
		t.Fatalf("child did not exit within %v; log:\n%s", stopDeadline, c.log)
		return -1
	}
}

// apiClient calls one server with one token.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// newAPI returns a client for the server at addr, with a token minted
// in-process from the key in dataDir.
func newAPI(t *testing.T, addr, dataDir string) *apiClient {
	t.Helper()
	var out, errOut bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := runToken(context.Background(), []string{"--data-dir", dataDir, "--tenant", testTenant}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("runToken: %v (%s)", err, errOut.String())
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &apiClient{
		base:  "http://" + addr,
		token: strings.TrimSpace(out.String()),
		http:  &http.Client{Transport: tr, Timeout: 10 * time.Second},
	}
}

// errIncomplete marks a response whose body was cut short.
var errIncomplete = errors.New("incomplete response body")

// do sends one request and reads the whole response. A transport error is
// err; one while reading the body wraps errIncomplete.
func (c *apiClient) do(method, path, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, data, fmt.Errorf("%w: %v", errIncomplete, err)
	}
	return resp.StatusCode, data, nil
}

// operation is the part of a longRunningOperation the tests look at.
type operation struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	StatusDetail *string `json:"statusDetail"`
}

// detail is the operation's statusDetail, "" for null.
func (o operation) detail() string {
	if o.StatusDetail == nil {
		return ""
	}
	return *o.StatusDetail
}

const operationsPath = "/beta/industryData/operations"

// createOperation creates an operation with statusDetail detail.
func (c *apiClient) createOperation(t *testing.T, detail string) string {
	t.Helper()
	status, data, err := c.do(http.MethodPost, operationsPath, fmt.Sprintf(`{"statusDetail":%q}`, detail))
	var op operation
	if err != nil || status != http.StatusCreated || json.Unmarshal(data, &op) != nil || op.ID == "" {
		t.Fatalf("create operation: %d %s %v", status, data, err)
	}
	return op.ID
}

// getOperation reads one operation, which must exist.
func (c *apiClient) getOperation(t *testing.T, id string) operation {
	t.Helper()
	status, data, err := c.do(http.MethodGet, operationsPath+"/"+id, "")
	var op operation
	if err != nil || status != http.StatusOK || json.Unmarshal(data, &op) != nil {
		t.Fatalf("get operation %s: %d %s %v", id, status, data, err)
	}
	return op
}

func TestRunConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string // after the command; serve rows also get --data-dir
		env  map[string]string
		want []string // in the error message, case-insensitively
	}{
		{name: "no command", want: []string{"no command"}},
		{name: "unknown command", args: []string{"frobnicate"}, want: []string{"frobnicate"}},
		{name: "unknown flag", args: []string{"serve", "--bogus"}, want: []string{"bogus"}},
		{name: "stray argument", args: []string{"serve", "extra"}, want: []string{"extra"}},
		{name: "addr without port", args: []string{"serve", "--addr", "localhost"}, want: []string{"addr", "localhost"}},
		{name: "addr from environment", args: []string{"serve"}, env: map[string]string{"INDUSTRYDATA_ADDR": "nonsense"},
			want: []string{"addr", "nonsense"}},
		{name: "flag beats environment", args: []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "loud"},
			env: map[string]string{"INDUSTRYDATA_ADDR": "nonsense"}, want: []string{"log-level"}},
		{name: "public url not http", args: []string{"serve", "--public-url", "ftp://x"}, want: []string{"public-url"}},
		{name: "public url with path", args: []string{"serve", "--public-url", "https://x/path"}, want: []string{"public-url"}},
		{name: "postgres url without database", args: []string{"serve", "--database-url", "postgres://u@127.0.0.1"},
			want: []string{"database-url"}},
		{name: "unknown database scheme", args: []string{"serve", "--database-url", "mysql://u@127.0.0.1/db"},
			want: []string{"database-url"}},
		{name: "loud log level", args: []string{"serve", "--log-level", "loud"}, want: []string{"log-level"}},
		{name: "log level from environment", args: []string{"serve"}, env: map[string]string{"INDUSTRYDATA_LOG_LEVEL": "loud"},
			want: []string{"log-level"}},
		{name: "malformed duration from environment", args: []string{"serve"},
			env: map[string]string{"INDUSTRYDATA_SHUTDOWN_TIMEOUT": "soon"}, want: []string{"INDUSTRYDATA_SHUTDOWN_TIMEOUT"}},
		{name: "token without tenant", args: []string{"token"}, want: []string{"tenant"}},
		{name: "negative workers", args: []string{"serve", "--workers", "-1"}, want: []string{"workers"}},
		{name: "lease under a second", args: []string{"serve", "--lease-ttl", "10ms"}, want: []string{"lease-ttl"}},
		{name: "negative throttle rate", args: []string{"serve", "--throttle-rate", "-1"}, want: []string{"throttle"}},
		{name: "tls cert without key", args: []string{"serve", "--tls-cert", "cert.pem"}, want: []string{"tls-cert", "tls-key"}},
		{name: "tls files missing", args: []string{"serve", "--tls-cert", "nope.pem", "--tls-key", "nope.key"}, want: []string{"tls-cert", "nope.pem"}},
		{name: "issuer without provider", args: []string{"serve", "--issuer", "https://login.example"}, want: []string{"--issuer", "--jwks-url"}},
		{name: "jwks without issuer", args: []string{"serve", "--jwks-url", "https://login.example/keys", "--audience", "api://x"}, want: []string{"issuer"}},
		{name: "provider without audience", args: []string{"serve", "--oidc-issuer", "https://login.example"}, want: []string{"audience"}},
		{name: "no way to verify tokens", args: []string{"serve", "--local-tokens=false"}, want: []string{"local-tokens"}},
		{name: "console client without provider", args: []string{"serve", "--console-client-id", "console"}, want: []string{"console-client-id", "oidc-issuer"}},
		{name: "chaos rule malformed", args: []string{"serve", "--chaos", "teapot:1"}, want: []string{"--chaos", "teapot"}},
		{name: "chaos on every interface", args: []string{"serve", "--addr", "0.0.0.0:0", "--chaos", "503:0.5"}, want: []string{"chaos-allow-remote"}},
	}
	// A row that wrongly passes validation must not serve: its context is
	// already over.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := slices.Clone(tt.args)
			if len(args) > 0 && (args[0] == "serve" || args[0] == "token") {
				args = append(args, "--data-dir", dir)
			}
			var stdout, stderr bytes.Buffer
			err := run(ctx, args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Fatalf("run(%q) = %v, want a usageError", args, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(w)) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("data directory exists after a usage error (stat: %v)", err)
			}
		})
	}
}

func TestExitStatusOfUsageErrors(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"frobnicate"}, {"serve", "--log-level", "loud"}} {
		cmd := exec.Command(exe, append([]string{"--"}, args...)...)
		cmd.Env = childEnviron()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("industrydata %q: %v, want exit status 2; output:\n%s", args, err, out)
		}
	}
}

// inProcess is a `serve` running in this process on 127.0.0.1:0.
type inProcess struct {
	addr, dataDir string
	log           *logWatcher

	cancel context.CancelFunc
	done   chan error // receives what run returned
	result *error     // what run returned, once stop has seen it
}

// startInProcess runs `serve` in this process over a memory database, with
// args added, and stops it when the test ends.
func startInProcess(t *testing.T, args ...string) *inProcess {
	t.Helper()
	return serveInProcess(t, t.TempDir(), append([]string{"--database-url", "sqlite::memory:"}, args...)...)
}

// serveInProcess runs `serve` in this process on dataDir with args added
// (JSON logs, so that the address can be read from them; the admin
// listener on a free port). Unless the test
// stops it (and checks the result itself), it is stopped when the test
// ends, failing the test unless it stops cleanly.
func serveInProcess(t *testing.T, dataDir string, args ...string) *inProcess {
	t.Helper()
	s := &inProcess{dataDir: dataDir, log: newLogWatcher(), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	stopped := make(chan struct{})
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--data-dir", s.dataDir, "--log-format", "json"}, args...),
			func(string) string { return "" }, io.Discard, s.log)
		close(stopped)
	}()
	t.Cleanup(func() {
		if s.result == nil {
			if err := s.stop(t); err != nil {
				t.Errorf("serve returned %v after cancel, want nil", err)
			}
		}
	})
	s.addr = s.log.waitAddr(t, stopped)
	return s
}

// stop cancels the server's context, as SIGTERM does, and returns what run
// returned, failing the test if that takes longer than stopDeadline.
func (s *inProcess) stop(t *testing.T) error {
	t.Helper()
	if s.result == nil {
		s.cancel()
		select {
		case err := <-s.done:
			s.result = &err
		case <-time.After(stopDeadline):
			t.Fatalf("serve did not stop within %v of cancel; log:\n%s", stopDeadline, s.log)
		}
	}
	return *s.result
}

func TestServeInProcess(t *testing.T) {
	dir := t.TempDir()
	srv := serveInProcess(t, dir)
	api := newAPI(t, srv.addr, dir)

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := api.http.Get(api.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	id := api.createOperation(t, "made in process")
	if got := api.getOperation(t, id).detail(); got != "made in process" {
		t.Errorf("statusDetail = %q, want %q", got, "made in process")
	}
}
