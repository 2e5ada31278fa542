package throttle_test

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata/throttle"
)

// fakeClock is a clock tests move by hand; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func mustNew(t testing.TB, cfg throttle.Config) *throttle.Limiter {
	t.Helper()
	l, err := throttle.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return l
}

// drain takes tokens until the first refusal and returns how many were
// granted and the refusal's Retry-After.
func drain(t *testing.T, l *throttle.Limiter, tenant string) (granted int, retryAfter time.Duration) {
	t.Helper()
	for range 1_000_000 {
		ok, wait := l.Allow(tenant)
		if !ok {
			return granted, wait
		}
		if wait != 0 {
			t.Fatalf("Allow(%q) granted with retryAfter %v, want 0", tenant, wait)
		}
		granted++
	}
	t.Fatalf("Allow(%q) never refused", tenant)
	return 0, 0
}

func TestBurstThenRefusal(t *testing.T) {
	tests := []struct {
		name      string
		rate      float64
		burst     int
		wantBurst int
		wantRetry time.Duration
	}{
		{"one per second, burst 3", 1, 3, 3, time.Second},
		{"fast rate waits at least a second", 100, 5, 5, time.Second},
		{"half per second waits two seconds", 0.5, 2, 2, 2 * time.Second},
		{"fractional wait rounds up", 0.3, 1, 1, 4 * time.Second},
		{"one a minute", 1.0 / 60, 1, 1, 60 * time.Second},
		{"zero burst defaults to ceil(rate)", 2.5, 0, 3, time.Second},
		{"zero burst with slow rate defaults to 1", 0.1, 0, 1, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			l := mustNew(t, throttle.Config{Rate: tt.rate, Burst: tt.burst, Now: clock.Now})
			granted, retry := drain(t, l, "tenant-a")
			if granted != tt.wantBurst || retry != tt.wantRetry {
				t.Errorf("drain: granted %d with Retry-After %v, want %d with %v", granted, retry, tt.wantBurst, tt.wantRetry)
			}
			// A refusal takes no token: asking again says the same.
			if ok, again := l.Allow("tenant-a"); ok || again != tt.wantRetry {
				t.Errorf("second refusal: ok=%v Retry-After %v, want false %v", ok, again, tt.wantRetry)
			}
		})
	}
}

func TestRefillAfterTimeAdvances(t *testing.T) {
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: 2, Burst: 4, Now: clock.Now})
	steps := []struct {
		advance time.Duration
		want    int // tokens granted before the next refusal
	}{
		{0, 4},
		{0, 0},
		{499 * time.Millisecond, 0},
		{1 * time.Millisecond, 1},
		{time.Second, 2},
		{1500 * time.Millisecond, 3},
		{time.Hour, 4}, // the bucket holds no more than Burst
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got, _ := drain(t, l, "t"); got != s.want {
			t.Errorf("step %d (after +%v): granted %d, want %d", i, s.advance, got, s.want)
		}
	}
}

func TestRetryAfterRounding(t *testing.T) {
	tests := []struct {
		name    string
		rate    float64
		elapsed time.Duration // after the bucket (burst 1) is emptied
		want    time.Duration
	}{
		{"needs 0.7s: one second", 1, 300 * time.Millisecond, time.Second},
		{"needs 1ms: still one second", 1, 999 * time.Millisecond, time.Second},
		{"needs 3s exactly", 0.25, time.Second, 3 * time.Second},
		{"needs 1.5s: two seconds", 0.25, 2500 * time.Millisecond, 2 * time.Second},
		{"needs 0.1s at a high rate: one second", 10, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			l := mustNew(t, throttle.Config{Rate: tt.rate, Burst: 1, Now: clock.Now})
			if ok, _ := l.Allow("t"); !ok {
				t.Fatal("first request refused")
			}
			clock.Advance(tt.elapsed)
			ok, got := l.Allow("t")
			if ok || got != tt.want {
				t.Errorf("Allow = %v, %v; want false, %v", ok, got, tt.want)
			}
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{0, 1},
		{-time.Second, 1},
		{time.Nanosecond, 1},
		{time.Second, 1},
		{time.Second + time.Millisecond, 2},
		{59500 * time.Millisecond, 60},
		{math.MaxInt64, math.MaxInt32},
	}
	for _, tt := range tests {
		if got := throttle.RetryAfterSeconds(tt.in); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// SPEC §6: a client that waits as told gets through within three retries.
// Alone on its tenant, it gets through on the first.
func TestWaitingAsToldGetsThrough(t *testing.T) {
	for _, rate := range []float64{0.01, 0.1, 0.3, 0.7, 1, 1.1, 3, 7.5, 49.999, 1000} {
		for _, burst := range []int{1, 2, 10} {
			t.Run(fmt.Sprintf("rate %v burst %d", rate, burst), func(t *testing.T) {
				clock := newClock()
				l := mustNew(t, throttle.Config{Rate: rate, Burst: burst, Now: clock.Now})
				for round := range 20 {
					_, wait := drain(t, l, "t")
					clock.Advance(wait)
					if ok, again := l.Allow("t"); !ok {
						t.Fatalf("round %d: refused again (Retry-After %v) after waiting %v", round, again, wait)
					}
					// Arrive at odd moments so the bucket is part-full.
					clock.Advance(time.Duration(round) * 37 * time.Millisecond)
				}
			})
		}
	}
}

func TestTenantsAreIndependent(t *testing.T) {
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: 1, Burst: 2, Now: clock.Now})
	if got, _ := drain(t, l, "tenant-a"); got != 2 {
		t.Fatalf("tenant A granted %d, want 2", got)
	}
	for _, tenant := range []string{"tenant-b", "tenant-c", "Tenant-A", "tenant-a "} {
		if got, _ := drain(t, l, tenant); got != 2 {
			t.Errorf("%q granted %d after tenant A was exhausted, want 2", tenant, got)
		}
	}
	if ok, _ := l.Allow("tenant-a"); ok {
		t.Error("tenant A refilled by the others' requests")
	}
}

func TestMemoryIsBounded(t *testing.T) {
	const flood = 100_000
	t.Run("MaxTenants caps a flood of distinct tenants", func(t *testing.T) {
		clock := newClock() // never advances: no bucket refills, so only the cap evicts
		l := mustNew(t, throttle.Config{Rate: 1, Burst: 5, MaxTenants: 1000, Now: clock.Now})
		maxLen := 0
		for i := range flood {
			if ok, _ := l.Allow(fmt.Sprintf("tenant-%d", i)); !ok {
				t.Fatalf("new tenant %d refused", i)
			}
			if i%1000 == 0 {
				maxLen = max(maxLen, l.Len())
			}
		}
		maxLen = max(maxLen, l.Len())
		if maxLen > 1000 {
			t.Errorf("kept %d tenants, want at most MaxTenants 1000", maxLen)
		}
		if maxLen < 500 {
			t.Errorf("kept only %d tenants: shards badly balanced?", maxLen)
		}
		t.Logf("%d distinct tenants, at most %d kept", flood, maxLen)
	})
	t.Run("idle tenants are dropped without a cap", func(t *testing.T) {
		clock := newClock()
		// Rate 10, burst 10: a bucket is full again 1s after its last use.
		l := mustNew(t, throttle.Config{Rate: 10, Burst: 10, Now: clock.Now})
		maxLen := 0
		for i := range flood {
			l.Allow(fmt.Sprintf("tenant-%d", i))
			clock.Advance(time.Millisecond) // 1000 tenants a second
			if i%1000 == 0 {
				maxLen = max(maxLen, l.Len())
			}
		}
		// About 1000 tenants are active within any second; shards sweep
		// when next used, so allow some stragglers.
		if maxLen > 2000 {
			t.Errorf("kept %d tenants, want about 1000 (those seen in the last second)", maxLen)
		}
		t.Logf("%d distinct tenants at 1000/s, at most %d kept (default MaxTenants %d)", flood, maxLen, throttle.DefaultMaxTenants)
	})
	t.Run("an idle tenant dropped keeps its full bucket", func(t *testing.T) {
		clock := newClock()
		l := mustNew(t, throttle.Config{Rate: 1, Burst: 3, MaxTenants: 1, Now: clock.Now})
		if got, _ := drain(t, l, "a"); got != 3 {
			t.Fatalf("granted %d, want 3", got)
		}
		clock.Advance(2 * time.Second) // two tokens back, not yet full
		l.Allow("b")                   // MaxTenants 1: "a" is forgotten
		if got := l.Len(); got != 1 {
			t.Errorf("Len() = %d, want 1", got)
		}
		// Past the cap a tenant is forgotten early and starts full: the
		// price of bounded memory, hence a generous default MaxTenants.
		if got, _ := drain(t, l, "a"); got != 3 {
			t.Errorf("a after eviction granted %d, want a fresh bucket of 3", got)
		}
	})
}

func TestOffWhenRateIsZero(t *testing.T) {
	clock := newClock()
	for name, l := range map[string]*throttle.Limiter{
		"zero config": mustNew(t, throttle.Config{}),
		"zero rate":   mustNew(t, throttle.Config{Rate: 0, Burst: 5, MaxTenants: 1, Now: clock.Now}),
		"nil":         nil,
	} {
		t.Run(name, func(t *testing.T) {
			if l.Enabled() {
				t.Error("Enabled() = true")
			}
			for i := range 10_000 {
				if ok, wait := l.Allow(fmt.Sprint(i % 3)); !ok || wait != 0 {
					t.Fatalf("request %d: Allow = %v, %v; want true, 0", i, ok, wait)
				}
			}
			if n := l.Len(); n != 0 {
				t.Errorf("Len() = %d, want 0: an off limiter keeps nothing", n)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  throttle.Config
		want string // substring of the error; "" for valid
	}{
		{"zero is valid (off)", throttle.Config{}, ""},
		{"typical", throttle.Config{Rate: 50, Burst: 10, MaxTenants: 1000}, ""},
		{"negative rate", throttle.Config{Rate: -1}, "throttle rate"},
		{"NaN rate", throttle.Config{Rate: math.NaN()}, "throttle rate"},
		{"infinite rate", throttle.Config{Rate: math.Inf(1)}, "throttle rate"},
		{"negative burst", throttle.Config{Rate: 1, Burst: -1}, "throttle burst"},
		{"negative max tenants", throttle.Config{Rate: 1, MaxTenants: -1}, "throttle max tenants"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			_, newErr := throttle.New(tt.cfg)
			if tt.want == "" {
				if err != nil || newErr != nil {
					t.Errorf("Validate() = %v, New error %v; want nil", err, newErr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tt.want)
			}
			if newErr == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}

// Concurrent callers share each tenant's bucket exactly: with the clock
// stopped, each tenant gets Burst grants however many goroutines ask.
func TestConcurrentUse(t *testing.T) {
	const (
		tenants    = 8
		goroutines = 16
		perG       = 200
		burst      = 50
	)
	clock := newClock()
	l := mustNew(t, throttle.Config{Rate: 5, Burst: burst, MaxTenants: 1000, Now: clock.Now})
	round := func() map[string]int {
		var mu sync.Mutex
		granted := map[string]int{}
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				local := map[string]int{}
				for i := range perG {
					tenant := fmt.Sprintf("tenant-%d", (g+i)%tenants)
					if ok, _ := l.Allow(tenant); ok {
						local[tenant]++
					}
					_ = l.Len()
				}
				mu.Lock()
				for k, v := range local {
					granted[k] += v
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		return granted
	}
	want := func(n int) map[string]int {
		m := map[string]int{}
		for i := range tenants {
			m[fmt.Sprintf("tenant-%d", i)] = n
		}
		return m
	}
	if diff := cmp.Diff(want(burst), round()); diff != "" {
		t.Errorf("first round grants (-want +got):\n%s", diff)
	}
	clock.Advance(2 * time.Second) // 10 tokens each at 5/s
	if diff := cmp.Diff(want(10), round()); diff != "" {
		t.Errorf("grants after 2s (-want +got):\n%s", diff)
	}
}
