package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tenant is the soak's tenant.
const tenant = "50a50a50-0000-4000-8000-000000000001"

// serve is a running `industrydata serve`.
type serve struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	addr   string
	token  string
	exited chan struct{}

	mu       sync.Mutex
	cleanups []interval // from the log's "cleanup done" lines
}

// interval is a span of time.
type interval struct{ start, end time.Time }

// logLine is what the soak reads of serve's JSON log.
type logLine struct {
	Time     time.Time `json:"time"`
	Msg      string    `json:"msg"`
	Addr     string    `json:"addr"`
	Duration string    `json:"duration"` // a time.Duration, as serve logs it ("18.5ms")
}

// startServe mints a token for dataDir and starts serve on it with args,
// and waits (bounded) until it listens.
func startServe(ctx context.Context, bin, dataDir string, args []string) (*serve, error) {
	tok, err := exec.CommandContext(ctx, bin, "token", "--data-dir", dataDir, "--tenant", tenant).Output()
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json",
		"--log-level", "debug", "--access-log=false", "--admin-addr", ""}, args...)
	cmd := exec.CommandContext(sctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	s := &serve{cmd: cmd, cancel: cancel, token: strings.TrimSpace(string(tok)), exited: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		s.readLog(stderr, listening)
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case s.addr = <-listening:
		return s, nil
	case <-s.exited:
		cancel()
		return nil, errors.New("serve exited before listening")
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, errors.New("serve logged no address within 30s")
	}
}

// readLog reads serve's log to its end: the address it listens on, and
// the interval of each cleanup.
func (s *serve) readLog(r io.Reader, listening chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch l.Msg {
		case "listening":
			listening <- l.Addr
		case "cleanup done":
			d, err := time.ParseDuration(l.Duration)
			if err != nil {
				continue
			}
			s.mu.Lock()
			s.cleanups = append(s.cleanups, interval{start: l.Time.Add(-d), end: l.Time})
			s.mu.Unlock()
		}
	}
}

// cleanupIntervals are the cleanups logged so far.
func (s *serve) cleanupIntervals() []interval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]interval(nil), s.cleanups...)
}

// stop ends serve (SIGTERM, then SIGKILL after WaitDelay) and waits.
func (s *serve) stop() {
	s.cancel()
	<-s.exited
}
