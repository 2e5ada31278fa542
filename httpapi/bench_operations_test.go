package httpapi_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"industrydata/httpapi"
	"industrydata/metrics"
	"industrydata/service"
	"industrydata/store/sqlite"
)

// BenchmarkOperationPatch and BenchmarkOperationGet are the load test's
// two requests through the whole handler — token, tenant, service, the
// in-memory SQLite store, the audit row of a write — without the network:
// their allocations per request are the budget docs/BENCHMARKS.md keeps.
// "observed" is the handler as serve builds it by default (metrics on,
// traces with ids only); "bare" has neither.
func BenchmarkOperationPatch(b *testing.B) {
	bodies := [2][]byte{[]byte(`{"status":"running","statusDetail":"tick"}`), []byte(`{"status":"succeeded","statusDetail":"tock"}`)}
	for _, v := range benchVariants {
		b.Run(v.name, func(b *testing.B) {
			h, path, tok := operationBench(b, v.opts...)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req := httptest.NewRequest("PATCH", path, bytes.NewReader(bodies[i%2]))
				req.Header.Set("Authorization", tok)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}

func BenchmarkOperationGet(b *testing.B) {
	for _, v := range benchVariants {
		b.Run(v.name, func(b *testing.B) {
			h, path, tok := operationBench(b, v.opts...)
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", tok)
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("GET: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

var benchVariants = []struct {
	name string
	opts []harnessOption
}{
	{"bare", nil},
	{"observed", []harnessOption{func(c *httpapi.Config, _ *service.Options) {
		r := metrics.New()
		c.Metrics, c.Throttled = r.HTTP(), r.Throttle()
	}}},
}

// operationBench is a harness on an in-memory store with one operation
// of tenant A: the harness, the operation's URL and an Authorization
// header for it.
func operationBench(b *testing.B, opts ...harnessOption) (*harness, string, string) {
	st, err := sqlite.Open(context.Background(), sqlite.Config{Memory: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h := newHarnessWithStore(b, st, opts...)
	id := h.createOperation(`{"status":"notStarted","statusDetail":"seed"}`).str("id")
	return h, "http://industrydata.test" + idPrefix + "operations/" + id, "Bearer " + token(b, tenantA)
}
