package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/blob"
	"industrydata/console"
	"industrydata/httpapi"
	"industrydata/metrics"
	"industrydata/runner"
	"industrydata/service"
	"industrydata/throttle"
	"industrydata/tracing"
)

// serveOptions are what a caller of runServe sets beyond the command line;
// run passes none.
type serveOptions struct {
	// runner, when set, adjusts the runner's configuration: this package's
	// tests slow runs down in a child process, so that a signal can reach
	// one midway.
	runner func(*runner.Config)
}

// serveConfig is everything `serve` is told, validated before anything opens.
type serveConfig struct {
	addr              string
	dataDir           string
	databaseURL       string
	publicURL         string
	trustProxyHeaders bool
	logLevel          string
	logFormat         string
	accessLog         bool
	shutdownTimeout   time.Duration
	workers           int
	leaseTTL          time.Duration
	throttleRate      float64
	throttleBurst     int
	remote            auth.RemoteConfig
	audiences         string
	localTokens       bool
	tlsCert, tlsKey   string
	timeouts          httpTimeouts
	uploadMaxBytes    int64
	uploadSessionTTL  time.Duration
	batchMaxBytes     int64
	chaos             chaosConfig
	console           bool
	consoleClientID   string
	admin             adminConfig
	retention         retentionConfig
	cleanupInterval   time.Duration
}

// httpTimeouts are the HTTP server's deadlines, each a flag.
type httpTimeouts struct {
	readHeader, read, write, idle time.Duration
}

// minBatchBytes is the smallest --batch-max-bytes: room for a batch of one
// small request.
const minBatchBytes = 1 << 10

// maxHeaderBytes is net/http's bound on a request's line and headers
// together, a backstop: past it net/http answers a plain-text 431 before
// any handler runs. The API's own limits are tighter and answer with the
// Graph envelope and a request-id: 414 past httpapi.DefaultMaxURLBytes of
// URL, 431 past httpapi.DefaultMaxHeaderBytes of header fields. The
// backstop holds both with room to spare, so that a request over either
// limit still reaches the handler that says so in JSON, while a client
// cannot make the server hold more than this per connection.
const maxHeaderBytes = 256 << 10

// parseServeFlags reads and validates serve's configuration; -h prints the
// help to stderr.
func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := newFlagSet("serve")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.dataDir, "data-dir", "./data", "directory for the SQLite database and the local signing key")
	fs.StringVar(&c.databaseURL, "database-url", "", "database: empty for SQLite under --data-dir, sqlite:PATH, sqlite::memory: (volatile, for tests and benchmarks), or postgres://user[:password]@host[:port]/database (several replicas)")
	fs.StringVar(&c.publicURL, "public-url", "", "scheme://host[:port] that absolute URLs in responses use (set it behind a TLS proxy)")
	fs.BoolVar(&c.trustProxyHeaders, "trust-proxy-headers", false, "build absolute URLs from X-Forwarded-Proto/-Host and Forwarded")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "auto", "json, text, or auto (text on a terminal)")
	fs.BoolVar(&c.accessLog, "access-log", true, "log one line per request (at info level)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on SIGTERM")
	fs.IntVar(&c.workers, "workers", 1, "runs this server executes at once (0 executes none: a server that only answers requests)")
	fs.DurationVar(&c.leaseTTL, "lease-ttl", runner.DefaultLeaseTTL, "how long a run whose server died waits before another server takes it over")
	fs.Float64Var(&c.throttleRate, "throttle-rate", 0, "requests per second each tenant may make (0: no limit)")
	fs.IntVar(&c.throttleBurst, "throttle-burst", 0, "requests a tenant may make at once above its rate (0: the rate, rounded up)")
	fs.StringVar(&c.remote.IssuerURL, "oidc-issuer", "", "OIDC issuer whose discovery document names the JWKS that signs tokens (RS256, ES256)")
	fs.StringVar(&c.remote.JWKSURL, "jwks-url", "", "JWKS URL of the keys that sign tokens, instead of --oidc-issuer (needs --issuer)")
	fs.StringVar(&c.remote.Issuer, "issuer", "", "the iss claim tokens from --jwks-url must carry")
	fs.StringVar(&c.audiences, "audience", "", "comma-separated aud values accepted in tokens from the identity provider")
	fs.BoolVar(&c.localTokens, "local-tokens", true, "accept HS256 tokens signed with the data directory's key (industrydata token)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate chain: serve HTTPS (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.DurationVar(&c.timeouts.readHeader, "read-header-timeout", 10*time.Second, "how long a client may take to send a request's line and headers")
	fs.DurationVar(&c.timeouts.read, "read-timeout", 60*time.Second, "how long a client may take to send a whole request, body included")
	fs.DurationVar(&c.timeouts.write, "write-timeout", 60*time.Second, "how long a response may take to be written (the CSV download of a user report gets a minute per page of entries instead)")
	fs.DurationVar(&c.timeouts.idle, "idle-timeout", 120*time.Second, "how long a kept-alive connection may wait for its next request")
	fs.Int64Var(&c.uploadMaxBytes, "upload-max-file-bytes", blob.DefaultMaxBlobBytes, "the largest file a school may upload to an upload session, in bytes")
	fs.DurationVar(&c.uploadSessionTTL, "upload-session-ttl", blob.DefaultSessionTTL, "how long an upload session (its container and URL) stays valid; a new one replaces it after")
	fs.Int64Var(&c.batchMaxBytes, "batch-max-bytes", httpapi.DefaultMaxBatchBytes, "the largest body of a $batch, in bytes (past it, 413)")
	c.chaos.flags(fs)
	fs.BoolVar(&c.console, "console", true, "serve the web console at /")
	fs.StringVar(&c.consoleClientID, "console-client-id", "", "client id of the console at --oidc-issuer: sign-in with the identity provider (authorization code with PKCE)")
	c.admin.flags(fs)
	c.retention.flags(fs)
	fs.DurationVar(&c.cleanupInterval, "cleanup-interval", time.Hour, "how often this server deletes what the retention lets go (0: never; see industrydata cleanup)")
	help := commandHelp{
		summary: serveSummary,
		usage:   "industrydata serve [--addr 127.0.0.1:8080] [--data-dir ./data] [flags]",
	}
	if err := parseFlags(fs, args, getenv, help, stderr); err != nil {
		return c, usageError{msg: "serve: " + err.Error(), err: err}
	}
	if c.workers < 0 {
		return c, usageError{msg: fmt.Sprintf("--workers %d must not be negative", c.workers)}
	}
	if c.leaseTTL < time.Second {
		return c, usageError{msg: fmt.Sprintf("--lease-ttl %s must be at least 1s", c.leaseTTL)}
	}
	if c.uploadMaxBytes < 1 {
		return c, usageError{msg: fmt.Sprintf("--upload-max-file-bytes %d must be positive", c.uploadMaxBytes)}
	}
	if c.uploadSessionTTL < time.Minute {
		return c, usageError{msg: fmt.Sprintf("--upload-session-ttl %s must be at least 1m", c.uploadSessionTTL)}
	}
	if c.batchMaxBytes < minBatchBytes {
		return c, usageError{msg: fmt.Sprintf("--batch-max-bytes %d must be at least %d", c.batchMaxBytes, minBatchBytes)}
	}
	if err := c.chaos.validate(c.addr); err != nil {
		return c, usageError{msg: err.Error()}
	}
	if err := c.admin.validate(); err != nil {
		return c, usageError{msg: err.Error()}
	}
	if err := c.retention.validate(); err != nil {
		return c, usageError{msg: err.Error()}
	}
	if c.cleanupInterval < 0 {
		return c, usageError{msg: fmt.Sprintf("--cleanup-interval %s must not be negative", c.cleanupInterval)}
	}
	if err := c.timeouts.validate(); err != nil {
		return c, usageError{msg: err.Error()}
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return c, usageError{msg: fmt.Sprintf("--addr %q: %v", c.addr, err)}
	}
	if c.publicURL != "" {
		u, err := url.Parse(c.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return c, usageError{msg: fmt.Sprintf("--public-url %q must be scheme://host[:port] with scheme http or https", c.publicURL)}
		}
	}
	if _, err := parseLevel(c.logLevel); err != nil {
		return c, usageError{msg: err.Error()}
	}
	switch c.logFormat {
	case "auto", "json", "text":
	default:
		return c, usageError{msg: fmt.Sprintf("--log-format %q must be json, text or auto", c.logFormat)}
	}
	if _, err := storeConfig(c); err != nil {
		return c, usageError{msg: err.Error()}
	}
	if _, err := throttle.New(throttle.Config{Rate: c.throttleRate, Burst: c.throttleBurst}); err != nil {
		return c, usageError{msg: "--throttle-rate/--throttle-burst: " + err.Error()}
	}
	for _, a := range strings.Split(c.audiences, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.remote.Audiences = append(c.remote.Audiences, a)
		}
	}
	if c.remoteTokens() {
		if err := c.remote.Validate(); err != nil {
			return c, usageError{msg: "identity provider: " + err.Error()}
		}
	} else if c.remote.Issuer != "" || len(c.remote.Audiences) > 0 {
		return c, usageError{msg: "--issuer and --audience need --oidc-issuer or --jwks-url"}
	}
	if c.consoleClientID != "" && c.remote.IssuerURL == "" {
		return c, usageError{msg: "--console-client-id needs --oidc-issuer"}
	}
	if !c.localTokens && !c.remoteTokens() {
		return c, usageError{msg: "--local-tokens=false needs --oidc-issuer or --jwks-url: no token could be verified"}
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, usageError{msg: "--tls-cert and --tls-key go together"}
	}
	if c.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey); err != nil {
			return c, usageError{msg: fmt.Sprintf("--tls-cert/--tls-key: %v", err)}
		}
	}
	return c, nil
}

// validate refuses a timeout that is not positive: zero would mean none at
// all to net/http, which is no safe default and no way to ask for one.
func (t httpTimeouts) validate() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"read-header-timeout", t.readHeader}, {"read-timeout", t.read}, {"write-timeout", t.write}, {"idle-timeout", t.idle}} {
		if d.v <= 0 {
			return fmt.Errorf("--%s %s must be positive", d.flag, d.v)
		}
	}
	return nil
}

// newHTTPServer is the HTTP server of handler with the configured limits.
//
//   - ReadHeaderTimeout stops slowloris clients: headers trickled in a byte
//     at a time still have to arrive within it.
//   - ReadTimeout bounds the whole request, body included, from its first
//     byte (a body trickled in slowly). It does not bound the response:
//     net/http clears the read deadline once the body has been read.
//   - WriteTimeout bounds an ordinary response, and drops a client that
//     stops reading one. It is no cap on a long download: the CSV of a
//     user report (a million entries stream for seconds, far longer on a
//     slow link) moves its own deadline a minute ahead for each page of
//     entries through http.ResponseController, so it is cut only when its
//     client stalls. A generous global bound instead would either cut
//     slow links or leave stalled clients holding connections for long.
//   - IdleTimeout closes kept-alive connections that send nothing.
func newHTTPServer(t httpTimeouts, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// remoteTokens reports whether tokens of an identity provider are accepted.
func (c serveConfig) remoteTokens() bool { return c.remote.IssuerURL != "" || c.remote.JWKSURL != "" }

// verifier is the token verifier the flags ask for: the local HS256 key,
// the identity provider's keys, or both (by each token's alg). Its close
// stops the key refresh.
func (c serveConfig) verifier(ctx context.Context, key []byte, log *slog.Logger) (auth.Verifier, func(), error) {
	var local, remote auth.Verifier
	if c.localTokens {
		local = auth.NewLocalVerifier(key, time.Now)
	}
	closeFn := func() {}
	if c.remoteTokens() {
		rc := c.remote
		rc.Logger = log
		rv, err := auth.NewRemoteVerifier(ctx, rc)
		if err != nil {
			return nil, nil, fmt.Errorf("identity provider: %w", err)
		}
		remote, closeFn = rv, func() { rv.Close() }
		log.Info("accepting tokens of an identity provider", "issuer", rv.Issuer(), "jwks", rv.JWKSURL(), "local_tokens", c.localTokens)
	}
	if remote == nil {
		return local, closeFn, nil
	}
	return auth.NewChain(local, remote), closeFn, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q must be debug, info, warn or error", s)
	}
	return l, nil
}

// deriveKey derives a key for one purpose from the data directory's secret,
// so $skiptokens stay valid across restarts and replicas sharing the key
// without reusing the token-signing key itself.
func deriveKey(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// newLogger is the server's logger, in the format and at the level c asks
// for.
func newLogger(c serveConfig, stderr io.Writer) *slog.Logger {
	level, _ := parseLevel(c.logLevel)
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationsAsText}
	format := c.logFormat
	if format == "auto" {
		format = "json"
		if f, ok := stderr.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	// Each line written with a request's or a job's context names its
	// trace.
	if format == "text" {
		return slog.New(tracing.NewLogHandler(slog.NewTextHandler(stderr, opts)))
	}
	return slog.New(tracing.NewLogHandler(slog.NewJSONHandler(stderr, opts)))
}

// listenError is serve's failure to listen on --addr or --admin-addr (in
// use, not a local address, or a port it may not bind): the process exits
// with status 2, as for any other bad configuration.
type listenError struct {
	flag string // "addr" or "admin-addr"
	addr string
	err  error
}

func (e listenError) Error() string {
	cause := e.err
	var op *net.OpError
	if errors.As(cause, &op) && op.Err != nil {
		cause = op.Err // without "listen tcp <addr>:", which the message says
	}
	return fmt.Sprintf("serve: cannot listen on --%s %s: %v", e.flag, e.addr, cause)
}

// Unwrap returns the cause.
func (e listenError) Unwrap() error { return e.err }

// ExitStatus is 2: the configuration is at fault.
func (listenError) ExitStatus() int { return 2 }

// durationsAsText writes a time.Duration as its String ("30s"), where JSON
// would have a count of nanoseconds; text logs write it so already.
func durationsAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// runServe implements `industrydata serve` (SPEC §8).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, opts serveOptions) error {
	c, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)

	// Listen first: a server that cannot serve must not create a data
	// directory, a key or a database, nor migrate one, on its way out.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return listenError{flag: "addr", addr: c.addr, err: err}
	}
	defer ln.Close() // in case of an error before serving; Serve closes it too
	var adminLn net.Listener
	if c.admin.addr != "" {
		if adminLn, err = net.Listen("tcp", c.admin.addr); err != nil {
			return listenError{flag: "admin-addr", addr: c.admin.addr, err: err}
		}
		defer adminLn.Close()
	}

	key, err := auth.LoadOrCreateKey(c.dataDir)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	uploadKey, err := blob.LoadOrCreateKey(c.dataDir)
	if err != nil {
		return fmt.Errorf("upload key: %w", err)
	}
	signer, err := blob.NewSigner(uploadKey)
	if err != nil {
		return fmt.Errorf("upload key: %w", err)
	}
	// Without an admin listener nothing reads metrics: none are kept.
	var reg *metrics.Registry
	sc, _ := storeConfig(c)
	if adminLn != nil {
		reg = metrics.New()
		sc.metrics = reg.Store()
	}
	store, err := sc.open(ctx, log, true)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()

	var public *url.URL
	if c.publicURL != "" {
		public, _ = url.Parse(c.publicURL)
	}
	verifier, closeVerifier, err := c.verifier(ctx, key, log)
	if err != nil {
		return err
	}
	defer closeVerifier()
	limiter, _ := throttle.New(throttle.Config{Rate: c.throttleRate, Burst: c.throttleBurst})
	tr, err := c.admin.tracing(ctx, log)
	if err != nil {
		return err
	}
	defer func() {
		// The spans not yet exported go now, within a bound: a collector
		// that does not answer must not hold the exit up.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tr.Shutdown(sctx); err != nil {
			log.Warn("exporting the last spans failed", "err", err)
		}
	}()
	rc := runner.Config{
		Store:    store,
		Workers:  c.workers,
		LeaseTTL: c.leaseTTL,
		Logger:   log,
		Metrics:  reg.Jobs(),
		Tracing:  tr,
	}
	if opts.runner != nil {
		opts.runner(&rc)
	}
	runs := runner.New(rc)
	svc := service.New(store, industrydata.SystemClock{}, service.Options{
		SkipTokenKey: deriveKey(key, "industrydata/skiptoken/v1"),
		JobQueued:    runs.Notify,
	})
	if c.workers > 0 {
		// A run's build keeps a P busy for as long as it lasts, on a
		// thread of lower priority (package lowprio): one P more per
		// worker, so that requests never wait for a build to let go of
		// theirs, and the kernel gives the cores to requests first.
		prev := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + c.workers)
		defer runtime.GOMAXPROCS(prev)
		log.Debug("one scheduler slot (GOMAXPROCS) added per run worker", "gomaxprocs", prev+c.workers)
	}
	// uploads also makes the sessions getUploadSession hands out
	// (uploads.Session), with the URLs it serves.
	uploads := blob.NewHandler(blob.Config{
		Store:        store,
		Signer:       signer,
		Clock:        industrydata.SystemClock{},
		Logger:       log,
		AccessLog:    c.accessLog,
		SessionTTL:   c.uploadSessionTTL,
		MaxBlobBytes: c.uploadMaxBytes,
		// A large upload may take longer than --read-timeout: it is cut
		// only when a MiB takes longer than that.
		BodyTimeout: c.timeouts.read,
		Metrics:     reg.Uploads(),
	})
	injector := c.chaos.injector(log)
	var consoleHandler http.Handler
	if c.console {
		cc := console.Config{}
		if c.consoleClientID != "" {
			cc = console.Config{OIDCIssuer: c.remote.IssuerURL, ClientID: c.consoleClientID}
		}
		if consoleHandler, err = console.Handler(cc); err != nil {
			return err
		}
	}
	handler := httpapi.NewHandler(httpapi.Config{
		Service:           svc,
		Verifier:          verifier,
		Throttle:          limiter,
		Logger:            log,
		AccessLog:         c.accessLog,
		PublicURL:         public,
		TrustProxyHeaders: c.trustProxyHeaders,
		Ready:             store.Ping,
		MaxURLBytes:       httpapi.DefaultMaxURLBytes,
		MaxHeaderBytes:    httpapi.DefaultMaxHeaderBytes,
		Blob:              uploads,
		MaxBatchBytes:     c.batchMaxBytes,
		Chaos:             injector,
		Console:           consoleHandler,
		Metrics:           reg.HTTP(),
		Throttled:         reg.Throttle(),
		Tracing:           tr,
	})

	srv := newHTTPServer(c.timeouts, handler, log)
	log.Info("listening", "addr", ln.Addr().String(), "tls", c.tlsCert != "", "data_dir", c.dataDir,
		"token_help", fmt.Sprintf("get a token with: industrydata token --data-dir %s --tenant <tenant-id>", c.dataDir))

	runCtx, stopRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRuns()
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		if c.workers > 0 {
			runs.Run(runCtx)
		}
	}()
	// The runner stops after the HTTP server, so that a run started by an
	// in-flight request is either executed or given back; its runs are
	// cancelled and their leases given back for the next start to resume.
	defer func() {
		stopRuns()
		<-runnerDone
	}()
	if c.cleanupInterval > 0 {
		// The cleanup is a job of the queue: queued each interval, and
		// looked for each lease TTL (queued elsewhere, or left by a
		// server that died).
		job, err := c.retention.cleanupJob(store, log, reg.Cleanup(), c.leaseTTL)
		if err != nil {
			return err
		}
		schedule, poll := time.NewTicker(c.cleanupInterval), time.NewTicker(c.leaseTTL)
		defer schedule.Stop()
		defer poll.Stop()
		cleaned := make(chan struct{})
		go func() {
			defer close(cleaned)
			job.Every(runCtx, schedule.C, poll.C)
		}()
		defer func() {
			stopRuns()
			<-cleaned
		}()
	}

	served := make(chan error, 2)
	go func() {
		if c.tlsCert != "" {
			served <- srv.ServeTLS(ln, c.tlsCert, c.tlsKey)
			return
		}
		served <- srv.Serve(ln)
	}()
	var admin *http.Server
	if adminLn != nil {
		admin = newAdminServer(adminHandler(reg, c.admin.pprof), log)
		log.Info("admin listening", "admin_addr", adminLn.Addr().String(), "pprof", c.admin.pprof)
		go func() { served <- admin.Serve(adminLn) }()
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", c.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.shutdownTimeout)
	defer cancel()
	// A shutdown that cuts requests short is a failure (the exit status
	// says so), reported once, by main.
	var shutdownErr error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		shutdownErr = fmt.Errorf("shutdown: %w", err)
		if errors.Is(err, context.DeadlineExceeded) {
			shutdownErr = fmt.Errorf("shutdown: requests were still open after --shutdown-timeout %s; their connections were closed", c.shutdownTimeout)
		}
	}
	if admin != nil {
		// Scrapes and profiles end with the server: none is worth waiting for.
		admin.Close()
	}
	stopRuns()
	<-runnerDone
	log.Info("stopped")
	return shutdownErr
}
