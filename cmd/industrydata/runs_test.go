package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"industrydata"
	"industrydata/internal/flowtest"
	"industrydata/internal/rostergen"
	"industrydata/runner"
	"industrydata/store/sqlite"
)

// slowRunsEnv makes a child's runs slow (slowRuns), so that a signal sent
// once progress shows lands in the middle of one.
const slowRunsEnv = "INDUSTRYDATA_TEST_SLOW_RUNS"

// slowRuns stores entries in small batches, each delayed: a run over
// rosterUsers users takes about two seconds.
func slowRuns(c *runner.Config) {
	c.Store = slowStore{c.Store}
	c.BatchSize = 500
	c.ProgressInterval = 50 * time.Millisecond
}

type slowStore struct{ industrydata.Store }

func (s slowStore) AppendReportEntries(ctx context.Context, c industrydata.JobClaim, e []industrydata.UserReportEntry) error {
	select {
	case <-time.After(50 * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.AppendReportEntries(ctx, c, e)
}

const rosterUsers = 20_000

// putRoster stores a generated roster for the test tenant in the data
// directory's database, before any server runs on it.
func putRoster(t *testing.T, dataDir string) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(dataDir, "industrydata.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users := rostergen.Reader(rosterUsers, rostergen.WriteUsers)
	orgs := rostergen.Reader(rosterUsers, rostergen.WriteOrgs)
	defer users.Close()
	defer orgs.Close()
	flowtest.Ready(t, st, testTenant, "Rostering", flowtest.Roster(users, orgs))
}

// fullOperation is an operation with the fields a run sets.
type fullOperation struct {
	operation
	ResourceLocation *string `json:"resourceLocation"`
}

// waitOperation polls the operation (bounded) until done says so.
func (c *apiClient) waitOperation(t *testing.T, path string, srv *child, done func(fullOperation) bool) fullOperation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, data, err := c.do(http.MethodGet, path, "")
		var op fullOperation
		if err == nil && status == 200 && json.Unmarshal(data, &op) == nil && done(op) {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s: last answer %d %s %v; log:\n%s", path, status, data, err, srv.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// midway reports whether the operation shows a run checking users.
func midway(op fullOperation) bool {
	return op.Status == "running" && strings.HasPrefix(op.detail(), "Checked ") && !strings.Contains(op.detail(), "with issues")
}

func ended(op fullOperation) bool { return op.Status == "succeeded" || op.Status == "failed" }

// checkReport checks that the run behind the operation succeeded with a
// report of n users, every one of them stored.
func checkReport(t *testing.T, api *apiClient, op fullOperation, n int) {
	t.Helper()
	if op.Status != "succeeded" || op.ResourceLocation == nil {
		t.Fatalf("operation: %+v", op)
	}
	loc, err := url.Parse(*op.ResourceLocation)
	if err != nil {
		t.Fatal(err)
	}
	status, data, err := api.do(http.MethodGet, loc.Path+"/entries?$top=1&$count=true", "")
	var page struct {
		Count int `json:"@odata.count"`
	}
	if err != nil || status != 200 || json.Unmarshal(data, &page) != nil || page.Count != n {
		t.Fatalf("entries of the run: %d %s %v; want %d of them", status, data, err, n)
	}
}

// checkFinished checks that the run behind the operation completed with a
// report of every user of the roster putRoster stores.
func checkFinished(t *testing.T, api *apiClient, op fullOperation) {
	t.Helper()
	checkReport(t, api, op, rosterUsers)
	if want := fmt.Sprintf("Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked %d of %d users;", rosterUsers, rosterUsers); !strings.HasPrefix(op.detail(), want) {
		t.Errorf("statusDetail %q, want it to start %q", op.detail(), want)
	}
}

// A server stopped in the middle of a run leaves it to the next start:
// after kill -9 the run is taken over once its lease expires; after
// SIGTERM the server gives the lease back, so a long lease need not expire.
func TestRunResumedAfterStop(t *testing.T) {
	cases := []struct {
		name     string
		signal   syscall.Signal
		leaseTTL string
		// logged is what the stopped (stop) or the next (next) server says.
		stopLogged, nextLogged string
	}{
		{"kill -9", syscall.SIGKILL, "1s", "", "resuming a run whose runner stopped"},
		{"SIGTERM", syscall.SIGTERM, "10m", "its lease was given back", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			putRoster(t, dir)
			env := []string{slowRunsEnv + "=1"}
			srv := startChildWith(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--lease-ttl", tc.leaseTTL)
			api := newAPI(t, srv.addr, dir)
			opPath := api.startAll(t, "/beta/industryData")
			api.waitOperation(t, opPath, srv, midway)
			if err := srv.cmd.Process.Signal(tc.signal); err != nil {
				t.Fatal(err)
			}
			if code := srv.wait(t); tc.signal == syscall.SIGTERM && code != 0 {
				t.Fatalf("exit status after SIGTERM = %d; log:\n%s", code, srv.log)
			}
			if !strings.Contains(srv.log.String(), tc.stopLogged) {
				t.Errorf("the stopped server did not say %q; log:\n%s", tc.stopLogged, srv.log)
			}

			srv2 := startChildWith(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--lease-ttl", tc.leaseTTL)
			api2 := newAPI(t, srv2.addr, dir)
			op := api2.waitOperation(t, opPath, srv2, ended)
			checkFinished(t, api2, op)
			if !strings.Contains(srv2.log.String(), tc.nextLogged) {
				t.Errorf("the next server did not say %q; log:\n%s", tc.nextLogged, srv2.log)
			}
		})
	}
}

// A server with --workers 0 only answers requests: a run it starts waits,
// notStarted, until a server with workers on the same database (here a
// second process on the same file) executes it, while the first goes on
// answering for it.
func TestAPIOnlyServerLeavesRunsToWorkers(t *testing.T) {
	dir := t.TempDir()
	putRoster(t, dir)
	front := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--workers", "0")
	api := newAPI(t, front.addr, dir)
	opPath := api.startAll(t, "/beta/industryData")
	time.Sleep(1500 * time.Millisecond) // longer than a runner's poll
	if op := api.waitOperation(t, opPath, front, func(fullOperation) bool { return true }); op.Status != "notStarted" {
		t.Fatalf("operation on an API-only server = %+v, want notStarted", op)
	}

	worker := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--workers", "1")
	op := api.waitOperation(t, opPath, worker, ended)
	checkFinished(t, api, op)
	if strings.Contains(front.log.String(), "runner started") {
		t.Errorf("the API-only server started a runner; log:\n%s", front.log)
	}
}
