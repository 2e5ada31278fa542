// Package metrics holds the server's Prometheus metrics on a registry of
// its own (never the process-wide default, so that a library cannot add
// series to what an operator scrapes, and tests can build as many as they
// like). Each group of metrics is a type whose methods are safe on a nil
// receiver: a component given no metrics records none, at no cost.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// namespace prefixes every metric of the service's own.
const namespace = "industrydata"

// Registry is every metric the server exports.
type Registry struct {
	reg      *prometheus.Registry
	http     *HTTP
	jobs     *Jobs
	uploads  *Uploads
	throttle *Throttle
	store    *Store
	cleanup  *Cleanup
}

// New registers the service's metrics and the Go runtime and process
// collectors on a new registry.
func New() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return &Registry{
		reg:      reg,
		http:     newHTTP(reg),
		jobs:     newJobs(reg),
		uploads:  newUploads(reg),
		throttle: newThrottle(reg),
		store:    newStore(reg),
		cleanup:  newCleanup(reg),
	}
}

// HTTP is r's HTTP group, nil when r is (the same holds for the other
// groups): a server without metrics passes these on unchecked.
func (r *Registry) HTTP() *HTTP {
	if r == nil {
		return nil
	}
	return r.http
}

// Jobs is r's Jobs group, nil when r is.
func (r *Registry) Jobs() *Jobs {
	if r == nil {
		return nil
	}
	return r.jobs
}

// Uploads is r's Uploads group, nil when r is.
func (r *Registry) Uploads() *Uploads {
	if r == nil {
		return nil
	}
	return r.uploads
}

// Throttle is r's Throttle group, nil when r is.
func (r *Registry) Throttle() *Throttle {
	if r == nil {
		return nil
	}
	return r.throttle
}

// Store is r's Store group, the StoreObserver of the stores; nil when r
// is.
func (r *Registry) Store() *Store {
	if r == nil {
		return nil
	}
	return r.store
}

// Gather reads every metric of r, as a scrape would.
func (r *Registry) Gather() ([]*dto.MetricFamily, error) { return r.reg.Gather() }

// Handler serves the registry in the Prometheus exposition formats.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Uploads counts what the upload containers (package blob) store.
type Uploads struct {
	bytes *prometheus.CounterVec
	blobs prometheus.Counter
}

func newUploads(reg prometheus.Registerer) *Uploads {
	u := &Uploads{
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "upload", Name: "bytes_total",
			Help: "Bytes of upload bodies stored, by operation (PutBlob, PutBlock).",
		}, []string{"op"}),
		blobs: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "upload", Name: "blobs_total",
			Help: "Blobs written to upload containers (a PutBlob, or a PutBlockList that commits one).",
		}),
	}
	reg.MustRegister(u.bytes, u.blobs)
	return u
}

// Stored counts n bytes of a body op stored.
func (u *Uploads) Stored(op string, n int64) {
	if u != nil {
		u.bytes.WithLabelValues(op).Add(float64(n))
	}
}

// BlobWritten counts one blob written.
func (u *Uploads) BlobWritten() {
	if u != nil {
		u.blobs.Inc()
	}
}

// Throttle counts the requests the per-tenant rate limit refused. It has
// no tenant label: tenants are provisioned by their first token, so their
// number is the callers' to grow, and every series a label adds stays in
// the scrape for the life of the process. The access line of each 429
// names its tenant, and industrydata_http_requests_total{code="429"} has
// the route.
type Throttle struct {
	refused prometheus.Counter
}

func newThrottle(reg prometheus.Registerer) *Throttle {
	t := &Throttle{refused: prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "throttled_requests_total",
		Help: "Requests refused with 429 by the per-tenant rate limit (--throttle-rate).",
	})}
	reg.MustRegister(t.refused)
	return t
}

// Refused counts one refused request.
func (t *Throttle) Refused() {
	if t != nil {
		t.refused.Inc()
	}
}
