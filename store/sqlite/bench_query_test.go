package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

// benchDataVersion names the cached benchmark database; change it whenever
// the data or the schema it is built with changes.
const benchDataVersion = "v1"

const (
	benchOperations = 1_000_000
	benchBatch      = 20_000
	benchPage       = 100 // entities a page; the service asks for one more
)

// benchDataPath returns the benchmark's database of benchOperations
// operations in one tenant, about a quarter of them running, created over a
// year. It is built once and kept in os.TempDir, so later runs reuse it.
func benchDataPath(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "industrydata-bench-query-"+benchDataVersion+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	} else if !errors.Is(err, fs.ErrNotExist) {
		b.Fatal(err)
	}
	// Built under a name of its own and renamed when complete, so that an
	// interrupted build or a concurrent run never leaves a partial file at path.
	tmp := fmt.Sprintf("%s.build-%d", path, os.Getpid())
	start := time.Now()
	if err := buildBenchData(b.Context(), tmp); err != nil {
		removeDB(tmp)
		b.Fatalf("build benchmark data: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	removeDB(tmp)
	b.Logf("built %s with %d operations in %v", path, benchOperations, time.Since(start).Round(time.Millisecond))
	return path
}

// removeDB removes a database file and its WAL and shared-memory files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

// buildBenchData inserts the operations through the writer goroutine, a
// batch of benchBatch per write job: the bulk path only the benchmark uses.
func buildBenchData(ctx context.Context, path string) error {
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / benchOperations
	statuses := []industrydata.LongRunningOperationStatus{
		industrydata.OperationSucceeded, industrydata.OperationRunning,
		industrydata.OperationFailed, industrydata.OperationNotStarted,
	}
	for first := 0; first < benchOperations; first += benchBatch {
		err := s.write(ctx, func(tx *batchTx) error {
			for i := first; i < first+benchBatch; i++ {
				// Created in roughly insertion order, an hour of jitter
				// either way, so equal and out-of-order timestamps occur.
				created := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(2*time.Hour))) - time.Hour)
				var lastAction any
				if i%3 != 0 {
					lastAction = industrydata.Ticks(created.Add(time.Minute))
				}
				var detail any
				if i%2 == 0 {
					detail = fmt.Sprintf("%d of 100 rows", i%100)
				}
				if _, err := tx.Exec(qInsertOperation, string(tenant), fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
					"microsoft.graph.longRunningOperation", newETag(), industrydata.Ticks(created), lastAction,
					string(statuses[i%len(statuses)]), detail, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			_ = s.Close()
			return err
		}
	}
	return s.Close()
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
	if testing.Short() {
		b.Skip("builds a million operations")
	}
	s := open(b, Config{Path: benchDataPath(b)})
	ctx := b.Context()
	running := industrydata.ListQuery{Filter: statusIs("running"), OrderBy: newestFirst, Limit: benchPage + 1}

	list := func(b *testing.B, q industrydata.ListQuery) []industrydata.Operation {
		ops, err := s.ListOperations(ctx, tenant, q)
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
	b.Run("page 100 by keyset unprepared", func(b *testing.B) {
		// The same page without the statement cache: what preparing costs.
		st, err := operationsTable.List(sqlq.SQLite, tenant, page100)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			rows, err := s.reader.QueryContext(ctx, st.SQL, st.Args...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := scanOperation(rows); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n != benchPage+1 {
				b.Fatalf("%d rows, %v", n, err)
			}
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
			if n, err = s.CountOperations(ctx, tenant, running); err != nil {
				b.Fatal(err)
			}
		}
		if n < benchOperations/5 || n > benchOperations/3 {
			b.Fatalf("%d running operations, want about a quarter of %d", n, benchOperations)
		}
		b.ReportMetric(float64(n), "rows")
	})
}
