package service

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

const runKind = "industryDataRun"

// MaxExpandedRuns is how many runs $expand=runs shows of each process: its
// newest. The full history is GET processes/{id}/runs, which pages.
const MaxExpandedRuns = 100

// DefaultOrder gives q the order its collection has when $orderby says
// none: runs newest first (SPEC §2: "ordered by time (newest first)"), by
// startDateTime and then insertion, descending; other collections keep
// insertion order. A $skiptoken is bound to the order, so callers apply this
// before reading one.
func DefaultOrder(q *odata.Query) {
	if q == nil || len(q.OrderBy) > 0 || q.Type == nil || !q.Type.DerivesFrom(schema.IndustryDataRun) {
		return
	}
	q.OrderBy = []odata.OrderKey{{Prop: schema.IndustryDataRun.Property("startDateTime"), Desc: true}}
}

// StartRun starts a run of the tenant's process and returns it with the
// longRunningOperation that tracks it (SPEC §4): the run running since now,
// named after the process, and the operation notStarted, created now. The
// process must be ready, and have no run in progress; otherwise 409 and
// nothing is written.
func (s *Service) StartRun(ctx context.Context, tenant industrydata.TenantID, processID string) (industrydata.Run, industrydata.Operation, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	now := s.now()
	run := industrydata.Run{ID: uuid.NewString(), StartDateTime: now, Status: industrydata.RunRunning}
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               schema.LongRunningOperation.FullName(),
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	err := s.store.StartRun(ctx, tenant, processID, &run, &op, func(p industrydata.Process, inProgress bool) error {
		if p.ReadinessStatus != industrydata.ReadinessReady {
			return industrydata.Errorf(industrydata.CodeConflict,
				"The process '%s' is not ready (its readinessStatus is '%s'); only a ready process can run.",
				clip(processID), p.ReadinessStatus)
		}
		if inProgress {
			return errRunInProgress(processID)
		}
		run.DisplayName = p.DisplayName
		return nil
	})
	if errors.Is(err, industrydata.ErrDuplicate) {
		// The store's own guard: another start won between our check and
		// the insert.
		err = errRunInProgress(processID)
	}
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, notFound(err, processKind, processID)
	}
	if s.runStarted != nil {
		s.runStarted()
	}
	return run, op, nil
}

// StartAllRuns is published Graph's runs/start action (SPEC §4): it starts a
// run of the tenant's ready process and returns it with the operation that
// tracks it. A tenant has one process, its userReportRefreshProcess (a
// system process: one per tenant, and no other process type exists), so
// the one operation tracks the one run. 409 when there is no ready process
// or it already runs; nothing is written then.
func (s *Service) StartAllRuns(ctx context.Context, tenant industrydata.TenantID) (industrydata.Run, industrydata.Operation, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	procs, err := s.store.ListProcesses(ctx, tenant, industrydata.ListQuery{Limit: 2})
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	if len(procs) > 1 {
		// The store keeps one system process per tenant; a second process
		// type would need an operation that follows several runs.
		return industrydata.Run{}, industrydata.Operation{}, errors.New("start runs: more than one process per tenant is not supported")
	}
	if len(procs) == 0 {
		return industrydata.Run{}, industrydata.Operation{}, industrydata.Errorf(industrydata.CodeConflict,
			"The tenant has no process to run; create its userReportRefreshProcess first.")
	}
	return s.StartRun(ctx, tenant, procs[0].ID)
}

func errRunInProgress(processID string) error {
	return industrydata.Errorf(industrydata.CodeConflict,
		"The process '%s' already has a run in progress; start another once it has ended.", clip(processID))
}

// GetRun returns one run of the tenant.
func (s *Service) GetRun(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Run, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return industrydata.Run{}, err
	}
	r, err := s.store.GetRun(ctx, tenant, id)
	return r, notFound(err, runKind, id)
}

// ListRuns returns one page of the tenant's runs, or of one process's runs
// when processID is set (404 when the process does not exist), newest first
// unless $orderby says otherwise (see DefaultOrder).
func (s *Service) ListRuns(ctx context.Context, tenant industrydata.TenantID, processID string, req ListRequest) (Page[industrydata.Run], error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return Page[industrydata.Run]{}, err
	}
	if processID != "" {
		if _, err := s.store.GetProcess(ctx, tenant, processID); err != nil {
			return Page[industrydata.Run]{}, notFound(err, processKind, processID)
		}
	}
	DefaultOrder(req.Query)
	lq, limit := req.storeQuery("")
	lq.ProcessID = processID
	return listPage(ctx, tenant, req.Query, lq, limit, s.store.ListRuns, s.store.CountRuns,
		func(r *industrydata.Run) int64 { return r.Seq })
}

// RecentRuns returns the runs $expand=runs shows for each of the tenant's
// processIDs: its MaxExpandedRuns newest, newest first; a process without
// runs has no entry.
func (s *Service) RecentRuns(ctx context.Context, tenant industrydata.TenantID, processIDs []string) (map[string][]industrydata.Run, error) {
	if err := s.EnsureTenant(ctx, tenant); err != nil {
		return nil, err
	}
	return s.store.RecentRuns(ctx, tenant, processIDs, MaxExpandedRuns)
}
