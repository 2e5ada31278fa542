// Command soak measures what the cleanup does to a server under steady
// PATCH load with a short retention: the SQLite file's size (database and
// WAL) sampled over the run, with the cleanup on and off, and the PATCH
// throughput and p99 while a cleanup runs against while none does.
//
//	go build -o /tmp/industrydata ./cmd/industrydata
//	go run ./cmd/soak --bin /tmp/industrydata --duration 10m
//
// Each phase starts `industrydata serve` on 127.0.0.1:0 over a fresh data
// directory, seeds operations, then runs --clients closed-loop clients
// PATCHing random ones for --duration. The "cleanup" phase runs serve with
// --retain-audit and --cleanup-interval; the "no cleanup" phase with
// --cleanup-interval 0. The cleanups' intervals are read from serve's log
// ("cleanup done", at debug level), and each PATCH counts as during a
// cleanup when it started inside one. The report is Markdown on stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	bin             string
	duration        time.Duration
	clients         int
	operations      int
	sample          time.Duration
	retainAudit     time.Duration
	cleanupInterval time.Duration
	phases          string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "", "the industrydata binary to run (required)")
	fs.DurationVar(&c.duration, "duration", 10*time.Minute, "how long each phase PATCHes")
	fs.IntVar(&c.clients, "clients", 8, "concurrent PATCH clients")
	fs.IntVar(&c.operations, "operations", 2000, "operations seeded and PATCHed")
	fs.DurationVar(&c.sample, "sample", 5*time.Second, "how often the file size is sampled")
	fs.DurationVar(&c.retainAudit, "retain-audit", time.Minute, "serve's --retain-audit in the cleanup phase")
	fs.DurationVar(&c.cleanupInterval, "cleanup-interval", 10*time.Second, "serve's --cleanup-interval in the cleanup phase")
	fs.StringVar(&c.phases, "phases", "both", "both, cleanup or nocleanup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.bin == "" || c.clients < 1 || c.operations < 1 || c.sample <= 0 || c.duration <= 0 {
		return fmt.Errorf("--bin is required; --clients, --operations, --sample and --duration must be positive")
	}
	var phases []phase
	if c.phases != "cleanup" {
		phases = append(phases, phase{name: "no cleanup", serveArgs: []string{"--cleanup-interval", "0"}})
	}
	if c.phases != "nocleanup" {
		phases = append(phases, phase{name: "cleanup", serveArgs: []string{
			"--cleanup-interval", c.cleanupInterval.String(), "--retain-audit", c.retainAudit.String()}})
	}
	var results []result
	for _, p := range phases {
		fmt.Fprintf(stderr, "soak: phase %q for %s\n", p.name, c.duration)
		r, err := p.run(ctx, c)
		if err != nil {
			return fmt.Errorf("phase %s: %w", p.name, err)
		}
		results = append(results, r)
	}
	return report(stdout, c, results)
}
