package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"industrydata"
	"industrydata/metrics"
	"industrydata/metrics/metricstest"
)

// Each write transaction is reported with its outcome, and the pool is
// exported; a second store on the same registry is refused.
func TestMetrics(t *testing.T) {
	reg := metrics.New()
	cfg := Config{URL: openDB(t), Metrics: reg.Store(), MaxConns: 3}
	s := open(t, cfg)
	const tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"
	for _, id := range []string{"op-1", "op-2"} {
		op := industrydata.Operation{ID: id, Type: "microsoft.graph.longRunningOperation",
			CreatedDateTime: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), Status: industrydata.OperationNotStarted}
		if err := s.CreateOperation(t.Context(), tenant, industrydata.Actor{}, &op); err != nil {
			t.Fatal(err)
		}
	}
	// A write whose check fails rolls back: an error.
	noop := func(*industrydata.Operation) error { return nil }
	if _, err := s.UpdateOperation(t.Context(), tenant, industrydata.Actor{}, "missing", noop); !errors.Is(err, industrydata.ErrNotFound) {
		t.Fatalf("UpdateOperation of a missing operation: %v", err)
	}

	for _, m := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"industrydata_store_transaction_duration_seconds_count", []string{"op", "write", "outcome", "ok"}, 2},
		{"industrydata_store_transaction_duration_seconds_count", []string{"op", "write", "outcome", "error"}, 1},
		{"industrydata_store_pool_max_connections", []string{"pool", "postgres"}, 3},
		{"industrydata_store_pool_connections_in_use", []string{"pool", "postgres"}, 0},
	} {
		if v, ok := metricstest.Value(t, reg, m.name, m.labels...); !ok || v != m.want {
			t.Errorf("%s%q = %v (found %t), want %v", m.name, m.labels, v, ok, m.want)
		}
	}
	if other, err := Open(t.Context(), cfg); err == nil {
		other.Close()
		t.Error("a second store exported its pool under the same name")
	}
}

func TestRetryReason(t *testing.T) {
	for code, want := range map[string]string{"40001": "serialization", "40P01": "serialization", "23503": "foreign_key"} {
		err := error(&pgconn.PgError{Code: code})
		if !retryable(err) {
			t.Errorf("%s is not retried", code)
		}
		if got := retryReason(err); got != want {
			t.Errorf("retryReason(%s) = %q, want %q", code, got, want)
		}
	}
}
