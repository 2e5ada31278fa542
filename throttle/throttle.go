// Package throttle limits each tenant's request rate with a token bucket
// (SPEC §6: a per-tenant limit, off by default, answered with 429 and a
// Retry-After in whole seconds).
//
// A Limiter keeps one golang.org/x/time/rate.Limiter per tenant in a sharded
// map. Each shard is also a least-recently-used list, so memory stays bounded
// whatever the number of tenants: a tenant idle long enough for its bucket to
// refill is dropped (a fresh bucket would be full too, so nothing changes for
// it), and past MaxTenants the least recently seen tenant is dropped.
package throttle

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxTenants is the number of tenants tracked at once when
// Config.MaxTenants is zero: a few tens of megabytes at most.
const DefaultMaxTenants = 100_000

// maxShards bounds the lock shards; more buys nothing once contention on
// one shard is rare.
const maxShards = 64

// maxRetryAfter caps Retry-After for absurdly low rates, keeping the
// arithmetic clear of overflow.
const maxRetryAfter = math.MaxInt32 * time.Second

// Config sets a Limiter's rate. The zero Config turns throttling off.
type Config struct {
	// Rate is the sustained number of requests per second each tenant may
	// make. Zero turns throttling off.
	Rate float64
	// Burst is how many requests a tenant may make at once after a pause
	// (the bucket's size). Zero picks max(1, ceil(Rate)).
	Burst int
	// MaxTenants bounds the tenants whose buckets are kept at once. Zero
	// picks DefaultMaxTenants. A tenant dropped while its bucket is not yet
	// full starts again with a full one, so set it above the number of
	// tenants expected to be active within Burst/Rate seconds.
	MaxTenants int
	// Now is the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
}

// Validate reports what is wrong with c, naming the field.
func (c Config) Validate() error {
	var errs []error
	if math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) || c.Rate < 0 {
		errs = append(errs, fmt.Errorf("throttle rate %v: must be a finite number of requests per second, 0 for off", c.Rate))
	}
	if c.Burst < 0 {
		errs = append(errs, fmt.Errorf("throttle burst %d: must not be negative", c.Burst))
	}
	if c.MaxTenants < 0 {
		errs = append(errs, fmt.Errorf("throttle max tenants %d: must not be negative", c.MaxTenants))
	}
	return errors.Join(errs...)
}

// Limiter decides, per tenant, whether a request may go ahead. It is safe for
// concurrent use. A nil *Limiter, like one built with a zero Rate, allows
// everything.
type Limiter struct {
	rate  float64
	burst int
	// idle is how long a bucket takes to refill from empty; a tenant unseen
	// for that long has a full bucket and can be forgotten.
	idle   time.Duration
	now    func() time.Time
	seed   maphash.Seed
	shards []*shard
}

// New returns a Limiter for cfg, or the error of cfg.Validate.
func New(cfg Config) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := &Limiter{rate: cfg.Rate, now: cfg.Now}
	if l.now == nil {
		l.now = time.Now
	}
	if cfg.Rate == 0 {
		return l, nil
	}
	l.burst = cfg.Burst
	if l.burst == 0 {
		l.burst = int(math.Max(1, math.Ceil(cfg.Rate)))
	}
	l.idle = secondsToDuration(float64(l.burst) / cfg.Rate)
	max := cfg.MaxTenants
	if max == 0 {
		max = DefaultMaxTenants
	}
	n := 1
	for n*2 <= maxShards && n*2 <= max {
		n *= 2
	}
	l.seed = maphash.MakeSeed()
	l.shards = make([]*shard, n)
	for i := range l.shards {
		// Each shard holds max/n tenants, so together never more than max.
		s := &shard{m: make(map[string]*entry), max: max / n}
		s.root.prev, s.root.next = &s.root, &s.root
		l.shards[i] = s
	}
	return l, nil
}

// Enabled reports whether l limits anything.
func (l *Limiter) Enabled() bool { return l != nil && l.rate > 0 }

// Allow takes one token from tenant's bucket. When there is none it returns
// false and how long to wait before one will be there: whole seconds,
// rounded up, at least one, ready to send as Retry-After.
func (l *Limiter) Allow(tenant string) (ok bool, retryAfter time.Duration) {
	if !l.Enabled() {
		return true, 0
	}
	now := l.now()
	s := l.shards[maphash.String(l.seed, tenant)&uint64(len(l.shards)-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	lim := s.touch(l, tenant, now)
	if lim.AllowN(now, 1) {
		return true, 0
	}
	return false, l.retryAfter(lim, now)
}

// retryAfter is the whole number of seconds until lim holds a token again.
func (l *Limiter) retryAfter(lim *rate.Limiter, now time.Time) time.Duration {
	need := 1 - lim.TokensAt(now)
	secs := math.Max(1, math.Ceil(need/l.rate))
	if secs >= maxRetryAfter.Seconds() {
		return maxRetryAfter
	}
	d := time.Duration(secs) * time.Second
	// Floating point may leave the bucket a hair short of a token at
	// exactly now+d; SPEC §6 promises a client that waits as told gets in.
	if lim.TokensAt(now.Add(d)) < 1 {
		d += time.Second
	}
	return d
}

// shard is one lock's worth of tenants, kept in a map for lookup and in a
// list from most (root.next) to least (root.prev) recently seen, for
// eviction.
type shard struct {
	mu   sync.Mutex
	m    map[string]*entry
	root entry
	max  int
}

type entry struct {
	tenant     string
	lim        *rate.Limiter
	seen       time.Time
	prev, next *entry
}

// touch returns tenant's bucket, creating it if needed, marks it seen at now
// and drops what has gone idle or overflows the shard. s.mu must be held.
func (s *shard) touch(l *Limiter, tenant string, now time.Time) *rate.Limiter {
	e, ok := s.m[tenant]
	if ok {
		s.unlink(e)
	} else {
		s.sweep(l.idle, now)
		if len(s.m) >= s.max {
			// Over the bound: forget the least recently seen tenant even
			// though its bucket may not be full yet.
			oldest := s.root.prev
			s.unlink(oldest)
			delete(s.m, oldest.tenant)
		}
		e = &entry{tenant: tenant, lim: rate.NewLimiter(rate.Limit(l.rate), l.burst)}
		s.m[tenant] = e
	}
	e.seen = now
	s.pushFront(e)
	if ok {
		s.sweep(l.idle, now)
	}
	return e.lim
}

// sweep drops tenants unseen for idle: their buckets are full again, so a
// new one made on their next request behaves the same.
func (s *shard) sweep(idle time.Duration, now time.Time) {
	for e := s.root.prev; e != &s.root && now.Sub(e.seen) >= idle; e = s.root.prev {
		s.unlink(e)
		delete(s.m, e.tenant)
	}
}

func (s *shard) unlink(e *entry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (s *shard) pushFront(e *entry) {
	e.prev = &s.root
	e.next = s.root.next
	s.root.next.prev = e
	s.root.next = e
}

// secondsToDuration converts, rounding up and saturating instead of
// overflowing.
func secondsToDuration(secs float64) time.Duration {
	ns := math.Ceil(secs * float64(time.Second))
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}
