package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"industrydata"
)

// Leases. A run in progress is free when lease_expires_ticks is NULL, and
// held by lease_owner until lease_expires_ticks otherwise. A claim is fenced
// by (lease_owner, attempts): attempts grows with every claim, so a runner
// whose lease expired and was taken over — even by a runner reusing its
// owner name — matches no row any more. Every write runs on the writer
// goroutine, one after another, so a claim's read-then-update cannot
// interleave with another claim's.
const (
	// qClaimRun leases the first run in progress whose lease is free or
	// expired, in runs_claim order: never-claimed runs (NULL sorts first)
	// before orphans, the longest-expired orphan first.
	qClaimRun = `UPDATE runs SET lease_owner = ?1, lease_expires_ticks = ?2, attempts = attempts + 1
	WHERE seq = (SELECT seq FROM runs WHERE status = 'running'
		AND (lease_expires_ticks IS NULL OR lease_expires_ticks <= ?3)
		ORDER BY lease_expires_ticks, seq LIMIT 1)
	RETURNING tenant, id, process_id, operation_id, attempts, roster_id`
	// held is the condition "claim ?1..?4 still holds the run".
	held      = `tenant = ?1 AND id = ?2 AND status = 'running' AND lease_owner = ?3 AND attempts = ?4`
	qRenewRun = `UPDATE runs SET lease_expires_ticks = ?5 WHERE ` + held
	qHeldRun  = `SELECT operation_id FROM runs WHERE ` + held
	// qHeldRunSeq is the seq of the run, which keys its report's entries.
	qHeldRunSeq = `SELECT seq FROM runs WHERE ` + held
	qFinishRun  = `UPDATE runs SET status = ?5, end_ticks = ?6, blocking_error = ?7, etag = ?8,
	lease_owner = NULL, lease_expires_ticks = NULL WHERE ` + held + ` RETURNING seq, process_id, operation_id, roster_id`
	qRunProgress = `UPDATE operations SET status = ?, status_detail = ?, last_action_ticks = ?, etag = ?
	WHERE tenant = ? AND id = ?`
	qRunOperationDone = `UPDATE operations SET status = ?, status_detail = ?, resource_location = ?, last_action_ticks = ?, etag = ?
	WHERE tenant = ? AND id = ?`
)

// leaseExpiry is now+ttl in stored form, and normalized.
func leaseExpiry(now time.Time, ttl time.Duration) (time.Time, int64, error) {
	if ttl <= 0 {
		return time.Time{}, 0, fmt.Errorf("lease ttl %s is not positive", ttl)
	}
	return encodeTime("lease expiry", now.Add(ttl))
}

// ClaimRun leases one run in progress of any tenant, whose lease is free or
// expired at now, to owner until now+ttl (see industrydata.RunStore).
func (s *Store) ClaimRun(ctx context.Context, owner string, now time.Time, ttl time.Duration) (industrydata.RunClaim, bool, error) {
	if owner == "" {
		return industrydata.RunClaim{}, false, errors.New("sqlite: claim run: empty owner")
	}
	_, nowTicks, err := encodeTime("now", now)
	if err != nil {
		return industrydata.RunClaim{}, false, fmt.Errorf("sqlite: claim run: %w", err)
	}
	expires, expTicks, err := leaseExpiry(now, ttl)
	if err != nil {
		return industrydata.RunClaim{}, false, fmt.Errorf("sqlite: claim run: %w", err)
	}
	c := industrydata.RunClaim{Owner: owner, Expires: expires}
	var found bool
	err = s.write(ctx, func(tx *batchTx) error {
		var tenant string
		var roster sql.NullString
		err := tx.QueryRow(qClaimRun, owner, expTicks, nowTicks).Scan(&tenant, &c.RunID, &c.ProcessID, &c.OperationID, &c.Attempt, &roster)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // nothing to claim
		}
		if err != nil {
			return fmt.Errorf("sqlite: claim run: %w", err)
		}
		c.Tenant, c.RosterID, found = industrydata.TenantID(tenant), roster.String, true
		return nil
	})
	if err != nil || !found {
		return industrydata.RunClaim{}, false, err
	}
	return c, true, nil
}

// RenewLease extends c's lease to now+ttl while c holds the run.
func (s *Store) RenewLease(ctx context.Context, c industrydata.RunClaim, now time.Time, ttl time.Duration) (industrydata.RunClaim, error) {
	expires, expTicks, err := leaseExpiry(now, ttl)
	if err != nil {
		return c, fmt.Errorf("sqlite: renew lease of run %s: %w", c.RunID, err)
	}
	err = s.write(ctx, func(tx *batchTx) error {
		res, err := tx.Exec(qRenewRun, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt), expTicks)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return industrydata.ErrLeaseLost
		}
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("sqlite: renew lease of run %s: %w", c.RunID, err)
	}
	c.Expires = expires
	return c, nil
}

// UpdateRunProgress sets the run's operation to running with statusDetail,
// at now, while c holds the run.
func (s *Store) UpdateRunProgress(ctx context.Context, c industrydata.RunClaim, statusDetail string, now time.Time) error {
	_, nowTicks, err := encodeTime("lastActionDateTime", now)
	if err != nil {
		return fmt.Errorf("sqlite: progress of run %s: %w", c.RunID, err)
	}
	err = s.write(ctx, func(tx *batchTx) error {
		var opID string
		if err := tx.QueryRow(qHeldRun, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt)).Scan(&opID); err != nil {
			return leaseLost(err)
		}
		_, err := tx.Exec(qRunProgress, string(industrydata.OperationRunning), statusDetail, nowTicks, newETag(),
			string(c.Tenant), opID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: progress of run %s: %w", c.RunID, err)
	}
	return nil
}

// FinishRun writes out to the run and its operation and frees the lease, in
// one transaction, while c holds the run. In the same transaction it stores
// out.Report as the run's user report (assigning its ID, ProcessID and ETag,
// and CreatedDateTime out.EndDateTime when it is zero) or, without one,
// deletes the entries the run appended, which no report would show; and it
// deletes the roster the run pinned once nothing else keeps it.
func (s *Store) FinishRun(ctx context.Context, c industrydata.RunClaim, out industrydata.RunOutcome) error {
	if out.Status == industrydata.RunRunning || out.Status == "" || out.OperationStatus == "" {
		return fmt.Errorf("sqlite: finish run %s: run status %q and operation status %q must both be final",
			c.RunID, out.Status, out.OperationStatus)
	}
	if out.EndDateTime.IsZero() || out.LastActionDateTime.IsZero() {
		return fmt.Errorf("sqlite: finish run %s: endDateTime and lastActionDateTime are required", c.RunID)
	}
	_, endTicks, err := encodeTime("endDateTime", out.EndDateTime)
	if err != nil {
		return fmt.Errorf("sqlite: finish run %s: %w", c.RunID, err)
	}
	_, actionTicks, err := encodeTime("lastActionDateTime", out.LastActionDateTime)
	if err != nil {
		return fmt.Errorf("sqlite: finish run %s: %w", c.RunID, err)
	}
	blocking, err := encodePublicError(out.BlockingError)
	if err != nil {
		return fmt.Errorf("sqlite: finish run %s: %w", c.RunID, err)
	}
	var report *reportRow
	if out.Report != nil {
		if report, err = encodeReport(out.Report, out.EndDateTime); err != nil {
			return fmt.Errorf("sqlite: finish run %s: report: %w", c.RunID, err)
		}
	}
	var processID string
	err = s.write(ctx, func(tx *batchTx) error {
		var (
			seq    int64
			opID   string
			roster sql.NullString
		)
		err := tx.QueryRow(qFinishRun, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt),
			string(out.Status), endTicks, blocking, newETag()).Scan(&seq, &processID, &opID, &roster)
		if err != nil {
			return leaseLost(err)
		}
		// No row: the client deleted the operation; the run still ends.
		if _, err = tx.Exec(qRunOperationDone, string(out.OperationStatus), toNullString(out.StatusDetail),
			toNullString(out.ResourceLocation), actionTicks, newETag(), string(c.Tenant), opID); err != nil {
			return err
		}
		if report != nil {
			if _, err := tx.Exec(qInsertReport, seq, string(c.Tenant), c.RunID, processID, report.etag,
				report.created, report.summary); err != nil {
				return fmt.Errorf("report: %w", translate(err))
			}
		} else if _, err := tx.Exec(qDeleteBlocks, seq); err != nil {
			return fmt.Errorf("report entries: %w", err)
		}
		if roster.Valid {
			if _, err := tx.Exec(qDeleteUnpinnedRosters, string(c.Tenant)); err != nil {
				return fmt.Errorf("rosters: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: finish run %s: %w", c.RunID, err)
	}
	if out.Report != nil {
		out.Report.ID, out.Report.ProcessID, out.Report.ETag = c.RunID, processID, report.etag
		out.Report.CreatedDateTime = report.createdAt
	}
	return nil
}

// leaseLost turns "no row held by the claim" into ErrLeaseLost.
func leaseLost(err error) error {
	if errors.Is(translate(err), industrydata.ErrNotFound) {
		return industrydata.ErrLeaseLost
	}
	return err
}

// qReleaseRun frees the lease of a run still in progress, for any runner to
// claim at once.
const qReleaseRun = `UPDATE runs SET lease_owner = NULL, lease_expires_ticks = NULL WHERE ` + held

// ReleaseLease gives c's run back, still in progress, while c holds it.
func (s *Store) ReleaseLease(ctx context.Context, c industrydata.RunClaim) error {
	err := s.write(ctx, func(tx *batchTx) error {
		res, err := tx.Exec(qReleaseRun, string(c.Tenant), c.RunID, c.Owner, int64(c.Attempt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return industrydata.ErrLeaseLost
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: release lease of run %s: %w", c.RunID, err)
	}
	return nil
}
