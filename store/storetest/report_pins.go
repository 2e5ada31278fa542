package storetest

import (
	"testing"
	"time"

	"industrydata"
)

var reportPinTests = []test{
	{"a pinned run stays through a sweep until its pin expires", testPinKeepsRunUntilExpiry},
	{"a renewed pin holds to its new expiry, an unpinned run goes", testPinRenewAndUnpin},
	{"a pin of a missing run is not found", testPinMissingRun},
}

// pinTTL is how long the suite's pins hold.
const pinTTL = 2 * time.Minute

func pinReport(t *testing.T, s industrydata.Store, runID string, now time.Time) int64 {
	t.Helper()
	pin, err := s.PinReport(t.Context(), tenantA, runID, now, pinTTL)
	if err != nil {
		t.Fatalf("PinReport(%s): %v", runID, err)
	}
	return pin
}

func testPinKeepsRunUntilExpiry(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	pinned := doneRun(t, s, tenantA, p.ID, leaseT0(t), true)
	twin := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Second), true)
	current := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Hour), true)
	at := leaseT0(t).Add(2 * time.Hour)
	pinReport(t, s, pinned.ID, at)
	// Another tenant's run of the same id is no pin of this one.
	if _, err := s.PinReport(t.Context(), tenantB, pinned.ID, at, pinTTL); err == nil {
		t.Errorf("PinReport of another tenant's run succeeded")
	}
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture, Now: at.Add(pinTTL - time.Second)}, 1)
	wantRuns(t, s, tenantA, map[string]bool{pinned.ID: true, twin.ID: false, current.ID: true})
	checkEntries(t, s, tenantA, pinned.ID, reportEntries(1, 3))
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture, Now: at.Add(pinTTL)}, 1)
	wantRuns(t, s, tenantA, map[string]bool{pinned.ID: false, current.ID: true})
	wantNoReport(t, s, tenantA, pinned.ID)
}

func testPinRenewAndUnpin(t *testing.T, s industrydata.Store) {
	p := readyProcess(t, s, tenantA)
	renewed := doneRun(t, s, tenantA, p.ID, leaseT0(t), true)
	unpinned := doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Second), true)
	doneRun(t, s, tenantA, p.ID, leaseT0(t).Add(time.Hour), true)
	at := leaseT0(t).Add(2 * time.Hour)
	pin := pinReport(t, s, renewed.ID, at)
	if err := s.RenewReportPin(t.Context(), tenantA, pin, at.Add(time.Minute), pinTTL); err != nil {
		t.Fatalf("RenewReportPin: %v", err)
	}
	err := s.RenewReportPin(t.Context(), tenantB, pin, at.Add(time.Minute), pinTTL)
	wantErrIs(t, "RenewReportPin of another tenant's pin", err, industrydata.ErrNotFound)
	other := pinReport(t, s, unpinned.ID, at)
	if err := s.UnpinReport(t.Context(), tenantA, other); err != nil {
		t.Fatalf("UnpinReport: %v", err)
	}
	if err := s.UnpinReport(t.Context(), tenantA, other); err != nil {
		t.Fatalf("UnpinReport of a pin already removed: %v", err)
	}
	err = s.RenewReportPin(t.Context(), tenantA, other, at, pinTTL)
	wantErrIs(t, "RenewReportPin of a removed pin", err, industrydata.ErrNotFound)
	// The first pin would have expired at at+pinTTL; renewed, it holds.
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture, Now: at.Add(pinTTL)}, 1)
	wantRuns(t, s, tenantA, map[string]bool{renewed.ID: true, unpinned.ID: false})
	// The cleanup drops the pins expired at its now.
	sweepRunsAll(t, s, industrydata.Cutoff{Before: farFuture, Now: at.Add(time.Minute + pinTTL)}, 1)
	err = s.RenewReportPin(t.Context(), tenantA, pin, at, pinTTL)
	wantErrIs(t, "RenewReportPin of an expired pin the cleanup dropped", err, industrydata.ErrNotFound)
}

func testPinMissingRun(t *testing.T, s industrydata.Store) {
	_, err := s.PinReport(t.Context(), tenantA, "no-such-run", leaseT0(t), pinTTL)
	wantErrIs(t, "PinReport of a missing run", err, industrydata.ErrNotFound)
	_, err = s.PinReport(t.Context(), tenantA, "r", leaseT0(t), 0)
	if err == nil {
		t.Errorf("PinReport with no ttl succeeded")
	}
}
