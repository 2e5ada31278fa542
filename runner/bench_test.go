package runner_test

import (
	"fmt"
	"testing"

	"industrydata"
	"industrydata/runner"
)

// BenchmarkRefresh is one refresh of the user report, from claim to
// finish, over a roster stored in a file-backed store: what a run costs
// the server. ns/user is the figure to compare with report's BenchmarkBuild.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			f := newFixtureTB(b)
			f.putRosterTB(b, n)
			for b.Loop() {
				b.StopTimer()
				run, _, err := f.svc.StartRun(b.Context(), f.process)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				got, _ := f.executeTB(b, runner.Config{}, run.ID)
				if got.Status == industrydata.RunFailed {
					b.Fatalf("run failed: %+v", got.BlockingError)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/user")
		})
	}
}
