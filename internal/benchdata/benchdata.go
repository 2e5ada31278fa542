// Package benchdata builds the data the benchmarks query: many operations of
// one tenant, in a database file cached across runs, so that the store's
// benchmarks and the HTTP ones measure the same rows. It goes through a
// store's public API (CreateOperation) and knows nothing of any store's
// tables. Only benchmarks and their tests import it.
package benchdata

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"industrydata"
)

// Tenant owns every operation Build inserts.
const Tenant industrydata.TenantID = "00000000-0000-0000-0000-0000000000aa"

// Writers is how many CreateOperation calls Build keeps in flight, so that a
// store committing many writes in one transaction (sqlite.Config.MaxBatch)
// commits them in large batches. A store that commits at least this many at
// once builds fastest.
const Writers = 1024

// version names the cached file. Change it whenever the data Build makes
// changes; new migrations need no new version, as opening the store applies
// them to the cached file.
const version = "v3"

// Store is what Cached needs of a store.
type Store interface {
	CreateOperation(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, op *industrydata.Operation) error
	Close() error
}

// OpenFunc opens a store on the database file at path, creating the file
// when it is missing.
type OpenFunc func(ctx context.Context, path string) (Store, error)

// Cached returns the path of a database file holding n operations of
// Tenant, as Build makes them, opened and built with open. The file is kept
// in os.TempDir() and built only when it is missing, which takes about a
// minute for a million operations; built reports whether this call built
// it. Concurrent callers, even in other processes, may each build a copy,
// but only one copy is ever published at the path, and never a partial one.
//
// Callers may write to the database: the HTTP benchmarks provision Tenant's
// system process on their first request.
func Cached(ctx context.Context, n int, open OpenFunc) (path string, built bool, err error) {
	path = filepath.Join(os.TempDir(), fmt.Sprintf("industrydata-bench-%d-ops-%s.db", n, version))
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	tmp := fmt.Sprintf("%s.build-%d", path, os.Getpid())
	removeDB(tmp) // left over from an interrupted build of a process with the same pid
	if err := buildFile(ctx, tmp, n, open); err != nil {
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

// buildFile opens a store on a new file at path, builds n operations in it
// and closes it.
func buildFile(ctx context.Context, path string, n int, open OpenFunc) error {
	s, err := open(ctx, path)
	if err != nil {
		return err
	}
	if err := Build(ctx, s, n); err != nil {
		_ = s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	// Closing SQLite's last connection checkpoints the WAL into the file
	// and removes it; what is left in a WAL would not travel with the file.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("benchdata: %s still has a WAL of %d bytes after closing", path, fi.Size())
	}
	return nil
}

// Build inserts n operations of Tenant into s, created over 2024 with an
// hour of jitter (so equal and out-of-order timestamps occur), with exactly
// every fourth one running, every second one with a statusDetail and two in
// three with a lastActionDateTime. Operation i has the id
// 00000000-0000-4000-8000-<i in 12 digits>. The operations are the same on
// every call; the eTags, and the order in which the store receives them
// (Writers at a time), are not. Each is written as the system's, so a store
// that audits records it like any other create.
func Build(ctx context.Context, s Store, n int) error {
	if n <= 0 {
		return fmt.Errorf("benchdata: %d operations, want more than zero", n)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ops := make(chan industrydata.Operation, Writers)
	var wg sync.WaitGroup
	for range Writers {
		wg.Go(func() {
			for op := range ops {
				if err := s.CreateOperation(ctx, Tenant, industrydata.Actor{System: true}, &op); err != nil {
					cancel(fmt.Errorf("benchdata: create operation %s: %w", op.ID, err))
					return
				}
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(n)
	statuses := []industrydata.LongRunningOperationStatus{
		industrydata.OperationSucceeded, industrydata.OperationRunning,
		industrydata.OperationFailed, industrydata.OperationNotStarted,
	}
produce:
	for i := range n {
		created := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(2*time.Hour))) - time.Hour)
		op := industrydata.Operation{
			ID:              fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Type:            "microsoft.graph.longRunningOperation",
			CreatedDateTime: created,
			Status:          statuses[i%len(statuses)],
		}
		if i%3 != 0 {
			t := created.Add(time.Minute)
			op.LastActionDateTime = &t
		}
		if i%2 == 0 {
			detail := fmt.Sprintf("%d of 100 rows", i%100)
			op.StatusDetail = &detail
		}
		select {
		case ops <- op:
		case <-ctx.Done():
			break produce
		}
	}
	close(ops)
	wg.Wait()
	return context.Cause(ctx)
}

// removeDB removes a database file and its WAL and shared-memory files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}
