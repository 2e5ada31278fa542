package chaos

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The --chaos syntax: rules separated by commas, each FAULT:SHARE[:PATTERN].
//
//	FAULT    429[=RETRY] | 503[=RETRY] | latency=DELAY
//	         RETRY is the Retry-After, whole seconds from 1s to 1h (1s when
//	         left out); DELAY is from 1ms to 1m (Go durations: 200ms, 2s)
//	SHARE    the part of the matching requests, a number in (0, 1]
//	PATTERN  the path below the version, '*' for any run of characters;
//	         * (every path) when left out
//
// For example '429:0.1:/industryData/runs*,latency=200ms:0.2' answers a
// tenth of the requests under /industryData/runs with 429 and delays a
// fifth of all requests by 200ms.

// Bounds of the durations a rule takes.
const (
	DefaultRetryAfter = time.Second
	MaxRetryAfter     = time.Hour
	MaxLatency        = time.Minute
)

// Parse reads a --chaos value. Every mistake is an error naming the rule.
func Parse(spec string) ([]Rule, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("no rule: write FAULT:SHARE[:PATTERN], as 429:0.1:/industryData/runs*")
	}
	var rules []Rule
	for _, text := range strings.Split(spec, ",") {
		text = strings.TrimSpace(text)
		r, err := parseRule(text)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", text, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func parseRule(text string) (Rule, error) {
	parts := strings.SplitN(text, ":", 3)
	if len(parts) < 2 {
		return Rule{}, fmt.Errorf("want FAULT:SHARE[:PATTERN]")
	}
	f, err := parseFault(parts[0])
	if err != nil {
		return Rule{}, err
	}
	share, err := strconv.ParseFloat(parts[1], 64)
	if err != nil || !(share > 0 && share <= 1) {
		return Rule{}, fmt.Errorf("the share %q must be a number above 0 and at most 1", parts[1])
	}
	pattern := "*"
	if len(parts) == 3 {
		pattern = parts[2]
		if pattern != "*" && !strings.HasPrefix(pattern, "/") {
			return Rule{}, fmt.Errorf("the pattern %q must start with / (a path below the version, as /industryData/runs*) or be *", pattern)
		}
	}
	return Rule{Fault: f, Share: share, Pattern: pattern}, nil
}

func parseFault(text string) (Fault, error) {
	name, value, hasValue := strings.Cut(text, "=")
	var d time.Duration
	if hasValue {
		var err error
		if d, err = time.ParseDuration(value); err != nil {
			return Fault{}, fmt.Errorf("%q is not a duration (write 5s, 200ms)", value)
		}
	}
	switch name {
	case "429", "503":
		kind := TooManyRequests
		if name == "503" {
			kind = Unavailable
		}
		if !hasValue {
			d = DefaultRetryAfter
		}
		if d < time.Second || d > MaxRetryAfter || d%time.Second != 0 {
			return Fault{}, fmt.Errorf("the Retry-After of %s, %s, must be whole seconds from 1s to %s", name, d, MaxRetryAfter)
		}
		return Fault{Kind: kind, Wait: d}, nil
	case "latency":
		if !hasValue || d < time.Millisecond || d > MaxLatency {
			return Fault{}, fmt.Errorf("latency needs a delay from 1ms to %s, as latency=200ms", MaxLatency)
		}
		return Fault{Kind: Latency, Wait: d}, nil
	}
	return Fault{}, fmt.Errorf("the fault %q must be 429, 503 or latency=DELAY", name)
}
