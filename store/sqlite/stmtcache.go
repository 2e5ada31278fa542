package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCacheSize bounds the prepared list and count statements kept on the
// reader pool. Their text depends only on the shape of a query (values are
// parameters), so a service sees few distinct ones.
const stmtCacheSize = 256

// stmtCache keeps the reader pool's prepared statements of the dynamic list
// and count queries, by SQL text, so that a repeated query shape is not
// parsed and planned again. Preparing costs as much as running a page of
// the benchmark's query.
type stmtCache struct {
	db  *sql.DB
	max int

	mu sync.Mutex
	m  map[string]*cachedStmt
}

// cachedStmt is a statement and the number of callers about to run it. An
// evicted statement is closed once none is: a *sql.Stmt closed while its
// rows are open waits for them, but one closed before a caller's Query
// starts would fail that Query.
type cachedStmt struct {
	st      *sql.Stmt
	users   int
	evicted bool
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, m: make(map[string]*cachedStmt)}
}

// query runs query with args on a cached statement, preparing it if needed.
func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	defer c.release(e)
	return e.st.QueryContext(ctx, args...)
}

func (c *stmtCache) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.m[query]; ok {
		e.users++
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()

	// Prepare outside the lock; when another caller prepared the same text
	// meanwhile, keep theirs.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	var victim *sql.Stmt
	c.mu.Lock()
	e, ok := c.m[query]
	if ok {
		victim = st
	} else {
		if len(c.m) >= c.max {
			victim = c.evictLocked()
		}
		e = &cachedStmt{st: st}
		c.m[query] = e
	}
	e.users++
	c.mu.Unlock()
	if victim != nil {
		_ = victim.Close()
	}
	return e, nil
}

// evictLocked removes an arbitrary entry and returns its statement when it
// can be closed now; otherwise its last user closes it.
func (c *stmtCache) evictLocked() *sql.Stmt {
	for q, e := range c.m {
		delete(c.m, q)
		e.evicted = true
		if e.users == 0 {
			return e.st
		}
		return nil
	}
	return nil
}

func (c *stmtCache) release(e *cachedStmt) {
	c.mu.Lock()
	e.users--
	closeNow := e.evicted && e.users == 0
	c.mu.Unlock()
	if closeNow {
		_ = e.st.Close()
	}
}

// close closes every cached statement; the cache must no longer be used.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, e := range c.m {
		if err := e.st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}

// len reports how many statements are cached.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
