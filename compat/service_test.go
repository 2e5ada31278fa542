// Package compat runs clients written by others against the real service:
// the official Microsoft Graph JavaScript clients (the core client and
// the Kiota beta SDK's models) and the OASIS OData-to-OpenAPI converter,
// all installed from npm into js/ by `npm ci --prefix compat/js`. The
// service is a real `industrydata serve` process behind a local TLS front,
// since those clients send tokens and follow links only over https.
package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// How long the service may take to start, and to stop on SIGTERM.
const (
	startDeadline = 30 * time.Second
	stopDeadline  = 20 * time.Second
)

// binDir holds the industrydata binary built for this test process.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "industrydata-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// industrydataBinary builds ./cmd/industrydata once per test process, with
// the race detector when the tests have it.
var industrydataBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "industrydata")
	args := append(append([]string{"build"}, raceFlags...), "-o", bin, "industrydata/cmd/industrydata")
	cmd := exec.Command("go", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// service is a running `industrydata serve` and the TLS front before it.
type service struct {
	bin     string
	dataDir string
	// direct is the process's own http://127.0.0.1:port.
	direct string
	// front is the TLS front's https://127.0.0.1:port, and caFile the PEM
	// file of its certificate.
	front  string
	caFile string
}

// startService starts `industrydata serve` on a free port of 127.0.0.1
// with --trust-proxy-headers and extra flags, and a TLS front that passes
// every request to it with X-Forwarded-Proto and X-Forwarded-Host, so that
// the URLs the service writes are the front's https ones. Both stop when
// the test ends.
func startService(t *testing.T, flags ...string) *service {
	t.Helper()
	bin, err := industrydataBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &service{bin: bin, dataDir: filepath.Join(dir, "data")}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", s.dataDir,
		"--admin-addr", "127.0.0.1:0", "--trust-proxy-headers", "--log-format", "json"}, flags...)
	s.direct = "http://" + startProcess(t, bin, args)

	target, err := url.Parse(s.direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.SetXForwarded() // X-Forwarded-Proto: https, X-Forwarded-Host: the front's
	}}
	front := httptest.NewTLSServer(proxy) // listens on 127.0.0.1 only
	t.Cleanup(front.Close)
	s.front = front.URL
	s.caFile = filepath.Join(dir, "front.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})
	if err := os.WriteFile(s.caFile, ca, 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// startProcess runs bin with args, reads its JSON log until it says where
// it listens, and returns that address. The process gets SIGTERM when the
// test ends; its log is shown when it fails to start or to stop.
func startProcess(t *testing.T, bin string, args []string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = serviceEnviron()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		logs bytes.Buffer
	)
	logText := func() string { mu.Lock(); defer mu.Unlock(); return logs.String() }
	addr := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			mu.Lock()
			logs.Write(sc.Bytes())
			logs.WriteByte('\n')
			mu.Unlock()
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				select {
				case addr <- line.Addr:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	exited := make(chan struct{})
	go func() { <-drained; _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(stopDeadline):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("industrydata serve did not stop within %v of SIGTERM; log:\n%s", stopDeadline, logText())
			return
		}
		// Under the race detector a data race makes the exit status 66.
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("industrydata serve exited with status %d on SIGTERM; log:\n%s", code, logText())
		}
	})
	select {
	case a := <-addr:
		return a
	case <-exited:
		t.Fatalf("industrydata serve exited before listening; log:\n%s", logText())
	case <-time.After(startDeadline):
		t.Fatalf("industrydata serve did not listen within %v; log:\n%s", startDeadline, logText())
	}
	return ""
}

// serviceEnviron is this process's environment without INDUSTRYDATA_*
// variables, which would change the service's settings.
func serviceEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INDUSTRYDATA_") {
			env = append(env, kv)
		}
	}
	return env
}

// token mints a local token of every permission for tenant with the
// `industrydata token` command and the service's signing key.
func (s *service) token(t *testing.T, tenant string) string {
	t.Helper()
	cmd := exec.Command(s.bin, "token", "--data-dir", s.dataDir, "--tenant", tenant)
	cmd.Env = serviceEnviron()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("industrydata token: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// get fetches path from the service directly, failing the test on any
// status but 200.
func (s *service) get(t *testing.T, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.direct+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	return body
}

// jsDir is the npm project with the official clients, and jsBin the
// directory of its programs.
const (
	jsDir = "js"
	jsBin = "js/node_modules/.bin"
)

// requireNode returns the path of node, when it and the npm project's
// packages are installed. Without them the test fails under CI=true and is
// skipped elsewhere.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(jsDir, "node_modules"))
	}
	if err != nil {
		msg := fmt.Sprintf("node and compat/js/node_modules are needed (apt-get install nodejs npm; npm ci --prefix compat/js): %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}
