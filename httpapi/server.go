// Package httpapi serves the Graph industryData API over HTTP: routing, the
// Graph envelope, body decoding, ETags and URLs. Handlers decode, check
// permissions through the route table, call the service and encode; they make
// no business decisions and write no SQL.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/blob"
	"industrydata/chaos"
	"industrydata/console"
	"industrydata/metrics"
	"industrydata/service"
	"industrydata/throttle"
	"industrydata/tracing"
)

// Config is what the HTTP layer needs.
type Config struct {
	Service  *service.Service
	Verifier auth.Verifier
	Logger   *slog.Logger
	// AccessLog writes one info line per request.
	AccessLog bool
	// PublicURL, when set, is the base of every absolute URL the service
	// writes (scheme://host[:port]); otherwise the request's own is used.
	PublicURL *url.URL
	// TrustProxyHeaders lets X-Forwarded-Proto/-Host and Forwarded set the
	// base URL; only behind a proxy that overwrites them.
	TrustProxyHeaders bool
	// Ready reports whether the store is reachable and migrated (/readyz).
	Ready func(context.Context) error
	// Throttle limits each tenant's request rate (SPEC §6): past it, 429
	// tooManyRequests with Retry-After. Nil or a zero rate is no limit.
	Throttle *throttle.Limiter
	// MaxURLBytes bounds the request target (path and query): past it, 414
	// with the Graph envelope. 0 sets no bound here; a real server's
	// MaxHeaderBytes, which counts the request line, still applies.
	MaxURLBytes int
	// MaxHeaderBytes bounds the request's header fields (each counted as
	// "Name: value" and its CRLF, Host included; the request line has
	// MaxURLBytes): past it, 431 with the Graph envelope. 0 sets no bound
	// here; a real server's own MaxHeaderBytes, a larger backstop, still
	// applies before any handler runs.
	MaxHeaderBytes int
	// Blob, when set, serves the upload containers under blob.Prefix: the
	// Azure Blob protocol, authorized by the URL's signature, outside the
	// Graph envelope, tokens and throttle.
	Blob *blob.Handler
	// Console, when set, serves the web console at / and under
	// console.AssetPrefix, outside the Graph envelope.
	Console http.Handler
	// MaxBatchBytes bounds the body of a $batch: past it, 413. 0 is
	// DefaultMaxBatchBytes.
	MaxBatchBytes int64
	// BatchConcurrency is how many requests of one batch run at once. 0
	// is DefaultBatchConcurrency.
	BatchConcurrency int
	// MaxBatchResponseBytes bounds the body of each answer inside a
	// batch: past it, that request answers 406. 0 is
	// DefaultMaxBatchResponseBytes.
	MaxBatchResponseBytes int
	// Chaos, when set, answers a share of the requests with simulated
	// faults (serve --chaos); nil simulates none.
	Chaos *chaos.Injector
	// Sleep waits out a simulated latency; nil waits on a timer. Tests
	// set it so that nothing sleeps.
	Sleep func(ctx context.Context, d time.Duration) error
	// Metrics records each request served; nil records none.
	Metrics *metrics.HTTP
	// Throttled counts the requests Throttle refuses; nil counts none.
	Throttled *metrics.Throttle
	// Tracing makes each request's span and traceparent; nil is tracing
	// without an exporter (ids only).
	Tracing *tracing.Tracing
}

// DefaultMaxURLBytes is the MaxURLBytes serve uses. It lets through every
// @odata.nextLink the service writes: $filter, $orderby, $select and
// $expand of at most 2 KiB each, tripled by percent-encoding, plus a
// $skiptoken of at most 16 KiB come to about 41 KiB. It stays below serve's
// MaxHeaderBytes, so that a long URL gets this JSON 414 rather than
// net/http's plain-text 431.
const DefaultMaxURLBytes = 48 << 10

// DefaultMaxHeaderBytes is the MaxHeaderBytes serve uses: room for a token
// of auth.MaxTokenLength and ordinary headers many times over.
const DefaultMaxHeaderBytes = 64 << 10

// api carries the dependencies of every handler.
type api struct {
	Config
	// publicBase is PublicURL as baseURL writes it, made once.
	publicBase string
	// throttled wraps a route's handler in the per-tenant limit; it runs
	// after authentication, which names the tenant.
	throttled func(http.Handler) http.Handler
	// actions holds the POST patterns of the action routes (actionPaths):
	// any other method on them is 405 with Allow: POST.
	actions *http.ServeMux
	// actionNames are the last segments of the action paths ("" for a
	// wildcard): a path ending otherwise is no action, without matching it.
	actionNames map[string]bool
	// graph is the whole Graph handler, the one a request from the
	// network goes through: $batch sends its requests through it.
	graph http.Handler
}

// NewHandler returns the whole service as one http.Handler.
func NewHandler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if _, ok := cfg.Logger.Handler().(*tracing.LogHandler); !ok {
		cfg.Logger = slog.New(tracing.NewLogHandler(cfg.Logger.Handler()))
	}
	if cfg.Tracing == nil {
		cfg.Tracing = tracing.New(tracing.Config{})
	}
	a := &api{Config: cfg}
	if cfg.PublicURL != nil {
		a.publicBase = strings.TrimSuffix(cfg.PublicURL.String(), "/")
	}
	a.throttled = throttle.Middleware(cfg.Throttle,
		func(r *http.Request) (string, bool) {
			t := principal(r).Tenant
			return string(t), t != ""
		},
		func(w http.ResponseWriter, r *http.Request, retryAfter time.Duration) {
			a.Throttled.Refused()
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeTooManyRequests,
				"Too many requests for this tenant; retry after %d seconds.", throttle.RetryAfterSeconds(retryAfter)))
		})
	mux := http.NewServeMux()
	a.routes(mux)
	graph := withRequest(cfg.Logger, cfg.AccessLog, a.chaos(a.dispatch(mux)))
	a.graph = graph
	if cfg.Blob == nil && cfg.Console == nil {
		return a.observe(graph)
	}
	return a.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case cfg.Blob != nil && strings.HasPrefix(r.URL.Path, blob.Prefix):
			cfg.Blob.ServeHTTP(w, r)
		case cfg.Console != nil && console.Serves(r.URL.Path):
			if x, ok := r.Context().Value(keyExchange).(*exchange); ok {
				x.route = consoleRoute // one label for the console's files
			}
			cfg.Console.ServeHTTP(w, r)
		default:
			graph.ServeHTTP(w, r)
		}
	}))
}

// dispatch routes through mux, answering misses (404) and wrong methods
// (405) with the Graph envelope instead of ServeMux's plain text, and never
// redirecting: a client of an async API must not see a 3xx (SPEC §6). Keys
// in parentheses are made key segments first (keyForm).
func (a *api) dispatch(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.MaxURLBytes > 0 && requestTargetLen(r) > a.MaxURLBytes {
			// 414 has no Graph code of its own: invalidRequest, with the
			// status written here rather than through the code table.
			e := industrydata.Errorf(industrydata.CodeInvalidRequest,
				"The request URL is longer than the limit of %d bytes.", a.MaxURLBytes)
			writeJSON(w, http.StatusRequestURITooLong, appendErrorBody(make([]byte, 0, 256), r, e))
			return
		}
		if a.MaxHeaderBytes > 0 && headerBytes(r, a.MaxHeaderBytes) > a.MaxHeaderBytes {
			// 431 has no Graph code of its own either (as 414 above).
			e := industrydata.Errorf(industrydata.CodeInvalidRequest,
				"The request's header fields are larger than the limit of %d bytes.", a.MaxHeaderBytes)
			writeJSON(w, http.StatusRequestHeaderFieldsTooLarge, appendErrorBody(make([]byte, 0, 256), r, e))
			return
		}
		p := r.URL.Path
		if len(p) > 1 && strings.HasSuffix(p, "/") {
			p = strings.TrimSuffix(p, "/")
		}
		if p == "" || p[0] != '/' || path.Clean(p) != p {
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeInvalidRequest, "The request URL path is not valid."))
			return
		}
		if p != r.URL.Path {
			u := *r.URL
			// The escaped form loses its slash too, so that a %2F in an id
			// keeps it one segment.
			u.Path, u.RawPath = p, strings.TrimSuffix(u.RawPath, "/")
			r = r.Clone(r.Context())
			r.URL = &u
		}
		var keys []int
		if kp, ok := keyForm(r.URL.EscapedPath()); ok {
			r, keys = withKeyedPath(r, kp), kp.keys
		}
		if r.Method != http.MethodPost && a.isAction(r, keys) {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeMethodNotAllowed,
				"The method %s is not allowed on this action; allowed: POST.", clipPath(r.Method)))
			return
		}
		if _, pattern := mux.Handler(r); pattern != "" {
			if info, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
				info.route = pattern
			}
			if keys != nil && !keysOnWildcards(pattern, keys) {
				writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeItemNotFound,
					"No resource matches the request URL '%s'.", clipPath(r.URL.Path)))
				return
			}
			mux.ServeHTTP(w, r)
			return
		}
		// A miss: ask the mux whether some method would have matched.
		h, _ := mux.Handler(r)
		probe := &probeWriter{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeMethodNotAllowed,
				"The method %s is not allowed on this resource; allowed: %s.", clipPath(r.Method), probe.header.Get("Allow")))
			return
		}
		writeError(w, r, a.Logger, industrydata.Errorf(industrydata.CodeItemNotFound,
			"No resource matches the request URL '%s'.", clipPath(r.URL.Path)))
	})
}

// headerBytes is the size of r's header fields as sent: "Name: value" and
// CRLF for each, Host included. It stops counting past limit.
func headerBytes(r *http.Request, limit int) int {
	n := len("Host: \r\n") + len(r.Host)
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(": \r\n") + len(v)
			if n > limit {
				return n
			}
		}
	}
	return n
}

// requestTargetLen is the length of the request target as the client sent
// it (path and query), or as the URL spells it for a request made in-process.
func requestTargetLen(r *http.Request) int {
	if r.RequestURI != "" {
		return len(r.RequestURI)
	}
	return len(r.URL.RequestURI())
}

// probeWriter records what ServeMux's own miss handler would answer.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header         { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeWriter) WriteHeader(code int)        { p.status = code }

func clipPath(p string) string { return industrydata.Shorten(p, 200) }
