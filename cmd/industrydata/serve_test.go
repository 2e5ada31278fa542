package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
