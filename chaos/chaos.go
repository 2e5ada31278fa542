// Package chaos simulates faults for people testing their own clients
// against the service, as Microsoft's Dev Proxy does against Graph: a
// chosen share of the requests to chosen paths is answered 429 or 503 with
// Retry-After, or answered late. It decides; the HTTP layer answers.
package chaos

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Kind is what a fault does to a request.
type Kind int

const (
	// TooManyRequests answers 429 with Retry-After.
	TooManyRequests Kind = iota + 1
	// Unavailable answers 503 with Retry-After.
	Unavailable
	// Latency lets the request through after a delay.
	Latency
)

// Fault is one simulated fault.
type Fault struct {
	Kind Kind
	// Wait is the Retry-After of a 429 or 503 (whole seconds), the delay
	// of Latency.
	Wait time.Duration
}

// String is the fault as the --chaos syntax writes it, and as the access
// log shows it: 429=1s, 503=5s, latency=200ms.
func (f Fault) String() string {
	switch f.Kind {
	case TooManyRequests:
		return "429=" + f.Wait.String()
	case Unavailable:
		return "503=" + f.Wait.String()
	case Latency:
		return "latency=" + f.Wait.String()
	}
	return "none"
}

// RetryAfter is the Retry-After header's value: whole seconds.
func (f Fault) RetryAfter() string { return strconv.Itoa(int(f.Wait / time.Second)) }

// Rule simulates Fault for a share of the requests whose path matches
// Pattern.
type Rule struct {
	Fault Fault
	// Share is the part of the matching requests that get the fault, in
	// (0, 1].
	Share float64
	// Pattern is matched against the request's path below the version
	// (/industryData/runs, also for /beta/external/industryData/runs);
	// '*' stands for any run of characters, '/' included.
	Pattern string
}

// String is the rule in the --chaos syntax.
func (r Rule) String() string {
	return r.Fault.String() + ":" + strconv.FormatFloat(r.Share, 'f', -1, 64) + ":" + r.Pattern
}

// Injector decides which requests get which fault. It is safe for
// concurrent use.
type Injector struct {
	rules []Rule
	seed  uint64

	mu  sync.Mutex
	rng *rand.Rand
}

// New returns an injector of rules drawing from seed: the same seed and the
// same sequence of requests give the same faults.
func New(rules []Rule, seed uint64) *Injector {
	return &Injector{rules: append([]Rule(nil), rules...), seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Seed is the seed the injector draws from.
func (in *Injector) Seed() uint64 { return in.seed }

// Rules are the injector's rules, in order.
func (in *Injector) Rules() []Rule { return append([]Rule(nil), in.rules...) }

// Decide draws the fate of a request to path (below the version). The
// rules that match path share one draw in their order: with 429 at 0.1 and
// latency at 0.2, a tenth of the requests get the 429 and a fifth the
// latency; shares past 1 in total leave the later rules what is left. A
// path no rule matches draws nothing, so it does not change the fate of
// the requests that follow.
func (in *Injector) Decide(path string) (Fault, bool) {
	var matching []Rule
	for _, r := range in.rules {
		if Match(r.Pattern, path) {
			matching = append(matching, r)
		}
	}
	if len(matching) == 0 {
		return Fault{}, false
	}
	in.mu.Lock()
	u := in.rng.Float64()
	in.mu.Unlock()
	cum := 0.0
	for _, r := range matching {
		if cum += r.Share; u < cum {
			return r.Fault, true
		}
	}
	return Fault{}, false
}

// Match reports whether path matches pattern, where '*' stands for any
// run of characters and every other character for itself.
func Match(pattern, path string) bool {
	// The classic two-pointer glob: on a mismatch, let the last '*' take
	// one character more.
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == path[s]:
			p++
			s++
		case star >= 0:
			mark++
			p, s = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
