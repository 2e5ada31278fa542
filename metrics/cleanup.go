package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Cleanup is what the cleanup (package runner's Cleaner) removes, how
// long it takes, and how old the oldest record it keeps is.
type Cleanup struct {
	rows, bytes *prometheus.CounterVec
	duration    prometheus.Histogram
	oldest      *prometheus.GaugeVec
}

func newCleanup(reg prometheus.Registerer) *Cleanup {
	c := &Cleanup{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "cleanup", Name: "rows_removed_total",
			Help: "Rows the cleanup deleted, by kind (operations, runs, audit, validatedSets, uploadSessions, uploadBlocks).",
		}, []string{"kind"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "cleanup", Name: "bytes_removed_total",
			Help: "Bytes the rows the cleanup deleted held (uploads, report entries, audit changes), by kind.",
		}, []string{"kind"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "cleanup", Name: "duration_seconds",
			Help:    "Time a cleanup took on this server, from its claim to its end.",
			Buckets: prometheus.ExponentialBuckets(.01, 4, 10),
		}),
		oldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "cleanup", Name: "oldest_kept_timestamp_seconds",
			Help: "The time the retention counts from (Unix seconds) of the oldest record of each kind still stored, as of the last cleanup.",
		}, []string{"kind"}),
	}
	reg.MustRegister(c.rows, c.bytes, c.duration, c.oldest)
	return c
}

// Removed counts rows and bytes of kind deleted.
func (c *Cleanup) Removed(kind string, rows, bytes int64) {
	if c != nil {
		c.rows.WithLabelValues(kind).Add(float64(rows))
		c.bytes.WithLabelValues(kind).Add(float64(bytes))
	}
}

// Took records the duration of one cleanup.
func (c *Cleanup) Took(d time.Duration) {
	if c != nil {
		c.duration.Observe(d.Seconds())
	}
}

// Oldest sets the time the retention counts from of the oldest record
// of kind kept; ok false
// (none is kept) removes the kind's series.
func (c *Cleanup) Oldest(kind string, t time.Time, ok bool) {
	if c == nil {
		return
	}
	if !ok {
		c.oldest.DeleteLabelValues(kind)
		return
	}
	c.oldest.WithLabelValues(kind).Set(float64(t.UnixNano()) / 1e9)
}

// Cleanup is r's Cleanup group, nil when r is.
func (r *Registry) Cleanup() *Cleanup {
	if r == nil {
		return nil
	}
	return r.cleanup
}
