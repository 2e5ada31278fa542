// Package servetest runs the real industrydata service in a test's
// process, on 127.0.0.1, the way serve assembles it (SQLite store, local
// tokens, the runner, the upload containers), so that tests of other
// packages — the Go client above all — talk HTTP to the real thing rather
// than to a fake. Tests only.
package servetest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/blob"
	"industrydata/httpapi"
	"industrydata/runner"
	"industrydata/service"
	"industrydata/store/sqlite"
	"industrydata/throttle"
)

// Tenant is the tenant Token mints for when a test names none.
const Tenant = "c1c1c1c1-0000-4000-8000-000000000001"

// Options change the server a test starts.
type Options struct {
	// Throttle, when its Rate is set, limits each tenant's requests as
	// --throttle-rate does; its Now lets a test move the bucket's clock.
	Throttle throttle.Config
	// Workers is how many runs and validations execute at once; 0 means 1,
	// and NoWorkers none (jobs then wait, as under serve --workers 0).
	Workers   int
	NoWorkers bool
	// Runner, when set, changes the runner's configuration after the
	// defaults are in (a slower store, a shorter progress interval).
	Runner func(*runner.Config)
	// Console, when set, is served as serve serves the web console.
	Console http.Handler
}

// Server is a running service.
type Server struct {
	// URL is the server's base, http://127.0.0.1:port.
	URL   string
	Store industrydata.Store
	key   []byte
}

// Start runs a service over a fresh memory database and stops it (runner
// first, then the listener) when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Memory: true})
	if err != nil {
		tb.Fatal(err)
	}
	key := []byte("servetest-signing-key-0123456789abcdef")
	signer, err := blob.NewSigner([]byte("servetest-upload-key-0123456789abcdef"))
	if err != nil {
		tb.Fatal(err)
	}
	limiter, err := throttle.New(opts.Throttle)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rc := runner.Config{Store: st, Workers: opts.Workers, LeaseTTL: 5 * time.Second, Logger: log}
	if opts.Runner != nil {
		opts.Runner(&rc)
	}
	runs := runner.New(rc)
	svc := service.New(st, industrydata.SystemClock{}, service.Options{JobQueued: runs.Notify})
	handler := httpapi.NewHandler(httpapi.Config{
		Service:        svc,
		Verifier:       auth.NewLocalVerifier(key, time.Now),
		Throttle:       limiter,
		Logger:         log,
		Ready:          st.Ping,
		MaxURLBytes:    httpapi.DefaultMaxURLBytes,
		MaxHeaderBytes: httpapi.DefaultMaxHeaderBytes,
		Blob:           blob.NewHandler(blob.Config{Store: st, Signer: signer, Logger: log}),
		Console:        opts.Console,
	})
	srv := httptest.NewServer(handler) // listens on 127.0.0.1 only

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if !opts.NoWorkers {
		wg.Go(func() { runs.Run(runCtx) })
	}
	tb.Cleanup(func() {
		stop()
		wg.Wait()
		srv.CloseClientConnections()
		srv.Close()
		st.Close()
	})
	return &Server{URL: srv.URL, Store: st, key: key}
}

// Token mints a token of the server's key for tenant ("" for Tenant);
// with no roles it grants every permission.
func (s *Server) Token(tb testing.TB, tenant string, roles ...string) string {
	tb.Helper()
	if tenant == "" {
		tenant = Tenant
	}
	tok, err := auth.Mint(s.key, auth.TokenRequest{Tenant: tenant, Roles: roles, Expires: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}
