// Package runner executes the jobs of the queue: runs of processes (SPEC
// §4) and validations of data connectors' files (SPEC §11), the worker
// pool inside `industrydata serve`.
//
// The jobs table is the queue (industrydata.JobStore): a job in progress
// that no worker holds, or whose holder's lease has expired, is claimed by
// one worker with a lease; the worker renews the lease while it works, and
// writes the job's outcome and its operation's in one transaction when it
// ends. So the state the API shows is the queue's state, there is nothing to
// keep in step, and several replicas sharing one database each take jobs
// without a coordinator: the store hands a lease to one claim only, and a
// worker that lost its lease (it stalled past the expiry and another took
// the job) fails every later write.
//
// A job whose worker died (kill -9, a crash, a lost machine) keeps its
// lease until it expires; then any worker claims it again and resumes it
// from its start, up to MaxAttempts claims, after which it is failed with
// an error rather than tried forever. A runner that is stopped (SIGTERM)
// cancels its jobs and gives their leases back, so the next worker resumes
// them at once.
package runner

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"industrydata"
	"industrydata/metrics"
	"industrydata/tracing"
)

// Defaults of Config.
const (
	DefaultLeaseTTL         = 30 * time.Second
	DefaultPoll             = time.Second
	DefaultMaxAttempts      = 5
	DefaultBatchSize        = 5000
	DefaultProgressInterval = time.Second
)

// Config configures a Runner.
type Config struct {
	Store industrydata.Store
	// Owner names this runner in the leases it takes; it must differ
	// between the processes sharing a store. "" makes one from the host
	// name, the process id and a random suffix.
	Owner string
	// Workers is how many runs execute at once; 0 means 1.
	Workers int
	// LeaseTTL is how long a lease lasts unless renewed: how long a run
	// whose runner died waits before another takes it over. The lease is
	// renewed every third of it.
	LeaseTTL time.Duration
	// Poll is how often an idle runner looks for work that Notify did not
	// announce: runs started on other replicas, and orphans whose lease
	// expired. Each wait is jittered by ±20%.
	Poll time.Duration
	// MaxAttempts is how many times a run is claimed before it is failed
	// instead of resumed again: a roster that brings its server down every
	// time must not do so forever.
	MaxAttempts int
	// BatchSize is how many report entries are stored per write.
	BatchSize int
	// ProgressInterval is the least time between two updates of the
	// operation's statusDetail, and ProgressEvery how many users the build
	// reads between two reports of progress (0: report's default).
	ProgressInterval time.Duration
	ProgressEvery    int
	Logger           *slog.Logger
	// Metrics counts the jobs; nil counts none.
	Metrics *metrics.Jobs
	// Tracing makes each job's span, a child of the span that started
	// it; nil is tracing without an exporter (ids only).
	Tracing *tracing.Tracing
	// Now is the clock of the timestamps the runner writes; nil is
	// time.Now.
	Now func() time.Time
}

// Runner claims and executes runs until its context ends.
type Runner struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
}

// New returns a Runner; Run starts it.
func New(cfg Config) *Runner {
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.ProgressInterval <= 0 {
		cfg.ProgressInterval = DefaultProgressInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tracing == nil {
		cfg.Tracing = tracing.New(tracing.Config{})
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, log: log.With("runner", cfg.Owner), wake: make(chan struct{}, 1)}
}

// Notify tells the runner that a run may be waiting, so that an idle runner
// looks now rather than at its next poll. It never blocks.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims runs while a worker is free and executes them, until ctx
// ends. Then it stops claiming, cancels the runs it is executing, which give
// their leases back, and returns once they have.
func (r *Runner) Run(ctx context.Context) {
	r.log.Info("runner started", "workers", r.cfg.Workers, "leaseTTL", r.cfg.LeaseTTL)
	defer r.log.Info("runner stopped")
	free := make(chan struct{}, r.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case free <- struct{}{}:
		case <-ctx.Done():
			return
		}
		claim, ok, err := r.cfg.Store.ClaimJob(ctx, r.cfg.Owner, r.cfg.Now(), r.cfg.LeaseTTL, industrydata.JobRun, industrydata.JobValidation)
		if ok {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-free }()
				r.job(ctx, claim)
			}()
			continue
		}
		<-free
		if err != nil && ctx.Err() == nil {
			r.log.Error("claiming a run failed", "err", err)
		}
		timer.Reset(jitter(r.cfg.Poll))
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// jitter spreads d by ±20% so that replicas polling one database do not
// fall into step.
func jitter(d time.Duration) time.Duration {
	return d - d/5 + rand.N(2*d/5+1)
}

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var b [4]byte
	_, _ = crand.Read(b[:]) // never fails on supported platforms
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
