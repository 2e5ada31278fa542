package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"industrydata"
)

// The job queue (industrydata.JobStore) is the jobs table. held is the
// condition "claim (tenant ?1, kind ?2, id ?3, owner ?4, attempt ?5) still
// holds the job". Where writes run one at a time (SQLite's writer), a
// claim's read-then-update cannot interleave with another's. Where they
// are concurrent, a claim takes the first claimable job with the
// dialect's SkipLocked, so concurrent claims take different jobs and never
// wait for each other; a write made under a claim reads the job row with
// ForShare (s.q.heldJob, s.q.heldRunSeq), so that no claim can take the
// job over until the write has committed, and an UPDATE or DELETE fenced
// by held re-checks it on the row's latest version.
const (
	held        = `tenant = ?1 AND kind = ?2 AND id = ?3 AND lease_owner = ?4 AND attempts = ?5`
	qRenewJob   = `UPDATE jobs SET lease_expires_ticks = ?6 WHERE ` + held
	qHeldJob    = `SELECT operation_id FROM jobs WHERE ` + held
	qReleaseJob = `UPDATE jobs SET lease_owner = NULL, lease_expires_ticks = NULL WHERE ` + held
	// qFinishJob takes a finished job off the queue.
	qFinishJob = `DELETE FROM jobs WHERE ` + held + ` RETURNING operation_id`
	qInsertJob = `INSERT INTO jobs (tenant, kind, id, subject, operation_id, payload) VALUES (?, ?, ?, ?, ?, ?)`
	// qHeldRunSeq is the seq of a held run, which keys its report's
	// entries; it locks the job as qHeldJob does.
	qHeldRunSeq = `SELECT r.seq FROM runs r JOIN jobs ON jobs.tenant = r.tenant AND jobs.kind = 'run' AND jobs.id = r.id
	WHERE r.tenant = ?1 AND r.id = ?3 AND jobs.kind = ?2 AND jobs.lease_owner = ?4 AND jobs.attempts = ?5`
	qFinishRun = `UPDATE runs SET status = ?, end_ticks = ?, blocking_error = ?, etag = ?
	WHERE tenant = ? AND id = ? AND status = 'running' RETURNING seq, process_id`
	qJobProgress = `UPDATE operations SET status = ?, status_detail = ?, last_action_ticks = ?, etag = ?
	WHERE tenant = ? AND id = ?`
	qRunOperationDone = `UPDATE operations SET status = ?, status_detail = ?, resource_location = ?, last_action_ticks = ?, etag = ?
	WHERE tenant = ? AND id = ?`
)

// claimJob leases the first job whose lease is free or expired at ?3, of
// the kinds given (any when none), in jobs_claim order, skipping the jobs
// another transaction has locked where the dialect has SkipLocked.
func (s *Store) claimJob(kinds int) string {
	filter := ""
	if kinds > 0 {
		filter = " AND kind IN (?" + strings.Repeat(", ?", kinds-1) + ")"
	}
	return `UPDATE jobs SET lease_owner = ?1, lease_expires_ticks = ?2, attempts = attempts + 1
	WHERE seq = (SELECT seq FROM jobs WHERE (lease_expires_ticks IS NULL OR lease_expires_ticks <= ?3)` + filter + `
		ORDER BY lease_expires_ticks NULLS FIRST, seq LIMIT 1` + s.d.SkipLocked + `)
	RETURNING kind, tenant, id, subject, operation_id, attempts, payload`
}

// heldArgs are the arguments of held for c.
func heldArgs(c industrydata.JobClaim, more ...any) []any {
	return append([]any{string(c.Tenant), string(c.Kind), c.ID, c.Owner, int64(c.Attempt)}, more...)
}

// leaseExpiry is now+ttl in stored form, and normalized.
func leaseExpiry(now time.Time, ttl time.Duration) (time.Time, int64, error) {
	if ttl <= 0 {
		return time.Time{}, 0, fmt.Errorf("lease ttl %s is not positive", ttl)
	}
	return encodeTime("lease expiry", now.Add(ttl))
}

// ClaimJob leases one job in progress of any tenant, of one of kinds, whose
// lease is free or expired at now, to owner until now+ttl (see
// industrydata.JobStore).
func (s *Store) ClaimJob(ctx context.Context, owner string, now time.Time, ttl time.Duration, kinds ...industrydata.JobKind) (industrydata.JobClaim, bool, error) {
	if owner == "" {
		return industrydata.JobClaim{}, false, s.errorf("claim job: empty owner")
	}
	_, nowTicks, err := encodeTime("now", now)
	if err != nil {
		return industrydata.JobClaim{}, false, s.errorf("claim job: %w", err)
	}
	expires, expTicks, err := leaseExpiry(now, ttl)
	if err != nil {
		return industrydata.JobClaim{}, false, s.errorf("claim job: %w", err)
	}
	args := []any{owner, expTicks, nowTicks}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	c := industrydata.JobClaim{Owner: owner, Expires: expires}
	var found bool
	err = s.b.Write(ctx, func(tx Tx) error {
		var kind, tenant, subject string
		err := tx.QueryRow(s.claimJob(len(kinds)), args...).Scan(&kind, &tenant, &c.ID, &subject, &c.OperationID, &c.Attempt, &c.Payload)
		if errors.Is(err, s.d.NoRows) {
			return nil // nothing to claim
		}
		if err != nil {
			return s.errorf("claim job: %w", err)
		}
		c.Kind, c.Tenant, found = industrydata.JobKind(kind), industrydata.TenantID(tenant), true
		switch c.Kind {
		case industrydata.JobRun:
			c.ProcessID = subject
		case industrydata.JobValidation:
			c.ConnectorID = subject
		}
		return nil
	})
	if err != nil || !found {
		return industrydata.JobClaim{}, false, err
	}
	return c, true, nil
}

// RenewLease extends c's lease to now+ttl while c holds the run.
func (s *Store) RenewLease(ctx context.Context, c industrydata.JobClaim, now time.Time, ttl time.Duration) (industrydata.JobClaim, error) {
	expires, expTicks, err := leaseExpiry(now, ttl)
	if err != nil {
		return c, s.errorf("renew lease of %s %s: %w", c.Kind, c.ID, err)
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		res, err := tx.Exec(qRenewJob, heldArgs(c, expTicks)...)
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
		return c, s.errorf("renew lease of %s %s: %w", c.Kind, c.ID, err)
	}
	c.Expires = expires
	return c, nil
}

// UpdateJobProgress sets the job's operation to running with statusDetail,
// at now, while c holds the job.
func (s *Store) UpdateJobProgress(ctx context.Context, c industrydata.JobClaim, statusDetail string, now time.Time) error {
	_, nowTicks, err := encodeTime("lastActionDateTime", now)
	if err != nil {
		return s.errorf("progress of %s %s: %w", c.Kind, c.ID, err)
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		var opID string
		if err := tx.QueryRow(s.q.heldJob, heldArgs(c)...).Scan(&opID); err != nil {
			return s.leaseLost(err)
		}
		_, err := tx.Exec(qJobProgress, string(industrydata.OperationRunning), statusDetail, nowTicks, newETag(),
			string(c.Tenant), opID)
		return err
	})
	if err != nil {
		return s.errorf("progress of %s %s: %w", c.Kind, c.ID, err)
	}
	return nil
}

// FinishRun writes out to the run and its operation and frees the lease, in
// one transaction, while c holds the run. In the same transaction it stores
// out.Report as the run's user report (assigning its ID, ProcessID and ETag,
// and CreatedDateTime out.EndDateTime when it is zero) or, without one,
// deletes the entries the run appended, which no report would show; and it
// drops the files its activities pinned and never finished importing (the
// flows keep their current data), releasing their contents.
func (s *Store) FinishRun(ctx context.Context, c industrydata.JobClaim, out industrydata.RunOutcome) error {
	if out.Status == industrydata.RunRunning || out.Status == "" || out.OperationStatus == "" {
		return s.errorf("finish run %s: run status %q and operation status %q must both be final",
			c.ID, out.Status, out.OperationStatus)
	}
	if out.EndDateTime.IsZero() || out.LastActionDateTime.IsZero() {
		return s.errorf("finish run %s: endDateTime and lastActionDateTime are required", c.ID)
	}
	_, endTicks, err := encodeTime("endDateTime", out.EndDateTime)
	if err != nil {
		return s.errorf("finish run %s: %w", c.ID, err)
	}
	_, actionTicks, err := encodeTime("lastActionDateTime", out.LastActionDateTime)
	if err != nil {
		return s.errorf("finish run %s: %w", c.ID, err)
	}
	blocking, err := encodePublicError(out.BlockingError)
	if err != nil {
		return s.errorf("finish run %s: %w", c.ID, err)
	}
	var report *reportRow
	if out.Report != nil {
		if report, err = encodeReport(out.Report, out.EndDateTime); err != nil {
			return s.errorf("finish run %s: report: %w", c.ID, err)
		}
	}
	var processID string
	err = s.b.Write(ctx, func(tx Tx) error {
		if c.Kind != industrydata.JobRun {
			return fmt.Errorf("a %s job is not a run", c.Kind)
		}
		var (
			seq  int64
			opID string
		)
		if err := tx.QueryRow(qFinishJob, heldArgs(c)...).Scan(&opID); err != nil {
			return s.leaseLost(err)
		}
		err := tx.QueryRow(qFinishRun, string(out.Status), endTicks, blocking, newETag(),
			string(c.Tenant), c.ID).Scan(&seq, &processID)
		if err != nil {
			return fmt.Errorf("run: %w", s.translate(err))
		}
		// No row: the client deleted the operation; the run still ends.
		if _, err = tx.Exec(qRunOperationDone, string(out.OperationStatus), toNullString(out.StatusDetail),
			toNullString(out.ResourceLocation), actionTicks, newETag(), string(c.Tenant), opID); err != nil {
			return err
		}
		if report != nil {
			if _, err := tx.Exec(qInsertReport, seq, string(c.Tenant), c.ID, processID, report.etag,
				report.created, report.summary); err != nil {
				return fmt.Errorf("report: %w", s.translate(err))
			}
		} else if _, err := tx.Exec(qDeleteBlocks, seq); err != nil {
			return fmt.Errorf("report entries: %w", err)
		}
		if err := s.dropFiles(tx, qDropRunPins, seq); err != nil {
			return fmt.Errorf("pinned flow files: %w", err)
		}
		return nil
	})
	if err != nil {
		return s.errorf("finish run %s: %w", c.ID, err)
	}
	if out.Report != nil {
		out.Report.ID, out.Report.ProcessID, out.Report.ETag = c.ID, processID, report.etag
		out.Report.CreatedDateTime = report.createdAt
	}
	return nil
}

// leaseLost turns "no row held by the claim" into ErrLeaseLost.
func (s *Store) leaseLost(err error) error {
	if errors.Is(s.translate(err), industrydata.ErrNotFound) {
		return industrydata.ErrLeaseLost
	}
	return err
}

// ReleaseLease gives c's job back, still in progress, while c holds it.
func (s *Store) ReleaseLease(ctx context.Context, c industrydata.JobClaim) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		res, err := tx.Exec(qReleaseJob, heldArgs(c)...)
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
		return s.errorf("release lease of %s %s: %w", c.Kind, c.ID, err)
	}
	return nil
}
