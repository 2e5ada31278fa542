package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"industrydata/blob"
	"industrydata/console"
	"industrydata/httpapi"
	"industrydata/metrics"
	"industrydata/runner"
	"industrydata/service"
	"industrydata/throttle"
	"industrydata/tracing"
)

// observed is a harness whose requests and jobs are measured, traced and
// logged (JSON, at debug level).
type observed struct {
	*harness
	reg   *metrics.Registry
	spans *tracetest.InMemoryExporter
	tr    *tracing.Tracing
	log   *syncBuffer
}

func newObserved(t *testing.T, opts ...harnessOption) *observed {
	o := &observed{reg: metrics.New(), spans: tracetest.NewInMemoryExporter(), log: &syncBuffer{}}
	o.tr = tracing.New(tracing.Config{Exporter: o.spans, Sync: true})
	logger := slog.New(slog.NewJSONHandler(o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st := openStore(t)
	signer, err := blob.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	o.harness = newHarnessWithStore(t, st, append([]harnessOption{func(c *httpapi.Config, _ *service.Options) {
		c.Metrics, c.Throttled, c.Tracing, c.Logger, c.AccessLog = o.reg.HTTP(), o.reg.Throttle(), o.tr, logger, true
		c.Blob = blob.NewHandler(blob.Config{Store: st, Signer: signer, Metrics: o.reg.Uploads(), Logger: logger, AccessLog: true})
		if c.Console, err = console.Handler(console.Config{}); err != nil {
			t.Fatal(err)
		}
	}}, opts...)...)
	return o
}

// runJobs lets a runner with the harness's metrics and tracing execute the
// queue until the operation at location has ended.
func (o *observed) runJobs(location string) *response {
	o.t.Helper()
	logger := slog.New(slog.NewJSONHandler(o.log, nil))
	return o.runJobsWith(location, runner.Config{Store: o.store, Poll: time.Millisecond, Metrics: o.reg.Jobs(), Tracing: o.tr, Logger: logger})
}

// scrape reads the registry over HTTP, as Prometheus does.
func (o *observed) scrape() map[string]*dto.MetricFamily {
	o.t.Helper()
	srv := httptest.NewServer(o.reg.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return fams
}

// sample is the metric of family name with exactly labels, nil if none.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		return m
	}
	return nil
}

// records is the log's lines, decoded.
func (o *observed) records() []map[string]any {
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(o.log.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			recs = append(recs, rec)
		}
	}
	return recs
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// A roster uploaded and validated, with a traceparent on the validate: the
// scrape counts the requests by route pattern, the bytes and blobs
// uploaded and the job; the validation's span is a child of the request's,
// in the caller's trace; the access lines and the job's lines name it.
func TestRequestsAndJobsObserved(t *testing.T) {
	o := newObserved(t)
	_, _, conn, _ := o.importSurface()
	sessionURL := o.uploadSession(conn, "microsoft.graph.industryData.getUploadSession()").str("sessionUrl")
	for name, body := range map[string]string{"users.csv": goodUsers, "orgs.csv": goodOrgs} {
		if code := o.putBlob(sessionURL, name, body); code != http.StatusCreated {
			t.Fatalf("Put Blob %s: %d", name, code)
		}
	}
	res := o.must(202, request{method: "POST", path: idPrefix + "dataConnectors/" + conn + "/validate",
		headers: []string{"traceparent", "00-" + callerTrace + "-" + callerSpan + "-01"}})
	if tp := res.header.Get("traceparent"); !strings.HasPrefix(tp, "00-"+callerTrace+"-") || strings.Contains(tp, callerSpan) {
		t.Errorf("traceparent of the answer %q: want the caller's trace and the server's span", tp)
	}
	if op := o.runJobs(res.header.Get("Location")); op.str("status") != "succeeded" {
		t.Fatalf("validation: %s", op.raw)
	}
	o.must(200, request{method: "GET", path: "/", tenant: "-"})
	other := o.must(404, request{method: "GET", path: "/beta/industryData/nothing/" + conn})
	if tp := other.header.Get("traceparent"); len(tp) != 55 || strings.Contains(tp, callerTrace) {
		t.Errorf("a request without a traceparent is answered %q: want a new trace", tp)
	}

	fams := o.scrape()
	validate := "POST /beta/industryData/dataConnectors/{id}/validate"
	put := "PUT " + blob.Prefix + "{container}/{blob}"
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"industrydata_http_requests_total", map[string]string{"route": validate, "method": "POST", "code": "202"}, 1},
		{"industrydata_http_requests_total", map[string]string{"route": put, "method": "PUT", "code": "201"}, 2},
		{"industrydata_http_requests_total", map[string]string{"route": metrics.Unmatched, "method": "GET", "code": "404"}, 1},
		{"industrydata_http_requests_total", map[string]string{"route": "GET /{console}", "method": "GET", "code": "200"}, 1},
		{"industrydata_http_requests_in_flight", nil, 0},
		{"industrydata_upload_bytes_total", map[string]string{"op": "PutBlob"}, float64(len(goodUsers) + len(goodOrgs))},
		{"industrydata_upload_blobs_total", nil, 2},
		{"industrydata_jobs_started_total", map[string]string{"kind": "validation"}, 1},
		{"industrydata_jobs_finished_total", map[string]string{"kind": "validation", "status": "succeeded"}, 1},
		{"industrydata_jobs_in_progress", map[string]string{"kind": "validation"}, 0},
	} {
		m := sample(fams, c.name, c.labels)
		if m == nil {
			t.Errorf("no %s%v in the scrape", c.name, c.labels)
			continue
		}
		if got := m.GetCounter().GetValue() + m.GetGauge().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if m := sample(fams, "industrydata_http_request_size_bytes", map[string]string{"route": put, "method": "PUT"}); m == nil ||
		m.GetHistogram().GetSampleCount() != 2 || m.GetHistogram().GetSampleSum() != float64(len(goodUsers)+len(goodOrgs)) {
		t.Errorf("request sizes of the uploads: %v", m)
	}
	if m := sample(fams, "industrydata_http_request_duration_seconds", map[string]string{"route": validate, "method": "POST", "code": "202"}); m == nil ||
		m.GetHistogram().GetSampleCount() != 1 {
		t.Errorf("duration of the validate: %v", m)
	}
	if m := sample(fams, "industrydata_jobs_duration_seconds", map[string]string{"kind": "validation", "status": "succeeded"}); m == nil ||
		m.GetHistogram().GetSampleCount() != 1 {
		t.Errorf("duration of the validation: %v", m)
	}
	guid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-`)
	for _, m := range fams["industrydata_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && guid.MatchString(l.GetValue()) {
				t.Errorf("route label %q has an id: a path, not a pattern", l.GetValue())
			}
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "industrydata_http_response_size_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s in the scrape", name)
		}
	}

	// The job's span is the validate request's child, in the caller's trace.
	var reqSpan, jobSpan tracetest.SpanStub
	for _, s := range o.spans.GetSpans() {
		switch s.Name {
		case validate:
			reqSpan = s
		case "validation":
			jobSpan = s
		}
	}
	if reqSpan.SpanContext.TraceID().String() != callerTrace || reqSpan.Parent.SpanID().String() != callerSpan {
		t.Errorf("request span %q: trace %s, parent %s", reqSpan.Name, reqSpan.SpanContext.TraceID(), reqSpan.Parent.SpanID())
	}
	if jobSpan.SpanContext.TraceID().String() != callerTrace || jobSpan.Parent.SpanID() != reqSpan.SpanContext.SpanID() {
		t.Errorf("job span %q: trace %s, parent %s; want the request span's %s",
			jobSpan.Name, jobSpan.SpanContext.TraceID(), jobSpan.Parent.SpanID(), reqSpan.SpanContext.SpanID())
	}

	// The validate's access line and the validation's lines name the trace.
	var access, finished map[string]any
	for _, rec := range o.records() {
		switch {
		case rec["msg"] == "request" && rec["route"] == validate:
			access = rec
		case rec["msg"] == "validation finished":
			finished = rec
		}
	}
	if access["trace_id"] != callerTrace || access["principal"] == nil || access["bytes"] == nil || access["request_id"] == "" || access["status"] != float64(202) {
		t.Errorf("access line of the validate: %v", access)
	}
	if finished["trace_id"] != callerTrace {
		t.Errorf("the validation's line: %v", finished)
	}
}

// Past the tenant's rate, a request is counted as throttled, without a
// tenant label.
func TestThrottledRequestsCounted(t *testing.T) {
	limiter, err := throttle.New(throttle.Config{Rate: 0.001, Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	o := newObserved(t, func(c *httpapi.Config, _ *service.Options) { c.Throttle = limiter })
	o.must(200, request{method: "GET", path: "/beta/industryData/operations"})
	o.must(429, request{method: "GET", path: "/beta/industryData/operations"})
	fams := o.scrape()
	if m := sample(fams, "industrydata_throttled_requests_total", nil); m == nil || m.GetCounter().GetValue() != 1 {
		t.Errorf("throttled requests: %v", m)
	}
	if m := sample(fams, "industrydata_http_requests_total", map[string]string{"route": "GET /beta/industryData/operations", "method": "GET", "code": "429"}); m == nil || m.GetCounter().GetValue() != 1 {
		t.Errorf("429s of the route: %v", m)
	}
}
