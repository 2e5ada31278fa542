package service

import (
	"context"
	"errors"

	"industrydata"
)

// reportRun returns the tenant's run rid of process pid: 404 when either is
// missing or the run belongs to another process.
func (s *Service) reportRun(ctx context.Context, tenant industrydata.TenantID, pid, rid string) (industrydata.Run, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Run{}, err
	}
	run, err := s.store.GetRun(ctx, tenant, rid)
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
func (s *Service) GetUserReport(ctx context.Context, tenant industrydata.TenantID, pid, rid string) (industrydata.UserReport, error) {
	run, err := s.reportRun(ctx, tenant, pid, rid)
	if err != nil {
		return industrydata.UserReport{}, err
	}
	rep, err := s.store.GetUserReport(ctx, tenant, rid)
	if errors.Is(err, industrydata.ErrNotFound) {
		return industrydata.UserReport{}, reportMissing(run)
	}
	return rep, err
}

// ListReportEntries returns one page of the entries of the report of run
// rid of process pid, in users.csv order unless $orderby says otherwise.
func (s *Service) ListReportEntries(ctx context.Context, tenant industrydata.TenantID, pid, rid string, req ListRequest) (Page[industrydata.UserReportEntry], error) {
	run, err := s.reportRun(ctx, tenant, pid, rid)
	if err != nil {
		return Page[industrydata.UserReportEntry]{}, err
	}
	return s.entriesPage(ctx, tenant, run, req)
}

// entriesPage reads one page of the entries of run's report.
func (s *Service) entriesPage(ctx context.Context, tenant industrydata.TenantID, run industrydata.Run, req ListRequest) (Page[industrydata.UserReportEntry], error) {
	lq, limit := req.storeQuery("")
	page, err := listPage(ctx, tenant, req.Query, lq, limit,
		func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
			return s.store.ListReportEntries(ctx, tenant, run.ID, q)
		},
		func(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
			return s.store.CountReportEntries(ctx, tenant, run.ID, q)
		},
		func(e *industrydata.UserReportEntry) int64 { return e.Seq })
	if errors.Is(err, industrydata.ErrNotFound) {
		return Page[industrydata.UserReportEntry]{}, reportMissing(run)
	}
	return page, err
}

// EachReportEntry calls fn with every entry of the report that req's
// $filter and $orderby select, reading them a page of req.PageSize at a
// time, so that a million entries stream in bounded memory. $top, $skip
// and $count do not apply: it is the whole list. It calls start once, after
// the report is found and before the first entry, so that a caller can
// answer a missing report before it has written anything.
func (s *Service) EachReportEntry(ctx context.Context, tenant industrydata.TenantID, pid, rid string, req ListRequest, start func() error, fn func(*industrydata.UserReportEntry) error) error {
	run, err := s.reportRun(ctx, tenant, pid, rid)
	if err != nil {
		return err
	}
	q := *req.Query
	q.Top, q.Skip, q.Count = 0, 0, false
	req.Query = &q
	for first := true; ; first = false {
		page, err := s.entriesPage(ctx, tenant, run, req)
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
		}
		if page.Next == nil {
			return nil
		}
		req.After = page.Next
	}
}
