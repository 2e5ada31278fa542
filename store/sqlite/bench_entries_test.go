package sqlite

import (
	"fmt"
	"testing"
	"time"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

var benchStart = time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)

// benchClaim starts run i of a new process and claims it. Each run is of
// a tenant of its own (tenant i), since a tenant has one run in progress.
func benchClaim(b *testing.B, s *Store, i int) industrydata.JobClaim {
	b.Helper()
	ctx := b.Context()
	tenant := benchTenant(i)
	p := industrydata.Process{ID: fmt.Sprint("p-", i), Type: "microsoft.graph.industryData.process", ReadinessStatus: industrydata.ReadinessReady, CreatedAt: benchStart}
	if err := s.CreateProcess(ctx, tenant, industrydata.Actor{}, &p); err != nil {
		b.Fatal(err)
	}
	r := industrydata.Run{ID: fmt.Sprint("r-", i), ProcessID: p.ID, StartDateTime: benchStart}
	op := industrydata.Operation{ID: fmt.Sprint("op-", i), Type: "microsoft.graph.longRunningOperation", CreatedDateTime: benchStart, Status: industrydata.OperationNotStarted}
	if err := s.StartRun(ctx, tenant, industrydata.Actor{}, &r, &op, nil, nil, nil); err != nil {
		b.Fatal(err)
	}
	c, ok, err := s.ClaimJob(ctx, "bench", benchStart, time.Hour)
	if err != nil || !ok || c.ID != r.ID {
		b.Fatalf("ClaimJob = %+v, %v, %v", c, ok, err)
	}
	return c
}

// benchTenant is the tenant of benchClaim's run i.
func benchTenant(i int) industrydata.TenantID {
	return industrydata.TenantID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))
}

// appendBatches appends total entries in batches of batch.
func appendBatches(b *testing.B, s *Store, c industrydata.JobClaim, total, batch int) {
	for first := 1; first <= total; first += batch {
		if err := s.AppendReportEntries(b.Context(), c, benchEntries(int64(first), min(batch, total-first+1))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendReportEntries appends a report of 100k entries in batches
// of 5000, as a runner does, to a file store (every batch one commit, with
// its fsync), each iteration to a run of its own. entries/s is the rate.
func BenchmarkAppendReportEntries(b *testing.B) {
	b.Run("file", func(b *testing.B) { benchmarkAppendReportEntries(b, openFile(b)) })
	b.Run("memory", func(b *testing.B) { benchmarkAppendReportEntries(b, openMemory(b)) })
}

func benchmarkAppendReportEntries(b *testing.B, s *Store) {
	const total, batch = 100_000, 5000
	batches := make([][]industrydata.UserReportEntry, total/batch)
	for i := range batches {
		batches[i] = benchEntries(int64(i*batch+1), batch)
	}
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		c := benchClaim(b, s, i)
		t0 := time.Now()
		b.StartTimer()
		for _, entries := range batches {
			if err := s.AppendReportEntries(b.Context(), c, entries); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(t0)
	}
	b.ReportMetric(float64(b.N*total)/elapsed.Seconds(), "entries/s")
}

// BenchmarkReportEntriesMillion reads a report of a million entries (a
// file store) the ways a client does: the first page and a page deep in
// by cursor (both read a block or two), a filtered page and count and a
// sorted page (each reads every block).
func BenchmarkReportEntriesMillion(b *testing.B) {
	const total = 1_000_000
	s := openFile(b)
	c := benchClaim(b, s, 0)
	appendBatches(b, s, c, total, 5000)
	out := industrydata.RunOutcome{Status: industrydata.RunCompleted, EndDateTime: benchStart, OperationStatus: industrydata.OperationSucceeded,
		LastActionDateTime: benchStart, Report: &industrydata.UserReport{}}
	if err := s.FinishRun(b.Context(), c, out); err != nil {
		b.Fatal(err)
	}
	inactive, err := odata.ParseFilter("not isActive and role eq 'teacher'", schema.UserReportEntry)
	if err != nil {
		b.Fatal(err)
	}
	byName := []industrydata.OrderKey{{Property: "username", Desc: true}}
	cases := []struct {
		name  string
		q     industrydata.ListQuery
		count bool
	}{
		{"first page", industrydata.ListQuery{Limit: 100}, false},
		{"page after entry 900000", industrydata.ListQuery{Limit: 100, After: &industrydata.Cursor{Seq: 900_000}}, false},
		{"filtered page", industrydata.ListQuery{Limit: 100, Filter: inactive}, false},
		{"filtered count", industrydata.ListQuery{Filter: inactive}, true},
		{"count", industrydata.ListQuery{}, true},
		{"sorted page", industrydata.ListQuery{Limit: 100, OrderBy: byName}, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				var err error
				if tc.count {
					_, err = s.CountReportEntries(b.Context(), c.Tenant, c.ID, tc.q)
				} else {
					_, err = s.ListReportEntries(b.Context(), c.Tenant, c.ID, tc.q)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
