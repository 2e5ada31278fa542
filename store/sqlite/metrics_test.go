package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"industrydata/metrics"
	"industrydata/metrics/metricstest"
	"industrydata/store/internal/sqlcore"
)

// The writer reports each group commit and its transaction, and the
// pools are exported; a second store on the same registry is refused.
func TestMetrics(t *testing.T) {
	reg := metrics.New()
	cfg := Config{Path: filepath.Join(t.TempDir(), "industrydata.db"), Metrics: reg.Store()}
	s := open(t, cfg)
	mustCreate(t, s, "op-1")
	mustCreate(t, s, "op-2")
	// Three jobs, one failing, committed together behind a blocker.
	release := blockWriter(t, s)
	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			errs <- s.write(context.WithoutCancel(t.Context()), func(sqlcore.Tx) error {
				if i == 1 {
					return errors.New("refused")
				}
				return nil
			})
		}()
	}
	waitQueued(t, s, 3)
	release()
	for range 3 {
		<-errs
	}

	// The blocker was the last job of its batch when the three queued:
	// they joined it.
	if s.batches.Load() != 3 {
		t.Fatalf("%d batches, want 3 (two creates, the blocker with the three queued)", s.batches.Load())
	}
	for _, m := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"industrydata_store_group_commit_writes_count", nil, 3},
		{"industrydata_store_group_commit_writes_sum", nil, 1 + 1 + 4},
		{"industrydata_store_transaction_duration_seconds_count", []string{"op", "write", "outcome", "ok"}, 3},
	} {
		if v, _ := metricstest.Value(t, reg, m.name, m.labels...); v != m.want {
			t.Errorf("%s%q = %v, want %v", m.name, m.labels, v, m.want)
		}
	}
	if v, ok := metricstest.Value(t, reg, "industrydata_store_transaction_duration_seconds", "outcome", "error"); ok {
		t.Errorf("%v failed transactions, want none: a job's failure is its own", v)
	}
	for _, p := range []struct {
		metric, pool string
		want         float64
	}{
		{"industrydata_store_pool_max_connections", "writer", 1},
		{"industrydata_store_pool_connections_in_use", "writer", 1}, // held by the writer goroutine
		{"industrydata_store_pool_max_connections", "readers", 4},
	} {
		if v, ok := metricstest.Value(t, reg, p.metric, "pool", p.pool); !ok || v != p.want {
			t.Errorf("%s{pool=%q} = %v (found %t), want %v", p.metric, p.pool, v, ok, p.want)
		}
	}

	cfg.Path = filepath.Join(t.TempDir(), "other.db")
	if other, err := Open(t.Context(), cfg); err == nil {
		other.Close()
		t.Error("a second store exported its pools under the same names")
	}
}
