package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// phase is one serve configuration under the load.
type phase struct {
	name      string
	serveArgs []string
}

// request is one PATCH: when it started (from the load's start) and how
// long it took; failed ones are counted apart.
type request struct {
	start, took time.Duration
}

// span is a part of the load, from its start.
type span struct{ start, end time.Duration }

// sample is the database's size on disk at a moment of the load.
type sample struct {
	at      time.Duration
	db, wal int64
}

// result is what a phase measured.
type result struct {
	name     string
	requests []request
	failed   int
	samples  []sample
	cleanups []span // the cleanups, from the load's start
	window   time.Duration
}

func (p phase) run(ctx context.Context, c config) (result, error) {
	dir, err := os.MkdirTemp("", "soak-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	s, err := startServe(ctx, c.bin, dir, p.serveArgs)
	if err != nil {
		return result{}, err
	}
	defer s.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}, Timeout: 30 * time.Second}
	ids, err := seed(ctx, hc, s, c.operations)
	if err != nil {
		return result{}, err
	}
	r := result{name: p.name, window: c.duration}
	begin := time.Now()
	lctx, stop := context.WithDeadline(ctx, begin.Add(c.duration))
	defer stop()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for w := range c.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var mine []request
			failed := 0
			for i := 0; lctx.Err() == nil; i++ {
				start := time.Now()
				body := fmt.Appendf(nil, `{"status":%q,"statusDetail":"soak %d of client %d"}`, [2]string{"running", "succeeded"}[i%2], i, w)
				err := call(lctx, hc, s, http.MethodPatch, "/"+ids[rng.IntN(len(ids))], body, nil)
				if lctx.Err() != nil {
					break // cut by the end of the load
				}
				if err != nil {
					failed++
					continue
				}
				mine = append(mine, request{start: start.Sub(begin), took: time.Since(start)})
			}
			mu.Lock()
			r.requests = append(r.requests, mine...)
			r.failed += failed
			mu.Unlock()
		})
	}
	tick := time.NewTicker(c.sample)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-lctx.Done():
			done = true
		case <-tick.C:
		}
		at := time.Since(begin)
		if n := len(r.samples); done && n > 0 && at-r.samples[n-1].at < time.Second {
			break // the last tick was the end
		}
		r.samples = append(r.samples, sample{at: at, db: size(filepath.Join(dir, "industrydata.db")),
			wal: size(filepath.Join(dir, "industrydata.db-wal"))})
	}
	wg.Wait()
	for _, iv := range s.cleanupIntervals() {
		r.cleanups = append(r.cleanups, span{start: iv.start.Sub(begin), end: iv.end.Sub(begin)})
	}
	return r, ctx.Err()
}

// size is the size of file name, 0 when it does not exist.
func size(name string) int64 {
	fi, err := os.Stat(name)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// seed creates n operations of the tenant and returns their ids.
func seed(ctx context.Context, hc *http.Client, s *serve, n int) ([]string, error) {
	ids := make([]string, 0, n)
	for i := range n {
		var op struct{ ID string }
		body := fmt.Appendf(nil, `{"status":"notStarted","statusDetail":"seed %d"}`, i)
		if err := call(ctx, hc, s, http.MethodPost, "", body, &op); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		ids = append(ids, op.ID)
	}
	return ids, nil
}

// call sends a request to the tenant's operations (path after them) and
// decodes a 2xx answer into out when it is not nil.
func call(ctx context.Context, hc *http.Client, s *serve, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.addr+"/beta/industryData/operations"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.200s", method, req.URL.Path, res.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
