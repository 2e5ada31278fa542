package main

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"industrydata/chaos"
)

// serve's fault simulation: --chaos RULES answers a share of the requests
// with simulated faults (package chaos has the syntax). It is off unless
// asked for, says so loudly when on, and is refused on an address others
// can reach unless --chaos-allow-remote says that is meant: a server that
// fails on purpose must not be mistaken for one that works.

// chaosConfig is what the --chaos flags say.
type chaosConfig struct {
	spec        string
	seed        uint64
	allowRemote bool
	rules       []chaos.Rule // spec, parsed by validate
	seedSet     bool
}

func (c *chaosConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.spec, "chaos", "", "simulate faults for testing clients: FAULT:SHARE[:PATTERN],… with FAULT 429[=RETRY], 503[=RETRY] or latency=DELAY, "+
		"SHARE in (0,1], PATTERN a path below /beta ('*' any characters), as '429:0.1:/industryData/runs*,latency=200ms:0.2' (off when empty)")
	fs.Func("chaos-seed", "the `seed` of --chaos's draws, to repeat a run's faults (a random one, logged, when not given)", func(v string) error {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return errors.New("want a whole number from 0 to 18446744073709551615")
		}
		c.seed, c.seedSet = seed, true
		return nil
	})
	fs.BoolVar(&c.allowRemote, "chaos-allow-remote", false, "allow --chaos on an --addr that is not a loopback address")
}

// validate parses the rules and refuses what must not run.
func (c *chaosConfig) validate(addr string) error {
	if c.spec == "" {
		if c.seedSet || c.allowRemote {
			return errors.New("--chaos-seed and --chaos-allow-remote need --chaos")
		}
		return nil
	}
	rules, err := chaos.Parse(c.spec)
	if err != nil {
		return fmt.Errorf("--chaos: %v", err)
	}
	c.rules = rules
	host, _, _ := net.SplitHostPort(addr)
	if !c.allowRemote && !loopback(host) {
		return fmt.Errorf("--chaos answers requests with simulated faults; --addr %s is not a loopback address, so it also needs --chaos-allow-remote", addr)
	}
	return nil
}

// loopback reports whether host is a loopback address (or localhost): an
// empty host listens on every interface.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// injector is the configured injector, nil when --chaos is off; when on,
// it says so at warning level, with the seed that repeats its faults.
func (c *chaosConfig) injector(log *slog.Logger) *chaos.Injector {
	if len(c.rules) == 0 {
		return nil
	}
	seed := c.seed
	if !c.seedSet {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	names := make([]string, len(c.rules))
	for i, r := range c.rules {
		names[i] = r.String()
	}
	log.Warn("CHAOS: fault simulation is on: a share of the requests get simulated 429s, 503s or delays (--chaos); never use this server for real work",
		"rules", strings.Join(names, ","), "seed", seed, "repeat_with", fmt.Sprintf("--chaos-seed %d", seed), "allow_remote", c.allowRemote)
	return chaos.New(c.rules, seed)
}
