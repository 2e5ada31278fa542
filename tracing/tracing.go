// Package tracing carries W3C trace context (traceparent) through the
// server: a request's trace is the caller's when it sent a valid
// traceparent and a new one otherwise; the jobs a request starts carry it
// in their payload and continue it; every log line written with a
// request's or a job's context names its trace id. Spans are made by the
// OpenTelemetry SDK and exported only when an exporter is configured
// (serve --otlp-endpoint); without one they are never recorded, so ids are
// all they cost.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// scope names the tracer of the service's spans.
const scope = "industrydata"

// Tracing makes the server's spans.
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
	prop     propagation.TraceContext
}

// Config says where spans go.
type Config struct {
	// Exporter receives the spans that end; nil records none.
	Exporter sdktrace.SpanExporter
	// Sync exports each span as it ends rather than in batches: for
	// tests, which read an in-memory exporter right after a request.
	Sync bool
}

// New returns the server's tracing. With an exporter, a span is recorded
// unless its caller's traceparent says it was not sampled; without one,
// spans only carry ids.
func New(cfg Config) *Tracing {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sdktrace.NeverSample())}
	switch {
	case cfg.Exporter != nil && cfg.Sync:
		opts = []sdktrace.TracerProviderOption{sdktrace.WithSyncer(cfg.Exporter)}
	case cfg.Exporter != nil:
		opts = []sdktrace.TracerProviderOption{sdktrace.WithBatcher(cfg.Exporter)}
	}
	p := sdktrace.NewTracerProvider(opts...)
	return &Tracing{provider: p, tracer: p.Tracer(scope)}
}

// NewOTLPExporter exports spans by OTLP over HTTP (protobuf) to endpoint,
// scheme://host[:port][/path]; without a path, the OTLP default
// /v1/traces. Nothing is sent until a span ends.
func NewOTLPExporter(ctx context.Context, endpoint string) (sdktrace.SpanExporter, error) {
	u, err := ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
}

// ParseEndpoint checks an OTLP/HTTP endpoint and fills in the default
// path.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("OTLP endpoint %q must be http(s)://host[:port][/path]", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u, nil
}

// Shutdown exports the spans not yet exported and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	return t.provider.Shutdown(ctx)
}

// StartRequest starts the server span of a request with header: a child
// of the caller's span when header has a valid traceparent, the root of a
// new trace otherwise. The span's name is the method until SetRoute.
func (t *Tracing) StartRequest(ctx context.Context, method string, header http.Header) (context.Context, trace.Span) {
	ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(header))
	return t.tracer.Start(ctx, method, serverKind)
}

// The options of the spans, made once: an option is an allocation.
var (
	serverKind   = trace.WithSpanKind(trace.SpanKindServer)
	consumerKind = trace.WithSpanKind(trace.SpanKindConsumer)
)

// Inject writes ctx's span as the traceparent (and tracestate) of header.
func (t *Tracing) Inject(ctx context.Context, header http.Header) {
	t.prop.Inject(ctx, propagation.HeaderCarrier(header))
}

// Traceparent is ctx's span as a traceparent value, "" when ctx has none:
// what a job started in ctx carries in its payload.
func Traceparent(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return c.Get("traceparent")
}

// StartJob starts the span of a job (name: its kind) as a child of
// traceparent, the span that started it; a job without one (queued before
// jobs carried it, or an invalid one) is the root of a new trace.
func (t *Tracing) StartJob(ctx context.Context, name, traceparent string) (context.Context, trace.Span) {
	if traceparent != "" {
		ctx = t.prop.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent})
	}
	return t.tracer.Start(ctx, name, consumerKind)
}

// TraceID is the trace id of ctx's span, "" when it has none.
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}
