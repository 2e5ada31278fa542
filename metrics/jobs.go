package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Jobs is the metrics of the runner's jobs (runs and validations).
type Jobs struct {
	started    *prometheus.CounterVec
	finished   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inProgress *prometheus.GaugeVec
	takeovers  *prometheus.CounterVec
}

// The statuses of a job that ended on this runner without an outcome of
// its own: another runner took its lease; this one stopped and gave the
// lease back; its outcome could not be written (it is resumed when its
// lease expires).
const (
	JobAbandoned  = "abandoned"
	JobGivenBack  = "givenBack"
	JobUnfinished = "unfinished"
)

func newJobs(reg prometheus.Registerer) *Jobs {
	j := &Jobs{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "started_total",
			Help: "Jobs claimed and started by this server's runner, by kind (run, validation).",
		}, []string{"kind"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "finished_total",
			Help: "Jobs ended on this server's runner, by kind and status (the operation's status, or abandoned, givenBack).",
		}, []string{"kind", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "duration_seconds",
			Help:    "Time from a job's claim to its end on this server, by kind and status.",
			Buckets: prometheus.ExponentialBuckets(.01, 4, 10),
		}, []string{"kind", "status"}),
		inProgress: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "in_progress",
			Help: "Jobs this server's runner is executing now, by kind.",
		}, []string{"kind"}),
		takeovers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "lease_takeovers_total",
			Help: "Jobs claimed again after their lease expired or was given back (attempt > 1), by kind.",
		}, []string{"kind"}),
	}
	reg.MustRegister(j.started, j.finished, j.duration, j.inProgress, j.takeovers)
	return j
}

// Started counts a job of kind claimed for its attempt-th time; call the
// returned function with the status it ended with.
func (j *Jobs) Started(kind string, attempt int, now func() time.Time) (finished func(status string)) {
	if j == nil {
		return func(string) {}
	}
	start := now()
	j.started.WithLabelValues(kind).Inc()
	if attempt > 1 {
		j.takeovers.WithLabelValues(kind).Inc()
	}
	g := j.inProgress.WithLabelValues(kind)
	g.Inc()
	return func(status string) {
		g.Dec()
		j.finished.WithLabelValues(kind, status).Inc()
		j.duration.WithLabelValues(kind, status).Observe(now().Sub(start).Seconds())
	}
}
