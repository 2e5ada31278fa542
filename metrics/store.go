package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StoreObserver is what a store reports of its work. *Store implements
// it; a store given none reports nothing. The methods are called on the
// store's hot path: they only update counters and histograms, and never
// block.
type StoreObserver interface {
	// Transaction reports one transaction of op (a small fixed set the
	// store names: "write" for a group commit's, "read", "claim", ...)
	// that took d from its begin to its commit or rollback, and failed
	// when err is not nil.
	Transaction(op string, d time.Duration, err error)
	// GroupCommit reports one group commit of n writes (n ≥ 1).
	GroupCommit(n int)
	// Retry reports a transaction run again after a conflict: reason is
	// "serialization" (PostgreSQL's 40001 and 40P01) or "foreign_key" (its
	// 23503: a race over a referenced row, see store/postgres).
	Retry(reason string)
	// Pool exports the connection pool name (say "writer", "readers" or
	// "postgres") through stats, read at each scrape. A name is exported
	// once: a second pool of the same name is an error.
	Pool(name string, stats func() PoolStats) error
}

// PoolStats is what a connection pool reports of itself, read at each
// scrape.
type PoolStats struct {
	// Max is the most connections the pool opens; InUse and Idle are its
	// connections now.
	Max, InUse, Idle int
	// WaitCount is how many acquisitions had to wait for a connection,
	// and WaitDuration their total wait, since the pool opened.
	WaitCount    int64
	WaitDuration time.Duration
}

// Store is the metrics of the store (SQLite or PostgreSQL).
type Store struct {
	reg        prometheus.Registerer
	txDuration *prometheus.HistogramVec
	batch      prometheus.Histogram
	retries    *prometheus.CounterVec
}

var _ StoreObserver = (*Store)(nil)

func newStore(reg prometheus.Registerer) *Store {
	s := &Store{
		reg: reg,
		txDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "store", Name: "transaction_duration_seconds",
			Help:    "Time from a transaction's begin to its commit or rollback, by operation and outcome (ok, error).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"op", "outcome"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "store", Name: "group_commit_writes",
			Help:    "Writes committed together by one group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "store", Name: "retries_total",
			Help: "Transactions run again after a conflict, by reason (serialization, foreign_key).",
		}, []string{"reason"}),
	}
	reg.MustRegister(s.txDuration, s.batch, s.retries)
	return s
}

// Transaction implements StoreObserver.
func (s *Store) Transaction(op string, d time.Duration, err error) {
	if s == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	s.txDuration.WithLabelValues(op, outcome).Observe(d.Seconds())
}

// GroupCommit implements StoreObserver.
func (s *Store) GroupCommit(n int) {
	if s != nil {
		s.batch.Observe(float64(n))
	}
}

// Retry implements StoreObserver.
func (s *Store) Retry(reason string) {
	if s != nil {
		s.retries.WithLabelValues(reason).Inc()
	}
}

// Pool implements StoreObserver.
func (s *Store) Pool(name string, stats func() PoolStats) error {
	if s == nil {
		return nil
	}
	return s.reg.Register(&poolCollector{stats: stats, desc: newPoolDescs(name)})
}

// poolDescs are the descriptions of one pool's series.
type poolDescs struct {
	max, inUse, idle, waits, waited *prometheus.Desc
}

func newPoolDescs(name string) poolDescs {
	l := prometheus.Labels{"pool": name}
	d := func(metric, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "store_pool", metric), help, nil, l)
	}
	return poolDescs{
		max:    d("max_connections", "The most connections the pool opens."),
		inUse:  d("connections_in_use", "Connections of the pool in use now."),
		idle:   d("connections_idle", "Idle connections of the pool now."),
		waits:  d("waits_total", "Acquisitions that waited for a connection."),
		waited: d("wait_seconds_total", "Time acquisitions spent waiting for a connection."),
	}
}

type poolCollector struct {
	stats func() PoolStats
	desc  poolDescs
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc.max
	ch <- c.desc.inUse
	ch <- c.desc.idle
	ch <- c.desc.waits
	ch <- c.desc.waited
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(c.desc.max, prometheus.GaugeValue, float64(s.Max))
	ch <- prometheus.MustNewConstMetric(c.desc.inUse, prometheus.GaugeValue, float64(s.InUse))
	ch <- prometheus.MustNewConstMetric(c.desc.idle, prometheus.GaugeValue, float64(s.Idle))
	ch <- prometheus.MustNewConstMetric(c.desc.waits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(c.desc.waited, prometheus.CounterValue, s.WaitDuration.Seconds())
}
