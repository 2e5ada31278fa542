package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// maxPerClient bounds the requests one client makes in a phase, whatever
// the duration.
const maxPerClient = 1 << 22

// client is the one HTTP client of the run: keep-alive connections, enough
// idle ones per host for the largest client count.
var client = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns:        8192,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
	},
}

// operationsURL is the operations collection on the replica whose turn it
// is.
func operationsURL(s *server) string {
	return "http://" + s.addr() + "/beta/industryData/operations"
}

// do sends one request and reads the whole response; a transport error or a
// non-2xx status is an error.
func do(ctx context.Context, s *server, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %.200s", method, url, resp.Status, data)
	}
	return data, nil
}

// seed creates n operations with 16 concurrent clients and returns their ids.
func seed(ctx context.Context, s *server, n int) ([]string, error) {
	ids := make([]string, n)
	errs := make([]error, 16)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < n && errs[w] == nil; i += len(errs) {
				body := fmt.Appendf(nil, `{"status":"notStarted","statusDetail":"seed %d"}`, i)
				data, err := do(ctx, s, http.MethodPost, operationsURL(s), body)
				if err != nil {
					errs[w] = err
					break
				}
				var op struct{ ID string }
				if err := json.Unmarshal(data, &op); err != nil || op.ID == "" {
					errs[w] = fmt.Errorf("create answered %.200s", data)
					break
				}
				ids[i] = op.ID
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// statuses alternate, so every PATCH changes the status too.
var statuses = [2]string{"running", "succeeded"}

// runPhase runs n clients sending kind requests (PATCH or GET by id) to
// random seeded operations for warmup+duration. Requests started inside the
// measured window are recorded: the latency of each success, and a count of
// the failures.
func runPhase(ctx context.Context, s *server, kind string, n int, warmup, duration time.Duration) result {
	begin := time.Now().Add(warmup)
	end := begin.Add(duration)
	lat := make([][]time.Duration, n)
	errs := make([]int, n)
	var (
		mu    sync.Mutex
		first []string // the first few error messages
	)
	var wg sync.WaitGroup
	// The servers' CPU time over the measured window.
	var cpu0, cpu1 float64
	wg.Go(func() {
		select {
		case <-time.After(time.Until(begin)):
		case <-ctx.Done():
			return
		}
		cpu0 = s.cpuSeconds()
		select {
		case <-time.After(time.Until(end)):
		case <-ctx.Done():
			return
		}
		cpu1 = s.cpuSeconds()
	})
	for c := range n {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(n)))
			for i := range maxPerClient {
				start := time.Now()
				if !start.Before(end) || ctx.Err() != nil {
					return
				}
				id := s.ids[rng.IntN(len(s.ids))]
				var err error
				if kind == "PATCH" {
					body := fmt.Appendf(nil, `{"status":%q,"statusDetail":"tick %d"}`, statuses[i%2], i)
					_, err = do(ctx, s, http.MethodPatch, operationsURL(s)+"/"+id, body)
				} else {
					_, err = do(ctx, s, http.MethodGet, operationsURL(s)+"/"+id, nil)
				}
				if start.Before(begin) {
					continue // warming up
				}
				if err == nil {
					lat[c] = append(lat[c], time.Since(start))
					continue
				}
				errs[c]++
				mu.Lock()
				if len(first) < 5 {
					first = append(first, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r := result{request: kind, clients: n, duration: duration, cpu: cpu1 - cpu0}
	for c := range n {
		r.latencies = append(r.latencies, lat[c]...)
		r.errors += errs[c]
	}
	r.firstErrors = first
	return r
}
