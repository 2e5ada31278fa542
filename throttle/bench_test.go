package throttle_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"industrydata/throttle"
)

// BenchmarkAllow measures the hot path with the real clock. Compare the
// sub-benchmarks with each other ("off" is the baseline of a disabled
// limiter): go test -run '^$' -bench Allow -cpu 1,8 ./throttle/
func BenchmarkAllow(b *testing.B) {
	names := make([]string, 1024)
	for i := range names {
		names[i] = fmt.Sprintf("tenant-%04d", i)
	}
	run := func(b *testing.B, cfg throttle.Config, tenantOf func(i int) string) {
		l := mustNew(b, cfg)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1)) * 7919 // each goroutine starts elsewhere
			for pb.Next() {
				l.Allow(tenantOf(i))
				i++
			}
		})
	}
	one := func(int) string { return names[0] }
	many := func(i int) string { return names[i&1023] }
	b.Run("off", func(b *testing.B) { run(b, throttle.Config{}, many) })
	b.Run("one tenant", func(b *testing.B) { run(b, throttle.Config{Rate: 1e9, Burst: 1e6}, one) })
	b.Run("1024 tenants", func(b *testing.B) { run(b, throttle.Config{Rate: 1e9, Burst: 1e6}, many) })
	b.Run("1024 tenants refused", func(b *testing.B) { run(b, throttle.Config{Rate: 1e-3, Burst: 1}, many) })
	// Every call a tenant unseen for a while: creation plus eviction.
	b.Run("churn past MaxTenants", func(b *testing.B) {
		churn := make([]string, 1<<16)
		for i := range churn {
			churn[i] = fmt.Sprintf("churn-%d", i)
		}
		run(b, throttle.Config{Rate: 1, Burst: 1, MaxTenants: 1024}, func(i int) string { return churn[i&(1<<16-1)] })
	})
}
