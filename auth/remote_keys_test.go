package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Key sets over time: rotation, rate-limited refresh, an issuer that goes
// down, the verified-token cache, and stopping the refresh goroutine.

func TestRemoteKeyRotation(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, nil)
	base := remoteClaims(p, testNow)
	ctx := t.Context()

	if _, err := v.Verify(ctx, sign(t, "rsa-1", base, nil)); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	p.serve(t, "rsa-2", "ec-1")
	if _, err := v.Verify(ctx, sign(t, "rsa-2", base, nil)); err != nil {
		t.Fatalf("the new key: %v", err)
	}
	if n := p.jwksFetches.Load(); n != 2 {
		t.Fatalf("key set fetched %d times, want 2 (start, then the new kid)", n)
	}
	// Known now: no fetch.
	if _, err := v.Verify(ctx, sign(t, "ec-1", with(base, map[string]any{"oid": "user-2"}), nil)); err != nil {
		t.Fatalf("the other new key: %v", err)
	}
	if _, err := v.Verify(ctx, sign(t, "rsa-2", with(base, map[string]any{"oid": "user-3"}), nil)); err != nil {
		t.Fatalf("the new key again: %v", err)
	}
	if n := p.jwksFetches.Load(); n != 2 {
		t.Errorf("key set fetched %d times after known kids, want 2", n)
	}
	// The retired key went with the refresh.
	_, err := v.Verify(ctx, sign(t, "rsa-1", with(base, map[string]any{"oid": "user-4"}), nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
}

// TestRemoteRefreshRateLimited: tokens with made-up kids cause at most the
// burst of fetches, then one per RefreshRateLimit, paced by the injected
// clock, and are refused at once meanwhile.
func TestRemoteRefreshRateLimited(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, clock := newRemote(t, p, func(c *RemoteConfig) {
		c.RefreshRateLimit = time.Minute
		c.RefreshBurst = 2
	})
	base := remoteClaims(p, testNow)
	garbage := func(i int) string {
		return sign(t, "rsa-1", base, map[string]any{"kid": fmt.Sprintf("garbage-%d", i)})
	}
	tokens := make([]string, 100)
	for i := range tokens {
		tokens[i] = garbage(i)
	}

	var wg sync.WaitGroup
	errs := make([]error, len(tokens))
	for i, tok := range tokens {
		wg.Go(func() { _, errs[i] = v.Verify(t.Context(), tok) })
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			t.Fatalf("garbage kid %d accepted", i)
		}
		assertUnauthenticated(t, err, "not one the issuer publishes")
	}
	if n := p.jwksFetches.Load(); n != 1+2 {
		t.Fatalf("key set fetched %d times, want 3 (start and a burst of 2)", n)
	}

	clock.Set(testNow.Add(30 * time.Second))
	v.Verify(t.Context(), garbage(1000))
	if n := p.jwksFetches.Load(); n != 3 {
		t.Errorf("after 30s: %d fetches, want still 3", n)
	}
	clock.Set(testNow.Add(time.Minute))
	v.Verify(t.Context(), garbage(1001))
	v.Verify(t.Context(), garbage(1002))
	if n := p.jwksFetches.Load(); n != 4 {
		t.Errorf("after a minute: %d fetches, want 4", n)
	}
	// Known keys never wait for the limiter.
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", base, nil)); err != nil {
		t.Errorf("a good token while rate-limited: %v", err)
	}
	// A rotation while rate-limited is picked up once the limit allows.
	p.serve(t, "rsa-1", "rsa-2")
	rotated := sign(t, "rsa-2", base, nil)
	_, err := v.Verify(t.Context(), rotated)
	assertUnauthenticated(t, err, "not one the issuer publishes")
	clock.Set(testNow.Add(2 * time.Minute))
	if _, err := v.Verify(t.Context(), rotated); err != nil {
		t.Errorf("the new key once the limit allows: %v", err)
	}
}

func TestRemoteNoRefreshOnUnknownKID(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.RefreshRateLimit = -1 })
	p.serve(t, "rsa-2")
	_, err := v.Verify(t.Context(), sign(t, "rsa-2", remoteClaims(p, testNow), nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
	if n := p.jwksFetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times, want 1", n)
	}
}

func TestRemoteFollowsRedirect(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.JWKSURL = p.srv.URL + "/renamed" })
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", remoteClaims(p, testNow), nil)); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestRemoteKeySetDownLater(t *testing.T) {
	p := newIdP(t, "rsa-1")
	var logs bytes.Buffer
	v, _ := newRemote(t, p, func(c *RemoteConfig) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	base := remoteClaims(p, testNow)
	p.set(func(p *testIdP) { p.jwksCode = http.StatusBadGateway })
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", base, nil)); err != nil {
		t.Errorf("a held key: %v", err)
	}
	_, err := v.Verify(t.Context(), sign(t, "rsa-2", base, nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
	if !strings.Contains(logs.String(), "refreshing the issuer's key set failed") || !strings.Contains(logs.String(), "502") {
		t.Errorf("log %q does not report the failed refresh", logs.String())
	}
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", with(base, map[string]any{"oid": "user-2"}), nil)); err != nil {
		t.Errorf("a held key after the failed refresh: %v", err)
	}
}

// TestRemoteCache: a verified token is served from the cache, even while
// the issuer is down, but only until it expires (with the leeway).
func TestRemoteCache(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, clock := newRemote(t, p, nil)
	tok := sign(t, "rsa-1", remoteClaims(p, testNow), nil)
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	p.set(func(p *testIdP) { p.keys = nil; p.jwksCode = http.StatusServiceUnavailable })
	for _, tc := range []struct {
		at   time.Duration
		want string // "" means accepted
	}{
		{0, ""},
		{time.Hour + 4*time.Minute, ""},
		{time.Hour + 6*time.Minute, "expired"},
		{-6 * time.Minute, "not valid yet"},
	} {
		clock.Set(testNow.Add(tc.at))
		_, err := v.Verify(t.Context(), tok)
		if tc.want == "" {
			if err != nil {
				t.Errorf("at %s: %v", tc.at, err)
			}
			continue
		}
		assertUnauthenticated(t, err, tc.want)
	}
	if n := p.jwksFetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times, want 1", n)
	}
}

// TestRemoteCloseStopsRefresh: the background refresh runs until Close (or
// the end of the constructor's context), and leaves no goroutine.
func TestRemoteCloseStopsRefresh(t *testing.T) {
	waitNoRefreshGoroutines(t)
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.RefreshInterval = 5 * time.Millisecond })
	// The refresh goroutine notices a rotation without any token asking.
	p.serve(t, "rsa-2")
	waitFor(t, "a background refresh", func() bool {
		_, err := v.keys.KeyRead(t.Context(), "rsa-2")
		return err == nil
	})
	if n := refreshGoroutines(); n != 1 {
		t.Errorf("%d refresh goroutines, want 1", n)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	waitNoRefreshGoroutines(t)
	if err := v.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := v.Verify(t.Context(), sign(t, "rsa-2", remoteClaims(p, testNow), nil)); err != nil {
		t.Errorf("Verify after Close: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	w, err := NewRemoteVerifier(ctx, RemoteConfig{JWKSURL: p.srv.URL + "/keys", Issuer: p.srv.URL, Audiences: []string{testAudience}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := refreshGoroutines(); n != 1 {
		t.Errorf("%d refresh goroutines with the default interval, want 1", n)
	}
	cancel()
	waitNoRefreshGoroutines(t)
}

// refreshGoroutines counts the goroutines jwkset started to refresh a key
// set.
func refreshGoroutines() int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by github.com/MicahParks/jwkset.NewStorageFromHTTP") {
			count++
		}
	}
	return count
}

func waitNoRefreshGoroutines(t *testing.T) {
	t.Helper()
	waitFor(t, "no key set refresh goroutine", func() bool { return refreshGoroutines() == 0 })
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
