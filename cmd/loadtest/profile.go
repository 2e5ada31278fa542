package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profilePhases runs, after the measured rounds, one more phase of each
// request kind for each server mode at n clients, taking a CPU profile of
// the server over it into dir as MODE-KIND-N.pprof. The phase is not
// reported: fetching the profile costs the server some CPU of its own.
// Read one with `go tool pprof -top BINARY FILE`.
func profilePhases(ctx context.Context, c config, servers map[string]*server, n int) error {
	if err := os.MkdirAll(c.cpuprofile, 0o755); err != nil {
		return err
	}
	for _, kind := range []string{"PATCH", "GET"} {
		for _, mode := range c.modes {
			s := servers[mode]
			if len(s.procs) == 0 || s.procs[0].admin == "" {
				continue // the ceiling, or a binary without an admin listener
			}
			file := filepath.Join(c.cpuprofile, fmt.Sprintf("%s-%s-%d.pprof", mode, kind, n))
			fmt.Fprintf(os.Stderr, "profiling %s %s %d clients into %s\n", mode, kind, n, file)
			errc := make(chan error, 1)
			go func() {
				time.Sleep(c.warmup)
				errc <- fetchProfile(ctx, s.procs[0].admin, c.duration, file)
			}()
			runPhase(ctx, s, kind, n, c.warmup, c.duration)
			if err := <-errc; err != nil {
				return fmt.Errorf("%s %s profile: %w", mode, kind, err)
			}
		}
	}
	return nil
}

// fetchProfile writes the CPU profile of the next d of the server whose
// admin listener is on admin into file.
func fetchProfile(ctx context.Context, admin string, d time.Duration, file string) error {
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", admin, max(1, int(d.Seconds())))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
