package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"industrydata"
)

// Benchmark data: one builder and one cached file, shared by the store's
// benchmarks and the HTTP ones, so that both measure the same rows. Nothing
// outside benchmarks calls this.

// BenchmarkTenant owns every operation BuildBenchmarkData inserts.
const BenchmarkTenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

// benchmarkDataVersion names the cached file. Change it whenever the data
// BuildBenchmarkData makes changes; new migrations need no new version, as
// Open applies them to the cached file.
const benchmarkDataVersion = "v2"

// benchmarkBatch is how many operations one write job inserts.
const benchmarkBatch = 20_000

// CachedBenchmarkData returns the path of a database holding n operations of
// BenchmarkTenant, as BuildBenchmarkData makes them. The file is kept in
// os.TempDir() and built only when it is missing, which takes about a minute
// for a million operations; built reports whether this call built it.
// Concurrent callers, even in other processes, may each build a copy, but
// only one copy is ever published at the path, and never a partial one.
//
// Callers may write to the database: the HTTP benchmarks provision
// BenchmarkTenant's system process on their first request.
func CachedBenchmarkData(ctx context.Context, n int) (path string, built bool, err error) {
	path = filepath.Join(os.TempDir(), fmt.Sprintf("industrydata-bench-%d-ops-%s.db", n, benchmarkDataVersion))
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	tmp := fmt.Sprintf("%s.build-%d", path, os.Getpid())
	removeDB(tmp) // left over from an interrupted build of a process with the same pid
	if err := BuildBenchmarkData(ctx, tmp, BenchmarkTenant, n); err != nil {
		removeDB(tmp)
		return "", false, fmt.Errorf("build benchmark data: %w", err)
	}
	// A hard link, not a rename: a rename would replace a file another
	// process may already have open, next to its WAL and shared-memory files.
	err = os.Link(tmp, path)
	removeDB(tmp)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return "", false, err
	}
	return path, err == nil, nil
}

// BuildBenchmarkData creates a database at path and inserts n operations of
// tenant, created over 2024 in roughly insertion order, with exactly every
// fourth one running. It goes through the store's writer, with one write job
// per benchmarkBatch operations, and is deterministic apart from the eTags.
func BuildBenchmarkData(ctx context.Context, path string, tenant industrydata.TenantID, n int) error {
	if n <= 0 {
		return fmt.Errorf("sqlite: %d benchmark operations, want more than zero", n)
	}
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(n)
	statuses := []industrydata.LongRunningOperationStatus{
		industrydata.OperationSucceeded, industrydata.OperationRunning,
		industrydata.OperationFailed, industrydata.OperationNotStarted,
	}
	for first := 0; first < n; first += benchmarkBatch {
		last := min(first+benchmarkBatch, n)
		err := s.write(ctx, func(tx *batchTx) error {
			for i := first; i < last; i++ {
				// An hour of jitter either way, so that equal and
				// out-of-order timestamps occur.
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
			return fmt.Errorf("sqlite: insert benchmark operations %d to %d: %w", first, last, err)
		}
	}
	if err := s.Close(); err != nil {
		return err
	}
	// Closing the last connection checkpoints the WAL into the file and
	// removes it; what is left in a WAL would not travel with the file.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("sqlite: %s still has a WAL of %d bytes after closing", path, fi.Size())
	}
	return nil
}

// removeDB removes a database file and its WAL and shared-memory files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}
