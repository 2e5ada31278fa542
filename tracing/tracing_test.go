package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"industrydata/tracing"
)

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

func TestRequestKeepsAValidTraceparentAndReplacesAnInvalidOne(t *testing.T) {
	tr := tracing.New(tracing.Config{})
	for _, tc := range []struct {
		name, traceparent string
		keep              bool
	}{
		{"valid", "00-" + callerTrace + "-" + callerSpan + "-01", true},
		{"valid, not sampled", "00-" + callerTrace + "-" + callerSpan + "-00", true},
		{"absent", "", false},
		{"malformed", "00-" + callerTrace + "-" + callerSpan, false},
		{"zero trace id", "00-00000000000000000000000000000000-" + callerSpan + "-01", false},
		{"upper case", "00-" + strings.ToUpper(callerTrace) + "-" + callerSpan + "-01", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.traceparent != "" {
				h.Set("traceparent", tc.traceparent)
			}
			ctx, span := tr.StartRequest(context.Background(), "GET", h)
			defer span.End()
			out := http.Header{}
			tr.Inject(ctx, out)
			got := out.Get("traceparent")
			id := tracing.TraceID(ctx)
			if len(id) != 32 || !strings.HasPrefix(got, "00-"+id+"-") {
				t.Fatalf("trace id %q, traceparent %q", id, got)
			}
			if (id == callerTrace) != tc.keep {
				t.Errorf("trace id %s after traceparent %q; keep: %v", id, tc.traceparent, tc.keep)
			}
			if strings.Contains(got, callerSpan) {
				t.Errorf("the response's traceparent %q names the caller's span, not the server's", got)
			}
			if tracing.Traceparent(ctx) != got {
				t.Errorf("Traceparent %q, header %q", tracing.Traceparent(ctx), got)
			}
		})
	}
}

func TestJobContinuesTheRequestsTrace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := tracing.New(tracing.Config{Exporter: exp, Sync: true})
	h := http.Header{"Traceparent": {"00-" + callerTrace + "-" + callerSpan + "-01"}}
	ctx, req := tr.StartRequest(context.Background(), "POST", h)
	carried := tracing.Traceparent(ctx)
	req.End()
	jctx, job := tr.StartJob(context.Background(), "validation", carried)
	job.End()
	if tracing.TraceID(jctx) != callerTrace {
		t.Errorf("the job's trace %s, want the request's %s", tracing.TraceID(jctx), callerTrace)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans exported, want 2", len(spans))
	}
	if spans[0].Parent.SpanID().String() != callerSpan || spans[0].SpanKind != trace.SpanKindServer {
		t.Errorf("request span: parent %s, kind %s", spans[0].Parent.SpanID(), spans[0].SpanKind)
	}
	if spans[1].Parent.SpanID() != spans[0].SpanContext.SpanID() || spans[1].Name != "validation" {
		t.Errorf("job span %q: parent %s, want the request's %s", spans[1].Name, spans[1].Parent.SpanID(), spans[0].SpanContext.SpanID())
	}

	// A job queued without a traceparent begins a trace of its own.
	rctx, root := tr.StartJob(context.Background(), "run", "")
	root.End()
	if id := tracing.TraceID(rctx); id == "" || id == callerTrace {
		t.Errorf("a job without a traceparent has trace %q", id)
	}
}

// A caller that did not sample its trace gets no span recorded, even with
// an exporter; without an exporter none is.
func TestSampling(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := tracing.New(tracing.Config{Exporter: exp, Sync: true})
	_, span := tr.StartRequest(context.Background(), "GET", http.Header{"Traceparent": {"00-" + callerTrace + "-" + callerSpan + "-00"}})
	span.End()
	if n := len(exp.GetSpans()); n != 0 {
		t.Errorf("%d spans of an unsampled trace exported", n)
	}
	_, span = tracing.New(tracing.Config{}).StartRequest(context.Background(), "GET", http.Header{})
	if span.IsRecording() {
		t.Error("a span is recorded without an exporter")
	}
	span.End()
}

func TestLogHandlerNamesTheTrace(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(tracing.NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("k", "v")
	ctx, span := tracing.New(tracing.Config{}).StartRequest(context.Background(), "GET", http.Header{})
	defer span.End()
	log.InfoContext(ctx, "with")
	log.Info("without")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", buf.String())
	}
	var with, without map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &with)
	_ = json.Unmarshal([]byte(lines[1]), &without)
	if with["trace_id"] != tracing.TraceID(ctx) || with["k"] != "v" {
		t.Errorf("line with a span's context: %s", lines[0])
	}
	if _, ok := without["trace_id"]; ok {
		t.Errorf("line without a context: %s", lines[1])
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4318":               "http://127.0.0.1:4318/v1/traces",
		"https://collector.example/":          "https://collector.example/v1/traces",
		"http://127.0.0.1:4318/custom/traces": "http://127.0.0.1:4318/custom/traces",
	} {
		if u, err := tracing.ParseEndpoint(in); err != nil || u.String() != want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"127.0.0.1:4318", "grpc://x:4317", "http://", "http://x/?q=1"} {
		if _, err := tracing.ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted", bad)
		}
	}
}
