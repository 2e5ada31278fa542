package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"industrydata/internal/procstat"
)

// repeated are the figures of -uploadfigures.repeat rounds on one server,
// each an upload of the roster beside its local write and a validation
// beside its bare parse: the median ratios (a single round's vary by half
// on a shared machine, mostly through the baselines of a few
// milliseconds) and the server's mean CPU and page faults per upload and
// per validation (/proc/<pid>/stat), steadier than any wall clock.
type repeated struct {
	rounds            int
	local, bare       []float64 // ratios
	upUsed, valUsed   procstat.Usage
	uploads, validate []time.Duration
}

// repeat runs the rounds; validate validates once, the server's nth.
func repeat(t *testing.T, cc *container.Client, srv *child, src string, names []string, local string, validate func(nth int) time.Duration) repeated {
	t.Helper()
	r := repeated{rounds: *upRepeat}
	if r.rounds == 0 {
		return r
	}
	pid := srv.cmd.Process.Pid
	// The same session, on the server restarted at another address.
	u, err := url.Parse(cc.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Host = srv.addr
	if cc, err = container.NewClientWithNoCredential(u.String(), nil); err != nil {
		t.Fatal(err)
	}
	for i := range r.rounds {
		u0 := procstat.Used(pid)
		up, write, _ := uploadAll(t, cc, src, names, local)
		u1 := procstat.Used(pid)
		r.upUsed = r.upUsed.Add(u1.Sub(u0))
		t0 := time.Now()
		for _, name := range names {
			bareCSV(t, filepath.Join(src, name))
		}
		bare := time.Since(t0)
		u1 = procstat.Used(pid)
		took := validate(3 + i)
		r.valUsed = r.valUsed.Add(procstat.Used(pid).Sub(u1))
		r.local = append(r.local, write.Seconds()/up.Seconds())
		r.bare = append(r.bare, took.Seconds()/bare.Seconds())
		r.uploads, r.validate = append(r.uploads, up), append(r.validate, took)
	}
	return r
}

// String is the rounds' medians [ranges] and the server's usage per round.
func (r repeated) String() string {
	if r.rounds == 0 {
		return "no repeats"
	}
	n := time.Duration(r.rounds)
	return fmt.Sprintf("%d rounds: ×local %s, ×bare %s, upload %v, validate %v; server per upload %v CPU %d faults, per validation %v CPU %d faults",
		r.rounds, medianRange(r.local), medianRange(r.bare), median(r.uploads).Round(100*time.Microsecond), median(r.validate).Round(100*time.Microsecond),
		(r.upUsed.CPU / n).Round(100*time.Microsecond), r.upUsed.Faults/int64(n),
		(r.valUsed.CPU / n).Round(100*time.Microsecond), r.valUsed.Faults/int64(n))
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianRange(xs []float64) string {
	return fmt.Sprintf("%.2f [%.2f–%.2f]", median(xs), slices.Min(xs), slices.Max(xs))
}
