package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP is the metrics of the requests the API listener serves. The route
// label is the pattern that matched (net/http's ServeMux pattern, or one
// of the upload container's), never the path: a path has ids in it, and
// each id would be a series of its own.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	reqSize  *prometheus.HistogramVec
	respSize *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// Unmatched is the route label of a request that matched no route (404,
// 405, a path refused before routing).
const Unmatched = "unmatched"

// sizeBuckets run from 64 bytes to 64 MiB by powers of four.
var sizeBuckets = prometheus.ExponentialBuckets(64, 4, 11)

func newHTTP(reg prometheus.Registerer) *HTTP {
	h := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "Requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response, by route pattern, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
		reqSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_size_bytes",
			Help:    "Bytes of request bodies read, by route pattern and method.",
			Buckets: sizeBuckets,
		}, []string{"route", "method"}),
		respSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "response_size_bytes",
			Help:    "Bytes of response bodies written, by route pattern and method.",
			Buckets: sizeBuckets,
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
			Help: "Requests being served now.",
		}),
	}
	reg.MustRegister(h.requests, h.duration, h.reqSize, h.respSize, h.inFlight)
	return h
}

// Start counts a request in flight until the returned function is called.
func (h *HTTP) Start() (done func()) {
	if h == nil {
		return func() {}
	}
	h.inFlight.Inc()
	return h.inFlight.Dec
}

// Served records one request served.
func (h *HTTP) Served(route, method string, code int, d time.Duration, in, out int64) {
	if h == nil {
		return
	}
	if route == "" {
		route = Unmatched
	}
	method = methodLabel(method)
	c := strconv.Itoa(code)
	h.requests.WithLabelValues(route, method, c).Inc()
	h.duration.WithLabelValues(route, method, c).Observe(d.Seconds())
	h.reqSize.WithLabelValues(route, method).Observe(float64(in))
	h.respSize.WithLabelValues(route, method).Observe(float64(out))
}

// methodLabel is m when it is a method of RFC 9110, "other" otherwise: a
// client may send any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "other"
}
