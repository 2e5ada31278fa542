package compat

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"industrydata/chaos"
)

// retryPath is the only path the JS tests' retry case requests, and the
// only one --chaos answers with faults: half its requests get 429 with a
// Retry-After of one second.
const (
	retryPath = "/industryData/roleGroups"
	retryRule = "429=1s:0.5:" + retryPath
)

// TestOfficialClients runs the JavaScript tests in js/ (node's test runner)
// against the service behind its TLS front, with the front's certificate
// trusted through NODE_EXTRA_CA_CERTS, and fails with node's report when
// any of them fails.
func TestOfficialClients(t *testing.T) {
	node := requireNode(t)
	seed := retrySeed(t)
	s := startService(t, "--chaos", retryRule, "--chaos-seed", seed)
	tests, err := filepath.Glob(filepath.Join(jsDir, "*.test.mjs"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no *.test.mjs in %s (%v)", jsDir, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"--test", "--test-reporter=spec"}, tests...)...)
	cmd.Env = append(serviceEnviron(),
		"NODE_EXTRA_CA_CERTS="+s.caFile,
		"COMPAT_BASE_URL="+s.front,
		"COMPAT_TOKEN="+s.token(t, "c0c0c0c0-0000-4000-8000-000000000001"),
		"COMPAT_KIOTA_TOKEN="+s.token(t, "c0c0c0c0-0000-4000-8000-000000000002"),
		"COMPAT_RETRY_PATH="+retryPath,
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("node --test: %v\n%s", err, out.String())
	}
	t.Logf("node --test:\n%s", out.String())
}

// retrySeed is a --chaos-seed whose first draw answers 429 and whose second
// lets the request through: the retry case then sees exactly one 429, with
// its Retry-After, and the RetryHandler's retry gets through.
func retrySeed(t *testing.T) string {
	t.Helper()
	rules, err := chaos.Parse(retryRule)
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed < 1000; seed++ {
		in := chaos.New(rules, seed)
		_, first := in.Decide(retryPath)
		_, second := in.Decide(retryPath)
		if first && !second {
			return strconv.FormatUint(seed, 10)
		}
	}
	t.Fatal("no seed below 1000 draws a fault and then none")
	return ""
}
