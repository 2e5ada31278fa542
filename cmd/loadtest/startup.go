package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"industrydata/internal/procstat"
)

// idleWait is how long a started server is left alone before its resident
// memory is read: past its start-up's transient allocations.
const idleWait = time.Second

// startup is one start of the server on an empty data directory: the time
// from the process's start to its first /readyz 200, and its resident
// memory once idle.
type startup struct {
	ready  time.Duration
	rssKiB int
}

func (s startup) rssMB() float64 { return float64(s.rssKiB) / 1024 }

// measureStartup starts `serve` on dataDir, which does not exist yet (the
// SQLite store, with the metrics on where the binary has them), and stops
// it once measured.
func measureStartup(ctx context.Context, binary, dataDir string) (startup, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir,
		"--log-format", "json", "--log-level", "info"}, optionalFlags(ctx, binary, false)...)
	begin := time.Now()
	p, addr, err := startProc(ctx, binary, args)
	if err != nil {
		return startup{}, err
	}
	defer p.stop()
	hc := &http.Client{Timeout: time.Second}
	deadline := begin.Add(30 * time.Second)
	for {
		res, err := hc.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return startup{}, fmt.Errorf("no /readyz 200 within 30s (last: %v)", err)
		}
		time.Sleep(time.Millisecond)
	}
	s := startup{ready: time.Since(begin)}
	select {
	case <-time.After(idleWait):
	case <-ctx.Done():
		return s, ctx.Err()
	}
	s.rssKiB = procstat.RSSKiB(p.cmd.Process.Pid)
	return s, nil
}
