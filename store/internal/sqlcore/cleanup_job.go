package sqlcore

import (
	"context"
	"fmt"

	"industrydata"
)

// qQueueCleanup queues the cleanup's job (industrydata.JobCleanup): a row
// of the jobs table of the empty tenant, id industrydata.CleanupJobID,
// following no operation (see migration 00015). UNIQUE (tenant, kind, id)
// makes it one at most.
const qQueueCleanup = `INSERT INTO jobs (tenant, kind, id, subject, operation_id) VALUES ('', 'cleanup', ?, '', '')
	ON CONFLICT (tenant, kind, id) DO NOTHING`

// QueueCleanup queues the cleanup's job unless it is queued or running
// (see industrydata.CleanupStore).
func (s *Store) QueueCleanup(ctx context.Context) (bool, error) {
	var queued bool
	err := s.b.Write(ctx, func(tx Tx) error {
		res, err := tx.Exec(qQueueCleanup, industrydata.CleanupJobID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		queued = n == 1
		return err
	})
	if err != nil {
		return false, s.errorf("queue cleanup: %w", err)
	}
	return queued, nil
}

// FinishCleanup takes the cleanup's job off the queue while c holds it.
func (s *Store) FinishCleanup(ctx context.Context, c industrydata.JobClaim) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		if c.Kind != industrydata.JobCleanup {
			return fmt.Errorf("a %s job is not the cleanup", c.Kind)
		}
		var opID string
		return s.leaseLost(tx.QueryRow(qFinishJob, heldArgs(c)...).Scan(&opID))
	})
	if err != nil {
		return s.errorf("finish cleanup: %w", err)
	}
	return nil
}
