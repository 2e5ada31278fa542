package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// history is what one operation was sent, in order, and how much of that
// was acknowledged.
type history struct {
	sent  []string // statusDetail values; the first is the one it was created with
	acked int      // index in sent of the last value answered with 200
}

// allowed are the values the operation may hold after a restart: the last
// acknowledged one, or one sent later whose answer never came.
func (h history) allowed() []string { return h.sent[h.acked:] }

// patchLoad is writers goroutines PATCHing operations. Writer g alone
// updates the operations whose index i has i%writers == g, in turn, so each
// operation's history is ordered and "last acknowledged" is well defined.
type patchLoad struct {
	hist       []history
	acks       atomic.Int64
	incomplete atomic.Int64  // responses whose body was cut short
	failed     atomic.Int64  // requests answered by no response
	reached    chan struct{} // closed at the threshold-th acknowledgement
	done       chan struct{} // closed when every writer has stopped
}

// startPatchLoad starts the writers: each sends at most perWriter PATCHes
// with distinct statusDetail values and stops at its first transport error
// (the server is gone). An answer other than a complete 200 carrying the
// value sent fails the test. created is the statusDetail every operation
// was created with.
func startPatchLoad(t *testing.T, api *apiClient, ids []string, created string, writers, perWriter int, threshold int64) *patchLoad {
	l := &patchLoad{hist: make([]history, len(ids)), reached: make(chan struct{}), done: make(chan struct{})}
	for i := range l.hist {
		l.hist[i].sent = []string{created}
	}
	var once sync.Once
	var wg sync.WaitGroup
	for g := range writers {
		var mine []int
		for i := g; i < len(ids); i += writers {
			mine = append(mine, i)
		}
		wg.Go(func() {
			for n := range perWriter {
				i := mine[n%len(mine)]
				detail := fmt.Sprintf("writer %d write %d", g, n)
				l.hist[i].sent = append(l.hist[i].sent, detail)
				status, data, err := api.do(http.MethodPatch, operationsPath+"/"+ids[i], fmt.Sprintf(`{"status":%q,"statusDetail":%q}`,
					[]string{"running", "succeeded"}[n%2], detail))
				if errors.Is(err, errIncomplete) {
					l.incomplete.Add(1)
					return
				}
				if err != nil {
					l.failed.Add(1)
					return
				}
				var op operation
				if status != http.StatusOK || json.Unmarshal(data, &op) != nil || op.ID != ids[i] || op.detail() != detail {
					t.Errorf("PATCH %s with %q answered %d %s", ids[i], detail, status, data)
					return
				}
				l.hist[i].acked = len(l.hist[i].sent) - 1
				if l.acks.Add(1) == threshold {
					once.Do(func() { close(l.reached) })
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(l.done)
	}()
	// If the test stops early, its writers still finish (their number is
	// bounded) before the test is over and the server is killed.
	t.Cleanup(func() {
		select {
		case <-l.done:
		case <-time.After(stopDeadline):
		}
	})
	return l
}

// waitThreshold waits until threshold writes were acknowledged, failing the
// test if the writers stop or time runs out first.
func (l *patchLoad) waitThreshold(t *testing.T, c *child) {
	t.Helper()
	select {
	case <-l.reached:
	case <-l.done:
		t.Fatalf("writers stopped after %d acknowledged writes; log:\n%s", l.acks.Load(), c.log)
	case <-time.After(startDeadline):
		t.Fatalf("only %d writes acknowledged within %v; log:\n%s", l.acks.Load(), startDeadline, c.log)
	}
}

// wait waits (bounded) for every writer to stop.
func (l *patchLoad) wait(t *testing.T) {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(stopDeadline):
		t.Fatalf("writers still running %v after the server stopped", stopDeadline)
	}
}

// check reads every operation through api (a restarted server) and
// compares it with its history.
func (l *patchLoad) check(t *testing.T, api *apiClient, ids []string) {
	t.Helper()
	for i, id := range ids {
		got := api.getOperation(t, id).detail()
		if h := l.hist[i]; !slices.Contains(h.allowed(), got) {
			t.Errorf("operation %d: statusDetail after restart = %q; last acknowledged %q, later sent %q",
				i, got, h.sent[h.acked], h.sent[h.acked+1:])
		}
	}
}

// createOperations creates n operations with statusDetail detail.
func createOperations(t *testing.T, api *apiClient, n int, detail string) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = api.createOperation(t, detail)
	}
	return ids
}

func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	api := newAPI(t, srv.addr, dir)
	ids := createOperations(t, api, 20, "created")

	// 8 writers × 50 = 400 PATCHes at most; the kill comes at the 100th
	// acknowledgement, with the other writers' requests in flight.
	load := startPatchLoad(t, api, ids, "created", 8, 50, 100)
	load.waitThreshold(t, srv)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.wait(t)
	load.wait(t)
	t.Logf("%d writes acknowledged, %d unanswered, %d answers cut short by the kill",
		load.acks.Load(), load.failed.Load(), load.incomplete.Load())

	srv2 := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	load.check(t, newAPI(t, srv2.addr, dir), ids)
}

func TestSigtermStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	api := newAPI(t, srv.addr, dir)
	ids := createOperations(t, api, 8, "created")

	load := startPatchLoad(t, api, ids, "created", 8, 100, 40)
	load.waitThreshold(t, srv)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := srv.wait(t); code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0; log:\n%s", code, srv.log)
	}
	load.wait(t)
	if n := load.incomplete.Load(); n > 0 {
		t.Errorf("%d responses were cut short by a graceful stop", n)
	}
	t.Logf("%d writes acknowledged, %d unanswered", load.acks.Load(), load.failed.Load())

	srv2 := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	load.check(t, newAPI(t, srv2.addr, dir), ids)
}
