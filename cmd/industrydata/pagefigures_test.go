package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"industrydata/internal/procstat"
)

// The figures of a GET of a 999-row page of maximal rows: how many bytes it
// is, how long four concurrent GETs of it take, and the server's peak RSS
// while they run (measured on a server restarted after the rows were
// written, so the peak is the GETs'). Off unless -pagefigures.detail is set:
//
//	go test ./cmd/industrydata -run TestPageFigures -v -timeout 30m \
//	    -pagefigures.detail 4096 -pagefigures.location 2048 -pagefigures.char '\u0001'
//
// statusDetail gets detail characters and resourceLocation location
// characters, each char (a Go-quoted string: '\u0001' is the character the
// JSON escapes to six bytes, the most a character costs in a response).
var (
	pageDetail   = flag.Int("pagefigures.detail", 0, "characters of statusDetail in each of the 999 operations (off when 0)")
	pageLocation = flag.Int("pagefigures.location", 0, "characters of resourceLocation in each operation")
	pageChar     = flag.String("pagefigures.char", "a", "the character repeated, Go-quoted (\\u0001 for a control character)")
	pageClients  = flag.Int("pagefigures.clients", 4, "concurrent GETs of the page")
)

func TestPageFigures(t *testing.T) {
	if *pageDetail == 0 {
		t.Skip("no -pagefigures.detail")
	}
	ch := *pageChar
	if unq, err := unquoteGo(ch); err == nil {
		ch = unq
	}
	const rows = 999
	dir := t.TempDir()
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--access-log=false", "--workers", "0")
	api := newAPI(t, srv.addr, dir)
	api.http.Timeout = 0
	body, _ := json.Marshal(map[string]string{
		"statusDetail":     strings.Repeat(ch, *pageDetail),
		"resourceLocation": strings.Repeat(ch, *pageLocation),
	})
	if *pageLocation == 0 {
		body, _ = json.Marshal(map[string]string{"statusDetail": strings.Repeat(ch, *pageDetail)})
	}
	var wg sync.WaitGroup
	errs := make(chan error, rows)
	next := make(chan int, rows)
	for i := range rows {
		next <- i
	}
	close(next)
	for range 4 {
		wg.Go(func() {
			for range next {
				status, data, err := api.do(http.MethodPost, operationsPath, string(body))
				if err != nil || status != http.StatusCreated {
					errs <- fmt.Errorf("POST: %d %v %.300s", status, err, data)
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
	// A fresh server on the same data: its peak is the GETs'.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.wait(t)
	srv = startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--access-log=false", "--workers", "0")
	api.base = "http://" + srv.addr
	idleKiB := procstat.PeakRSSKiB(srv.cmd.Process.Pid)

	type result struct {
		bytes int64
		took  time.Duration
		err   error
	}
	results := make([]result, *pageClients)
	start := time.Now()
	for i := range results {
		wg.Go(func() {
			t0 := time.Now()
			n, err := getCounting(api, operationsPath+"?$top=999")
			results[i] = result{n, time.Since(t0), err}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	peakKiB := procstat.PeakRSSKiB(srv.cmd.Process.Pid)
	var slowest time.Duration
	for _, r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		slowest = max(slowest, r.took)
	}
	single := time.Now()
	if _, err := getCounting(api, operationsPath+"?$top=999"); err != nil {
		t.Fatal(err)
	}
	alone := time.Since(single)
	t.Logf("\n| rows | statusDetail chars | resourceLocation chars | response bytes | %d concurrent GETs s | one GET alone s | server RSS idle MB | server peak RSS MB |\n"+
		"|---:|---:|---:|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %.2f | %.2f | %.1f | %.1f |",
		len(results), rows, *pageDetail, *pageLocation, results[0].bytes, wall.Seconds(), alone.Seconds(),
		float64(idleKiB)/1024, float64(peakKiB)/1024)
}

// getCounting GETs path and counts the body's bytes without keeping them.
func getCounting(api *apiClient, path string) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, api.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+api.token)
	resp, err := api.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return n, err
}

// unquoteGo reads a Go-quoted character such as \u0001.
func unquoteGo(s string) (string, error) {
	var out string
	_, err := fmt.Sscanf(`"`+s+`"`, "%q", &out)
	if err != nil {
		return s, err
	}
	return out, nil
}
