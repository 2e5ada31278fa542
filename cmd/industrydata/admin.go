package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"industrydata/metrics"
	"industrydata/tracing"
)

// serve's operability: the admin listener (--admin-addr), which serves
// the metrics and, with --pprof, the profiler, apart from the API, so that
// neither is reachable where the API is; and the export of spans
// (--otlp-endpoint).

// defaultAdminAddr is a loopback port: what it serves tells a reader much
// about the server (its routes' traffic, its memory, with --pprof its
// code), so others can reach it only when the operator says so.
const defaultAdminAddr = "127.0.0.1:9464"

// adminConfig is what the admin and tracing flags say.
type adminConfig struct {
	addr         string
	allowRemote  bool
	pprof        bool
	otlpEndpoint string
}

func (c *adminConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "admin-addr", defaultAdminAddr, "address of the admin listener, which serves GET /metrics (Prometheus) and, with --pprof, /debug/pprof/ (host:port; off when empty)")
	fs.BoolVar(&c.allowRemote, "admin-allow-remote", false, "allow an --admin-addr that is not a loopback address")
	fs.BoolVar(&c.pprof, "pprof", false, "serve the Go profiler under /debug/pprof/ on the admin listener")
	fs.StringVar(&c.otlpEndpoint, "otlp-endpoint", "", "export spans by OTLP/HTTP to this collector URL, http(s)://host:port[/path] (path /v1/traces when none; off when empty)")
}

// validate refuses what must not run.
func (c *adminConfig) validate() error {
	if c.addr == "" {
		if c.pprof || c.allowRemote {
			return errors.New("--pprof and --admin-allow-remote need --admin-addr")
		}
	} else {
		host, _, err := net.SplitHostPort(c.addr)
		if err != nil {
			return fmt.Errorf("--admin-addr %q: %v", c.addr, err)
		}
		if !c.allowRemote && !loopback(host) {
			return fmt.Errorf("--admin-addr %s is not a loopback address: the metrics (and --pprof's profiles) would be open to others; add --admin-allow-remote if that is meant", c.addr)
		}
	}
	if c.otlpEndpoint != "" {
		if _, err := tracing.ParseEndpoint(c.otlpEndpoint); err != nil {
			return fmt.Errorf("--otlp-endpoint: %v", err)
		}
	}
	return nil
}

// tracing is the server's tracing: spans exported to --otlp-endpoint, or
// only ids without it.
func (c *adminConfig) tracing(ctx context.Context, log *slog.Logger) (*tracing.Tracing, error) {
	if c.otlpEndpoint == "" {
		return tracing.New(tracing.Config{}), nil
	}
	exp, err := tracing.NewOTLPExporter(ctx, c.otlpEndpoint)
	if err != nil {
		return nil, fmt.Errorf("--otlp-endpoint: %w", err)
	}
	log.Info("exporting spans", "otlp_endpoint", c.otlpEndpoint)
	return tracing.New(tracing.Config{Exporter: exp}), nil
}

// adminHandler serves reg's metrics and, when pprof, the profiler.
func adminHandler(reg *metrics.Registry, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", reg.Handler())
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// adminWriteTimeout bounds an admin response: room for a CPU profile or an
// execution trace of a few minutes (?seconds=N, 30 by default).
const adminWriteTimeout = 5 * time.Minute

// newAdminServer is the admin listener's HTTP server.
func newAdminServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      adminWriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
