package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"industrydata/internal/pgtest"
)

// PostgreSQL restarted under load: requests in flight and during the
// outage answer 503 serviceNotAvailable with Retry-After (never a 500),
// /readyz is 503 until the database is back, the server reconnects by
// itself, and every operation acknowledged with 201 is there afterwards.
func TestPostgresRestartUnderLoad(t *testing.T) {
	srv := pgtest.Start(t)
	dbURL := srv.URL(srv.NewDatabase(t, ""))
	dir := t.TempDir()
	r := startReplicas(t, 1, dbURL, dir, nil, "--workers", "1")[0]
	api := newAPI(t, r.addr, dir)

	type answer struct {
		status     int
		code       string
		retryAfter string
		id         string
	}
	post := func() (answer, error) {
		req, _ := http.NewRequest(http.MethodPost, api.base+operationsPath, strings.NewReader(`{"statusDetail":"load"}`))
		req.Header.Set("Authorization", "Bearer "+api.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := api.http.Do(req)
		if err != nil {
			return answer{}, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return answer{}, err
		}
		var body struct {
			ID    string `json:"id"`
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &body)
		return answer{resp.StatusCode, body.Error.Code, resp.Header.Get("Retry-After"), body.ID}, nil
	}
	ready := func() int {
		resp, err := api.http.Get(api.base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	var (
		mu       sync.Mutex
		acked    []string
		answers  = map[int]int{}
		bad      []string
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		phase    = "before"
		okAfter  int
		unavail  int
		loadErrs int
	)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				a, err := post()
				mu.Lock()
				switch {
				case err != nil:
					loadErrs++
				case a.status == http.StatusCreated:
					acked = append(acked, a.id)
					if phase == "after" {
						okAfter++
					}
				case a.status == http.StatusServiceUnavailable && a.code == "serviceNotAvailable" && a.retryAfter != "":
					unavail++
				default:
					bad = append(bad, fmt.Sprintf("%s: %d %q Retry-After %q", phase, a.status, a.code, a.retryAfter))
				}
				answers[a.status]++
				mu.Unlock()
				if a.status == http.StatusServiceUnavailable {
					time.Sleep(10 * time.Millisecond) // a client backing off, briefly
				}
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("waiting for %s: answers %v, bad %v; log:\n%s", what, answers, bad, r.log)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	count := func(n *int) func() int { return func() int { mu.Lock(); defer mu.Unlock(); return *n } }
	ackedN := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor("writes before the outage", func() bool { return ackedN() >= 50 })

	srv.Stop(t)
	mu.Lock()
	phase = "outage"
	mu.Unlock()
	waitFor("503s during the outage", func() bool { return count(&unavail)() >= 20 })
	waitFor("/readyz 503 during the outage", func() bool { return ready() == http.StatusServiceUnavailable })

	srv.Restart(t)
	waitFor("/readyz 200 after the outage", func() bool { return ready() == http.StatusOK })
	mu.Lock()
	phase = "after"
	mu.Unlock()
	waitFor("writes after the outage", func() bool { return count(&okAfter)() >= 50 })
	close(stop)
	wg.Wait()
	stop = make(chan struct{})

	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("answers other than 201 or 503 serviceNotAvailable with Retry-After: %v", bad)
	}
	if loadErrs > 0 {
		t.Errorf("%d requests got no answer at all", loadErrs)
	}
	t.Logf("answers: %v", answers)
	for _, id := range acked {
		if status, data, err := api.do(http.MethodGet, operationsPath+"/"+id, ""); err != nil || status != http.StatusOK {
			t.Fatalf("acknowledged operation %s: %d %s %v", id, status, data, err)
		}
	}
}
