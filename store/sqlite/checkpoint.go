package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// A WAL database's commits append pages to the WAL; a checkpoint copies
// them into the database file and fsyncs it, so that the WAL can start
// over. SQLite's default runs it in the commit that takes the WAL past
// 1,000 pages: that commit, a client's write, then waits 20-40 ms for it
// (an upload of a roster of 100,000 users passes the mark every other
// time). The checkpointer does it off the request path instead, on a
// connection of its own, every checkpointEvery, PASSIVE (it never waits
// for, nor blocks, the writer or a reader). The writer's own checkpoint
// stays as a backstop, at walBackstopPages, for a burst of writes faster
// than the checkpointer.
const (
	checkpointEvery  = 250 * time.Millisecond
	walBackstopPages = 8192 // 32 MiB of 4 KiB pages
)

// checkpointer checkpoints a database file's WAL in the background.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens its connection with dsn (the writer's) and starts
// checkpointing every checkpointEvery.
func startCheckpointer(dsn string, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	failing := false // logged once, until a checkpoint succeeds again
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		_, _, err := c.checkpoint(context.Background())
		switch {
		case err != nil && !failing:
			c.log.Warn("sqlite: background checkpoints fail; the writer checkpoints past the backstop", "err", err)
		case err == nil && failing:
			c.log.Info("sqlite: background checkpoints work again")
		}
		failing = err != nil
	}
}

// checkpoint copies what it can of the WAL into the database file, and
// returns the WAL's frames and those checkpointed (SQLite's own answer;
// nothing to do costs a read of the WAL's index).
func (c *checkpointer) checkpoint(ctx context.Context) (frames, done int, err error) {
	var busy int
	err = c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	return frames, done, err
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
