package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"industrydata/metrics"
)

// compare scrapes r over HTTP and compares the families names with want,
// in the exposition format.
func compare(t *testing.T, r *metrics.Registry, want string, names ...string) {
	t.Helper()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	if err := testutil.ScrapeAndCompare(srv.URL, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

func TestJobsCountTakeoversAndEnds(t *testing.T) {
	r := metrics.New()
	clock := time.Unix(0, 0)
	now := func() time.Time { return clock }
	first := r.Jobs().Started("run", 1, now)
	again := r.Jobs().Started("validation", 2, now)
	compare(t, r, `
# HELP industrydata_jobs_in_progress Jobs this server's runner is executing now, by kind.
# TYPE industrydata_jobs_in_progress gauge
industrydata_jobs_in_progress{kind="run"} 1
industrydata_jobs_in_progress{kind="validation"} 1
# HELP industrydata_jobs_lease_takeovers_total Jobs claimed again after their lease expired or was given back (attempt > 1), by kind.
# TYPE industrydata_jobs_lease_takeovers_total counter
industrydata_jobs_lease_takeovers_total{kind="validation"} 1
`, "industrydata_jobs_in_progress", "industrydata_jobs_lease_takeovers_total")
	clock = clock.Add(3 * time.Second)
	first("succeeded")
	again(metrics.JobAbandoned)
	compare(t, r, `
# HELP industrydata_jobs_finished_total Jobs ended on this server's runner, by kind and status (the operation's status, or abandoned, givenBack).
# TYPE industrydata_jobs_finished_total counter
industrydata_jobs_finished_total{kind="run",status="succeeded"} 1
industrydata_jobs_finished_total{kind="validation",status="abandoned"} 1
# HELP industrydata_jobs_in_progress Jobs this server's runner is executing now, by kind.
# TYPE industrydata_jobs_in_progress gauge
industrydata_jobs_in_progress{kind="run"} 0
industrydata_jobs_in_progress{kind="validation"} 0
# HELP industrydata_jobs_started_total Jobs claimed and started by this server's runner, by kind (run, validation).
# TYPE industrydata_jobs_started_total counter
industrydata_jobs_started_total{kind="run"} 1
industrydata_jobs_started_total{kind="validation"} 1
`, "industrydata_jobs_finished_total", "industrydata_jobs_in_progress", "industrydata_jobs_started_total")
	// The run took 3s by the injected clock.
	text := scrapeText(t, r)
	for _, want := range []string{
		`industrydata_jobs_duration_seconds_bucket{kind="run",status="succeeded",le="0.64"} 0`,
		`industrydata_jobs_duration_seconds_bucket{kind="run",status="succeeded",le="2.56"} 0`,
		`industrydata_jobs_duration_seconds_bucket{kind="run",status="succeeded",le="10.24"} 1`,
		`industrydata_jobs_duration_seconds_sum{kind="run",status="succeeded"} 3`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape has no %s", want)
		}
	}
}

func TestHTTPBoundsItsLabels(t *testing.T) {
	r := metrics.New()
	done := r.HTTP().Start()
	r.HTTP().Served("", "BREW", 404, time.Millisecond, 0, 120)
	r.HTTP().Served("GET /beta/industryData/runs/{id}", "GET", 200, time.Millisecond, 0, 300)
	compare(t, r, `
# HELP industrydata_http_requests_in_flight Requests being served now.
# TYPE industrydata_http_requests_in_flight gauge
industrydata_http_requests_in_flight 1
# HELP industrydata_http_requests_total Requests served, by route pattern, method and status code.
# TYPE industrydata_http_requests_total counter
industrydata_http_requests_total{code="200",method="GET",route="GET /beta/industryData/runs/{id}"} 1
industrydata_http_requests_total{code="404",method="other",route="unmatched"} 1
`, "industrydata_http_requests_total", "industrydata_http_requests_in_flight")
	done()
	compare(t, r, `
# HELP industrydata_http_requests_in_flight Requests being served now.
# TYPE industrydata_http_requests_in_flight gauge
industrydata_http_requests_in_flight 0
`, "industrydata_http_requests_in_flight")
}

func TestStoreObserverAndPools(t *testing.T) {
	r := metrics.New()
	var o metrics.StoreObserver = r.Store()
	o.Transaction("write", 2*time.Millisecond, nil)
	o.Transaction("write", time.Millisecond, errors.New("database is locked"))
	o.GroupCommit(5)
	o.Retry("serialization")
	stats := metrics.PoolStats{Max: 8, InUse: 3, Idle: 2, WaitCount: 4, WaitDuration: 1500 * time.Millisecond}
	if err := r.Store().Pool("readers", func() metrics.PoolStats { return stats }); err != nil {
		t.Fatal(err)
	}
	if err := r.Store().Pool("readers", func() metrics.PoolStats { return stats }); err == nil {
		t.Error("a second pool of one name was registered")
	}
	compare(t, r, `
# HELP industrydata_store_pool_connections_in_use Connections of the pool in use now.
# TYPE industrydata_store_pool_connections_in_use gauge
industrydata_store_pool_connections_in_use{pool="readers"} 3
# HELP industrydata_store_pool_max_connections The most connections the pool opens.
# TYPE industrydata_store_pool_max_connections gauge
industrydata_store_pool_max_connections{pool="readers"} 8
# HELP industrydata_store_pool_wait_seconds_total Time acquisitions spent waiting for a connection.
# TYPE industrydata_store_pool_wait_seconds_total counter
industrydata_store_pool_wait_seconds_total{pool="readers"} 1.5
# HELP industrydata_store_retries_total Transactions run again after a conflict, by reason (serialization, foreign_key).
# TYPE industrydata_store_retries_total counter
industrydata_store_retries_total{reason="serialization"} 1
`, "industrydata_store_pool_connections_in_use", "industrydata_store_pool_max_connections",
		"industrydata_store_pool_wait_seconds_total", "industrydata_store_retries_total")
	text := scrapeText(t, r)
	for _, want := range []string{
		`industrydata_store_transaction_duration_seconds_count{op="write",outcome="ok"} 1`,
		`industrydata_store_transaction_duration_seconds_count{op="write",outcome="error"} 1`,
		`industrydata_store_group_commit_writes_bucket{le="4"} 0`,
		`industrydata_store_group_commit_writes_bucket{le="8"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape has no %s", want)
		}
	}
}

// A component given no metrics records none, and does not fail for it.
func TestNilGroupsRecordNothing(t *testing.T) {
	var r *metrics.Registry
	r.HTTP().Start()()
	r.HTTP().Served("x", "GET", 200, 0, 0, 0)
	r.Jobs().Started("run", 2, time.Now)("succeeded")
	r.Uploads().Stored("PutBlob", 1)
	r.Uploads().BlobWritten()
	r.Throttle().Refused()
	r.Store().Transaction("write", 0, nil)
	r.Store().GroupCommit(1)
	r.Store().Retry("serialization")
	if err := r.Store().Pool("p", nil); err != nil {
		t.Error(err)
	}
}

// scrapeText is r's exposition in the text format, read over HTTP.
func scrapeText(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
