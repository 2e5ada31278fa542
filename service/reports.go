package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"industrydata"
	"industrydata/odata"
)

// How many entries EachReportEntry reads at a time: in file order a page
// is cheap to find, so pages are small; in another order every page is
// chosen from the whole report, so fewer, larger pages read it fewer times
// (a million entries 20 times, for a page of about 10 MB).
const (
	eachEntriesPageSize       = 5000
	eachSortedEntriesPageSize = 50_000
)

// reportPinTTL is how long EachReportEntry's pin holds its run against the
// cleanup unless renewed; it is renewed at a third of it, between pages.
const reportPinTTL = 2 * time.Minute

// reportRun returns the tenant's run rid of process pid: 404 when either is
// missing or the run belongs to another process.
func (t *Tenant) reportRun(ctx context.Context, pid, rid string) (industrydata.Run, error) {
	run, err := t.s.store.GetRun(ctx, t.id, rid)
	if err == nil && run.ProcessID != pid {
		err = industrydata.ErrNotFound
	}
	return run, notFound(err, runKind, rid)
}

// reportMissing is the 404 of a run that has no report: still running, or
// ended without one.
func reportMissing(run industrydata.Run) error {
	if run.Status == industrydata.RunRunning {
		return industrydata.Errorf(industrydata.CodeItemNotFound,
			"The run '%s' has not finished; its user report is stored when it does.", clip(run.ID))
	}
	return industrydata.Errorf(industrydata.CodeItemNotFound,
		"The run '%s' ended with status '%s' and has no user report.", clip(run.ID), run.Status)
}

// GetUserReport returns the user report of run rid of process pid (SPEC §10).
func (t *Tenant) GetUserReport(ctx context.Context, pid, rid string) (industrydata.UserReport, error) {
	run, err := t.reportRun(ctx, pid, rid)
	if err != nil {
		return industrydata.UserReport{}, err
	}
	rep, err := t.s.store.GetUserReport(ctx, t.id, rid)
	if errors.Is(err, industrydata.ErrNotFound) {
		return industrydata.UserReport{}, reportMissing(run)
	}
	return rep, err
}

// ListReportEntries returns the page q selects of the entries of the report
// of run rid of process pid, in users.csv order unless $orderby says
// otherwise.
func (t *Tenant) ListReportEntries(ctx context.Context, pid, rid string, q *odata.Query) (Page[industrydata.UserReportEntry], error) {
	run, err := t.reportRun(ctx, pid, rid)
	if err != nil {
		return Page[industrydata.UserReportEntry]{}, err
	}
	return t.entriesPage(ctx, run, q, DefaultPageSize)
}

// CountReportEntries is the number of the entries of the report of run rid
// of process pid that q's $filter selects.
func (t *Tenant) CountReportEntries(ctx context.Context, pid, rid string, q *odata.Query) (int64, error) {
	run, err := t.reportRun(ctx, pid, rid)
	if err != nil {
		return 0, err
	}
	n, err := t.entries(run).total(ctx, q)
	if errors.Is(err, industrydata.ErrNotFound) {
		return 0, reportMissing(run)
	}
	return n, err
}

// entriesPage reads one page of the entries of run's report.
func (t *Tenant) entriesPage(ctx context.Context, run industrydata.Run, q *odata.Query, pageSize int) (Page[industrydata.UserReportEntry], error) {
	page, err := t.entries(run).page(ctx, q, pageSize)
	if errors.Is(err, industrydata.ErrNotFound) {
		return Page[industrydata.UserReportEntry]{}, reportMissing(run)
	}
	return page, err
}

// entries is the pager of the entries of run's report.
func (t *Tenant) entries(run industrydata.Run) pager[industrydata.UserReportEntry] {
	return pager[industrydata.UserReportEntry]{t: t,
		list: func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
			return t.s.store.ListReportEntries(ctx, tenant, run.ID, q)
		},
		count: func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
			return t.s.store.CountReportEntries(ctx, tenant, run.ID, q)
		},
		seq: func(e *industrydata.UserReportEntry) int64 { return e.Seq },
	}
}

// EachReportEntry calls fn with every entry of the report that q's $filter
// and $orderby select, reading them a page at a time, so that a million
// entries stream in bounded memory. $top, $skip, $count and $skiptoken do
// not apply: it is the whole list. It calls start once, after the report is
// found and before the first entry, so that a caller can answer a missing
// report before it has written anything. It pins the run against the
// cleanup while it reads; should the report go all the same (its process
// deleted), it fails rather than end short, so that no caller takes part
// of the report for the whole.
func (t *Tenant) EachReportEntry(ctx context.Context, pid, rid string, q *odata.Query, start func() error, fn func(*industrydata.UserReportEntry) error) error {
	run, err := t.reportRun(ctx, pid, rid)
	if err != nil {
		return err
	}
	pinned := t.s.now()
	pin, err := t.s.store.PinReport(ctx, t.id, rid, pinned, reportPinTTL)
	if err != nil {
		return notFound(err, runKind, rid)
	}
	// A pin left behind expires.
	defer func() { _ = t.s.store.UnpinReport(context.WithoutCancel(ctx), t.id, pin) }()
	// renew renews the pin when a third of it has passed; a pin the cleanup
	// dropped, expired under a slow client, is taken anew while the run is
	// there (and a report that went meanwhile fails the read below).
	renew := func() error {
		now := t.s.now()
		if now.Sub(pinned) <= reportPinTTL/3 {
			return nil
		}
		err := t.s.store.RenewReportPin(ctx, t.id, pin, now, reportPinTTL)
		if errors.Is(err, industrydata.ErrNotFound) {
			pin, err = t.s.store.PinReport(ctx, t.id, rid, now, reportPinTTL)
		}
		if err != nil {
			return fmt.Errorf("user report of run %s: pin: %w", rid, err)
		}
		pinned = now
		return nil
	}
	whole := *q
	whole.Top, whole.Skip, whole.Count, whole.SkipToken = 0, 0, false, ""
	pageSize := eachEntriesPageSize
	if len(whole.OrderBy) > 0 {
		pageSize = eachSortedEntriesPageSize
	}
	for first := true; ; first = false {
		if err := renew(); err != nil {
			return err
		}
		page, err := t.entriesPage(ctx, run, &whole, pageSize)
		if err != nil {
			return err
		}
		if first {
			if err := start(); err != nil {
				return err
			}
		}
		for i := range page.Items {
			if err := fn(&page.Items[i]); err != nil {
				return err
			}
			// A sorted page is long enough for a slow client to outlast the pin.
			if (i+1)%eachEntriesPageSize == 0 {
				if err := renew(); err != nil {
					return err
				}
			}
		}
		if page.Next == "" {
			// A page read as the report went may have come out short.
			if _, err := t.s.store.GetUserReport(ctx, t.id, rid); err != nil {
				return fmt.Errorf("user report of run %s gone while it was read: %w", rid, err)
			}
			return nil
		}
		whole.SkipToken = page.Next
	}
}
