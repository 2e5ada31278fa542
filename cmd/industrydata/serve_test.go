package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeAddressInUse: serve on an address in use fails before it
// creates anything, naming the address, with exit status 2 (in process
// and as a program).
func TestServeAddressInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()

	t.Run("run", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "x")
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", addr, "--data-dir", dir, "--log-format", "json"},
			func(string) string { return "" }, &stdout, &stderr)
		if err == nil {
			t.Fatal("serve on an address in use returned nil")
		}
		if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "--addr") {
			t.Errorf("error %q, want one naming --addr %s, which is in use", err, addr)
		}
		var report bytes.Buffer
		if got := exitStatus(err, &report); got != 2 {
			t.Errorf("exit status %d, want 2", got)
		}
		if want := "industrydata: " + err.Error() + "\n"; report.String() != want {
			t.Errorf("reported %q, want %q", report.String(), want)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the data directory exists (stat: %v)", err)
		}
	})

	t.Run("program", func(t *testing.T) {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "x")
		cmd := exec.Command(exe, "--", "serve", "--addr", addr, "--data-dir", dir, "--log-format", "json")
		cmd.Env = childEnviron()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("serve --addr %s (in use): %v, want exit status 2; output:\n%s", addr, err, out)
		}
		if !strings.Contains(string(out), "cannot listen on --addr "+addr) {
			t.Errorf("output does not name the address:\n%s", out)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the data directory exists (stat: %v)", err)
		}
	})
}

// TestShutdownTimeoutFails: a request still open when --shutdown-timeout
// has passed (its body trickles in, never whole) is cut off, and serve
// returns an error, so that the process exits with status 1.
func TestShutdownTimeoutFails(t *testing.T) {
	s := startInProcess(t, "--shutdown-timeout", "10ms")
	api := newAPI(t, s.addr, s.dataDir)
	c := dialRaw(t, s.addr)
	// Expect: 100-continue makes the server say when the handler starts
	// reading the body: from then on the request is in flight.
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
		operationsPath, api.token)
	var got []byte
	for !strings.Contains(string(got), "\r\n\r\n") {
		select {
		case b := <-c.read:
			got = append(got, b...)
		case <-c.closed:
			t.Fatalf("closed with %q before reading the body", got)
		case <-time.After(stopDeadline):
			t.Fatalf("no 100 Continue within %v; got %q", stopDeadline, got)
		}
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 100 Continue\r\n") {
		t.Fatalf("answer %q, want 100 Continue", got)
	}
	if _, err := io.WriteString(c, `{"statusDetail":"`); err != nil {
		t.Fatal(err)
	}

	err := s.stop(t)
	if err == nil || !strings.Contains(err.Error(), "--shutdown-timeout 10ms") {
		t.Fatalf("serve returned %v, want an error naming --shutdown-timeout 10ms; log:\n%s", err, s.log)
	}
	if got := exitStatus(err, io.Discard); got != 1 {
		t.Errorf("exit status %d, want 1", got)
	}
	select {
	case <-c.closed:
	case <-time.After(stopDeadline):
		t.Errorf("the open request's connection is still open %v after serve returned", stopDeadline)
	}
}
