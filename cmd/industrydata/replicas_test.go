package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"industrydata"
	"industrydata/internal/flowtest"
	"industrydata/internal/rostergen"
	"industrydata/store/postgres"
)

func TestReplicas(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, dbURL string)
	}{
		{"etag race across replicas", testReplicaETagRace},
		{"nextLink from one replica works on the other", testReplicaNextLink},
		{"runs and validations executed once each", testReplicaJobsOnce},
		{"audit export during writes through both", testReplicaAudit},
		{"kill -9 of a replica mid-run", testReplicaKillNine},
	}
	for _, mode := range []struct {
		name    string
		bouncer bool
	}{{"direct", false}, {"pgbouncer", true}} {
		t.Run(mode.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, replicaDB(t, mode.bouncer)) })
			}
		})
	}
}

// (a) 50 PATCHes carrying one eTag, split across two replicas: one 200,
// 49 412.
func testReplicaETagRace(t *testing.T, dbURL string) {
	dir := t.TempDir()
	rs := startReplicas(t, 2, dbURL, dir, nil, "--workers", "0")
	apis := []*apiClient{newAPI(t, rs[0].addr, dir), newAPI(t, rs[1].addr, dir)}
	status, data, err := apis[0].do(http.MethodGet, "/beta/industryData/processes", "")
	var procs struct {
		Value []struct {
			ID   string `json:"id"`
			ETag string `json:"eTag"`
		} `json:"value"`
	}
	if err != nil || status != 200 || json.Unmarshal(data, &procs) != nil || len(procs.Value) != 1 {
		t.Fatalf("processes: %d %s %v", status, data, err)
	}
	p := procs.Value[0]
	const n = 50
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body := fmt.Sprintf(`{"eTag":%q,"displayName":"rename %d","readinessStatus":"ready"}`, p.ETag, i)
			codes[i], _, _ = apis[i%2].do(http.MethodPatch, "/beta/industryData/processes/"+p.ID, body)
		})
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[200] != 1 || count[412] != n-1 {
		t.Fatalf("answers %v, want one 200 and %d 412", count, n-1)
	}
}

// (d) A nextLink one replica wrote is followed on the other.
func testReplicaNextLink(t *testing.T, dbURL string) {
	dir := t.TempDir()
	rs := startReplicas(t, 2, dbURL, dir, nil, "--workers", "0")
	a, b := newAPI(t, rs[0].addr, dir), newAPI(t, rs[1].addr, dir)
	want := map[string]bool{}
	for i := range 5 {
		want[[]*apiClient{a, b}[i%2].createOperation(t, fmt.Sprintf("op %d", i))] = true
	}
	seen := map[string]int{}
	path := operationsPath + "?$top=2"
	for pages, api := 0, a; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("more pages than there are operations")
		}
		status, data, err := api.do(http.MethodGet, path, "")
		var page struct {
			Value []operation `json:"value"`
			Next  string      `json:"@odata.nextLink"`
		}
		if err != nil || status != 200 || json.Unmarshal(data, &page) != nil {
			t.Fatalf("GET %s on %s: %d %s %v", path, api.base, status, data, err)
		}
		for _, op := range page.Value {
			seen[op.ID]++
		}
		path = ""
		if page.Next != "" {
			u, err := url.Parse(page.Next)
			if err != nil {
				t.Fatal(err)
			}
			path = u.RequestURI()
		}
		// The next page from the other replica.
		if api == a {
			api = b
		} else {
			api = a
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("operation %s listed %d times", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("listed %d operations, want %d", len(seen), len(want))
	}
}

// (b) Runs and validations started through either replica, each executed
// once: by exactly one replica, which logs its end once, at its first
// attempt.
func testReplicaJobsOnce(t *testing.T, dbURL string) {
	const tenants = 50 // a run and a validation each: 100 jobs
	dir := t.TempDir()
	rs := startReplicas(t, 2, dbURL, dir, nil, "--workers", "2")
	type job struct{ kind, op string }
	var (
		mu   sync.Mutex
		jobs []job
		wg   sync.WaitGroup
		errs = make(chan error, tenants)
	)
	for i := range tenants {
		wg.Go(func() {
			tenant := fmt.Sprintf("c0c0c0c0-0000-4000-8000-%012d", 1000+i)
			a := apiAs(t, rs[i%2].addr, dir, tenant)
			b := apiAs(t, rs[(i+1)%2].addr, dir, tenant)
			base := "/beta/industryData"
			status, data, err := a.do(http.MethodPost, base+"/sourceSystems", `{"displayName":"SIS"}`)
			var ss struct{ ID string }
			if err != nil || status != 201 || json.Unmarshal(data, &ss) != nil {
				errs <- fmt.Errorf("source system: %d %s %v", status, data, err)
				return
			}
			status, data, err = b.do(http.MethodPost, base+"/dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector",
				"displayName":"CSV drop","sourceSystem@odata.bind":"sourceSystems/`+ss.ID+`"}`)
			var conn struct{ ID string }
			if err != nil || status != 201 || json.Unmarshal(data, &conn) != nil {
				errs <- fmt.Errorf("connector: %d %s %v", status, data, err)
				return
			}
			for _, c := range []struct {
				api        *apiClient
				kind, path string
			}{{a, "run", base + "/runs/start"}, {b, "validation", base + "/dataConnectors/" + conn.ID + "/validate"}} {
				req, _ := http.NewRequest(http.MethodPost, c.api.base+c.path, nil)
				req.Header.Set("Authorization", "Bearer "+c.api.token)
				resp, err := c.api.http.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					errs <- fmt.Errorf("POST %s: %d", c.path, resp.StatusCode)
					return
				}
				loc, _ := url.Parse(resp.Header.Get("Location"))
				mu.Lock()
				jobs = append(jobs, job{c.kind, loc.Path})
				mu.Unlock()
				// Wait for it to end, through the other replica.
				other := b
				if c.api == b {
					other = a
				}
				if err := waitEnded(other, loc.Path); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(jobs) != 2*tenants {
		t.Fatalf("%d jobs started, want %d", len(jobs), 2*tenants)
	}
	// Every job's end is logged once, over both replicas, at attempt 1.
	ends := map[string]int{}
	for _, r := range rs {
		sc := bufio.NewScanner(strings.NewReader(r.log.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec struct {
				Msg        string `json:"msg"`
				Run        string `json:"run"`
				Validation string `json:"validation"`
				Attempt    int    `json:"attempt"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			switch rec.Msg {
			case "run finished":
				ends["run "+rec.Run]++
			case "validation finished":
				ends["validation "+rec.Validation]++
			default:
				continue
			}
			if rec.Attempt != 1 {
				t.Errorf("%s of %s%s at attempt %d", rec.Msg, rec.Run, rec.Validation, rec.Attempt)
			}
		}
	}
	if len(ends) != 2*tenants {
		t.Errorf("%d jobs logged their end, want %d", len(ends), 2*tenants)
	}
	for id, n := range ends {
		if n != 1 {
			t.Errorf("%s ended %d times", id, n)
		}
	}
}

// waitEnded polls the operation at path (bounded) until it has ended.
func waitEnded(api *apiClient, path string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, data, err := api.do(http.MethodGet, path, "")
		var op operation
		if err == nil && status == 200 && json.Unmarshal(data, &op) == nil && (op.Status == "succeeded" || op.Status == "failed") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("operation %s: last answer %d %s %v", path, status, data, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// (e) Audit records written through both replicas are exported once each,
// in log order, by a walk that runs during the writes, and the audit
// command's export afterwards agrees with it.
func testReplicaAudit(t *testing.T, dbURL string) {
	dir := t.TempDir()
	rs := startReplicas(t, 2, dbURL, dir, nil, "--workers", "0")
	st, err := postgres.Open(t.Context(), postgres.Config{URL: dbURL, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const writers, each, pageSize = 8, 25, 7
	var wg sync.WaitGroup
	created := make(chan string, writers*each)
	for w := range writers {
		api := newAPI(t, rs[w%2].addr, dir)
		wg.Go(func() {
			for i := range each {
				status, data, err := api.do(http.MethodPost, operationsPath, fmt.Sprintf(`{"statusDetail":"w%d %d"}`, w, i))
				var op operation
				if err == nil && status == 201 && json.Unmarshal(data, &op) == nil {
					created <- op.ID
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var walked []industrydata.AuditRecord
	var after industrydata.AuditPosition
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		page, err := st.ListAudit(t.Context(), industrydata.AuditQuery{After: after, Limit: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, page...)
		if len(page) > 0 {
			after = page[len(page)-1].Position()
		}
		if finished && len(page) < pageSize {
			break
		}
	}
	close(created)
	creates := map[string]int{}
	for i, r := range walked {
		if i > 0 && !r.Position().After(walked[i-1].Position()) {
			t.Fatalf("record %d at %+v after %+v: not in log order", i, r.Position(), walked[i-1].Position())
		}
		if r.Action == industrydata.AuditCreate && r.EntityType == "microsoft.graph.longRunningOperation" {
			creates[r.EntityID]++
		}
	}
	n := 0
	for id := range created {
		n++
		if creates[id] != 1 {
			t.Errorf("operation %s: %d create records in the walk, want 1", id, creates[id])
		}
	}
	if n != writers*each {
		t.Fatalf("%d operations created, want %d", n, writers*each)
	}
	// The audit command, afterwards: the same records, in the same order.
	out, err := runCLI(t, "audit", "--data-dir", dir, "--database-url", dbURL)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	var seqs []int64
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec struct {
			Seq int64 `json:"seq"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		seqs = append(seqs, rec.Seq)
	}
	if len(seqs) != len(walked) {
		t.Fatalf("audit exported %d records, the walk saw %d", len(seqs), len(walked))
	}
	for i := range seqs {
		if seqs[i] != walked[i].Seq {
			t.Fatalf("record %d: the export has seq %d, the walk %d", i, seqs[i], walked[i].Seq)
		}
	}
}

// (c) A replica killed with -9 in the middle of a run: the other takes the
// run over once the lease expires and finishes it; no run stays running.
func testReplicaKillNine(t *testing.T, dbURL string) {
	dir := t.TempDir()
	putRosterPG(t, dbURL)
	slow := []string{slowRunsEnv + "=1"}
	a := startReplicas(t, 1, dbURL, dir, slow, "--workers", "1", "--lease-ttl", "2s")[0]
	api := newAPI(t, a.addr, dir)
	req, _ := http.NewRequest(http.MethodPost, api.base+"/beta/industryData/runs/start", nil)
	req.Header.Set("Authorization", "Bearer "+api.token)
	resp, err := api.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("runs/start: %d", resp.StatusCode)
	}
	api.waitOperation(t, loc.Path, a, midway)
	// B runs beside A (it waits for A's lease like any other run), then A
	// dies without giving its lease back.
	b := startReplicas(t, 1, dbURL, dir, nil, "--workers", "1", "--lease-ttl", "2s")[0]
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	apiB := newAPI(t, b.addr, dir)
	op := apiB.waitOperation(t, loc.Path, b, ended)
	checkFinished(t, apiB, op)
	if !strings.Contains(b.log.String(), "resuming a run whose runner stopped") {
		t.Errorf("replica B did not log resuming the run; log:\n%s", b.log)
	}
	status, data, err := apiB.do(http.MethodGet, "/beta/industryData/runs?$filter=status%20eq%20'running'&$count=true", "")
	var runs struct {
		Count int `json:"@odata.count"`
	}
	if err != nil || status != 200 || json.Unmarshal(data, &runs) != nil || runs.Count != 0 {
		t.Fatalf("runs still running: %d %s %v", status, data, err)
	}
}

// putRosterPG stores a generated roster for the test tenant, as putRoster
// does on SQLite, in the PostgreSQL database at dbURL.
func putRosterPG(t *testing.T, dbURL string) {
	t.Helper()
	st, err := postgres.Open(t.Context(), postgres.Config{URL: dbURL})
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
