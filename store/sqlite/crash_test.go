package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata"
)

// crashChildEnv names the database a child process writes to until killed.
const crashChildEnv = "INDUSTRYDATA_SQLITE_CRASH_CHILD"

// A write acknowledged to its caller must survive the process being killed
// mid-stream. The test binary re-runs itself as a child that writes from
// several goroutines and prints each acknowledged id; the parent kills it
// with SIGKILL while writes are in flight, reopens the database and looks
// for every acknowledged id. (Power loss is what the syncer's fdatasync is
// for; a test cannot pull the plug, so it checks the settings instead:
// TestFileStoreIsDurable, and durable.go argues the rest.)
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "industrydata.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Safety net: a child that never writes is killed, and the wait below
	// then ends with too few acks.
	timer := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()

	const want = 300
	var acked []string
	sc := bufio.NewScanner(out)
	for len(acked) < want && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked = append(acked, id)
		}
	}
	_ = cmd.Process.Kill() // SIGKILL: no deferred Close, no final checkpoint
	_ = cmd.Wait()
	if len(acked) < want {
		t.Fatalf("child acknowledged %d writes before it stopped, want %d", len(acked), want)
	}

	s := open(t, Config{Path: path})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after kill: %v", err)
	}
	for _, id := range acked {
		if _, err := s.GetOperation(t.Context(), tenant, id); err != nil {
			t.Errorf("acknowledged operation %s: %v", id, err)
		}
	}
}

// crashChild writes operations from 8 goroutines and prints the id of each
// one acknowledged, until killed (or, as a safety net, after 30s).
func crashChild(path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				op := industrydata.Operation{ID: fmt.Sprintf("w%d-%d", w, i), Type: "microsoft.graph.longRunningOperation",
					CreatedDateTime: time.Unix(0, 0).UTC(), Status: industrydata.OperationRunning}
				if err := s.CreateOperation(ctx, tenant, industrydata.Actor{}, &op); err != nil {
					return
				}
				mu.Lock()
				fmt.Printf("ack %s\n", op.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}
