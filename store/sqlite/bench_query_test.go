package sqlite

import (
	"context"
	"flag"
	"testing"
	"time"

	"industrydata"
	"industrydata/internal/benchdata"
	"industrydata/schema"
)

const (
	benchOperations = 1_000_000
	benchPage       = 100 // entities a page; the service asks for one more
)

// benchDataPath returns the shared benchmark database of benchOperations
// operations of benchdata.Tenant (see benchdata.Cached), building it on
// first use. It skips unless benchmarks were asked for, so that the build
// never runs under a plain go test.
func benchDataPath(b *testing.B) string {
	b.Helper()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		b.Skip("needs -bench: builds a database of a million operations")
	}
	if testing.Short() {
		b.Skip("builds a database of a million operations")
	}
	start := time.Now()
	path, built, err := benchdata.Cached(b.Context(), benchOperations, openBenchData)
	if err != nil {
		b.Fatal(err)
	}
	if built {
		b.Logf("built %s with %d operations in %v", path, benchOperations, time.Since(start).Round(time.Millisecond))
	}
	return path
}

// openBenchData opens the store benchdata builds the benchmark database in,
// committing as many writes at once as benchdata keeps in flight.
func openBenchData(ctx context.Context, path string) (benchdata.Store, error) {
	return Open(ctx, Config{Path: path, MaxBatch: benchdata.Writers})
}

// opCursor is the keyset position of op in the order of keys.
func opCursor(keys []industrydata.OrderKey, op *industrydata.Operation) *industrydata.Cursor {
	c := &industrydata.Cursor{Seq: op.Seq}
	for _, k := range keys {
		c.Values = append(c.Values, schema.LongRunningOperation.Property(k.Property).Get(op))
	}
	return c
}

func BenchmarkQueryMillion(b *testing.B) {
	s := open(b, Config{Path: benchDataPath(b)})
	ctx := b.Context()
	running := industrydata.ListQuery{Filter: statusIs("running"), OrderBy: newestFirst, Limit: benchPage + 1}

	list := func(b *testing.B, q industrydata.ListQuery) []industrydata.Operation {
		ops, err := s.ListOperations(ctx, benchdata.Tenant, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(ops) != benchPage+1 {
			b.Fatalf("page of %d operations, want %d", len(ops), benchPage+1)
		}
		return ops
	}
	// The cursor of the 100th page: the 100th entity of each page, as the
	// service makes it (it fetches one more to know whether a next page exists).
	page100 := running
	for range 99 {
		ops := list(b, page100)
		page100.After = opCursor(page100.OrderBy, &ops[benchPage-1])
	}
	offset100 := running
	offset100.Offset = 99 * benchPage
	if a, o := list(b, page100), list(b, offset100); a[0].ID != o[0].ID {
		b.Fatalf("keyset page 100 starts with %s, offset page with %s", a[0].ID, o[0].ID)
	}

	b.Run("first page", func(b *testing.B) {
		for b.Loop() {
			list(b, running)
		}
	})
	b.Run("page 100 by keyset", func(b *testing.B) {
		for b.Loop() {
			list(b, page100)
		}
	})
	b.Run("page 100 by offset", func(b *testing.B) {
		for b.Loop() {
			list(b, offset100)
		}
	})
	b.Run("count running", func(b *testing.B) {
		var n int64
		for b.Loop() {
			var err error
			if n, err = s.CountOperations(ctx, benchdata.Tenant, running); err != nil {
				b.Fatal(err)
			}
		}
		if n < benchOperations/5 || n > benchOperations/3 {
			b.Fatalf("%d running operations, want about a quarter of %d", n, benchOperations)
		}
		b.ReportMetric(float64(n), "rows")
	})
}
