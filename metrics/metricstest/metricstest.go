// Package metricstest reads single values from a metrics.Registry, for
// the tests of the components that report to it.
package metricstest

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"industrydata/metrics"
)

// Value is the value of the series name whose labels include labels
// (pairs of name and value), as the exposition format names it: a
// counter's or gauge's value, or a histogram's name_count or name_sum.
// ok is false when there is no such series.
func Value(tb testing.TB, r *metrics.Registry, name string, labels ...string) (v float64, ok bool) {
	tb.Helper()
	families, err := r.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		part := strings.TrimPrefix(name, f.GetName())
		if part != "" && part != "_count" && part != "_sum" {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				return value(m, part), true
			}
		}
	}
	return 0, false
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func value(m *dto.Metric, part string) float64 {
	switch {
	case part == "_count":
		return float64(m.GetHistogram().GetSampleCount())
	case part == "_sum":
		return m.GetHistogram().GetSampleSum()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}
