package sqlcore

import (
	"context"
	"time"

	"industrydata"
)

// Report pins (industrydata.ReportPinStore): the cleanup of runs skips a
// run with a pin that expires after its now (qSweepRuns).
const (
	qPinReport = `INSERT INTO report_pins (tenant, run, expires_ticks)
	SELECT tenant, seq, ?3 FROM runs WHERE tenant = ?1 AND id = ?2 RETURNING seq`
	qRenewReportPin = `UPDATE report_pins SET expires_ticks = ?3 WHERE tenant = ?1 AND seq = ?2`
	qUnpinReport    = `DELETE FROM report_pins WHERE tenant = ? AND seq = ?`
)

// PinReport pins the tenant's run runID until now+ttl (see
// industrydata.ReportPinStore).
func (s *Store) PinReport(ctx context.Context, tenant industrydata.TenantID, runID string, now time.Time, ttl time.Duration) (int64, error) {
	_, expires, err := leaseExpiry(now, ttl)
	if err != nil {
		return 0, s.errorf("pin report of run %s: %w", runID, err)
	}
	var pin int64
	err = s.b.Write(ctx, func(tx Tx) error {
		return tx.QueryRow(qPinReport, string(tenant), runID, expires).Scan(&pin)
	})
	if err != nil {
		return 0, s.errorf("pin report of run %s: %w", runID, s.translate(err))
	}
	return pin, nil
}

// RenewReportPin moves the tenant's pin to expire at now+ttl (see
// industrydata.ReportPinStore).
func (s *Store) RenewReportPin(ctx context.Context, tenant industrydata.TenantID, pin int64, now time.Time, ttl time.Duration) error {
	_, expires, err := leaseExpiry(now, ttl)
	if err != nil {
		return s.errorf("renew report pin %d: %w", pin, err)
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		res, err := tx.Exec(qRenewReportPin, string(tenant), pin, expires)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = industrydata.ErrNotFound
		}
		return err
	})
	if err != nil {
		return s.errorf("renew report pin %d: %w", pin, err)
	}
	return nil
}

// UnpinReport removes the tenant's pin (see industrydata.ReportPinStore).
func (s *Store) UnpinReport(ctx context.Context, tenant industrydata.TenantID, pin int64) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		_, err := tx.Exec(qUnpinReport, string(tenant), pin)
		return err
	})
	if err != nil {
		return s.errorf("unpin report %d: %w", pin, err)
	}
	return nil
}
