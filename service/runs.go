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

// StartRun starts a run of the tenant's process and returns it with the
// longRunningOperation that tracks it (SPEC §4): the run running since now,
// named after the process, and the operation notStarted, created now. The
// process must be ready, and have no run in progress; otherwise 409 and
// nothing is written.
func (t *Tenant) StartRun(ctx context.Context, processID string) (industrydata.Run, industrydata.Operation, error) {
	now := t.s.now()
	run := industrydata.Run{ID: uuid.NewString(), StartDateTime: now, Status: industrydata.RunRunning}
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               schema.LongRunningOperation.FullName(),
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	err := t.s.store.StartRun(ctx, t.id, t.actor, processID, &run, &op, func(p industrydata.Process, inProgress bool) error {
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
	if t.s.opts.JobQueued != nil {
		t.s.opts.JobQueued()
	}
	return run, op, nil
}

// StartAllRuns is published Graph's runs/start action (SPEC §4): it starts a
// run of the tenant's ready process and returns it with the operation that
// tracks it. A tenant has one process, its userReportRefreshProcess (a
// system process: one per tenant, and no other process type exists), so
// the one operation tracks the one run. 409 when there is no ready process
// or it already runs; nothing is written then.
func (t *Tenant) StartAllRuns(ctx context.Context) (industrydata.Run, industrydata.Operation, error) {
	procs, err := t.s.store.ListProcesses(ctx, t.id, industrydata.ListQuery{Limit: 2})
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
	return t.StartRun(ctx, procs[0].ID)
}

func errRunInProgress(processID string) error {
	return industrydata.Errorf(industrydata.CodeConflict,
		"The process '%s' already has a run in progress; start another once it has ended.", clip(processID))
}

// GetRun returns one run of the tenant.
func (t *Tenant) GetRun(ctx context.Context, id string) (industrydata.Run, error) {
	r, err := t.s.store.GetRun(ctx, t.id, id)
	return r, notFound(err, runKind, id)
}

// ListRuns returns the page of the tenant's runs q selects, or of one
// process's runs when processID is set (404 when the process does not
// exist), newest first unless $orderby says otherwise (defaultOrder).
func (t *Tenant) ListRuns(ctx context.Context, processID string, q *odata.Query) (Page[industrydata.Run], error) {
	pg, err := t.runs(ctx, processID)
	if err != nil {
		return Page[industrydata.Run]{}, err
	}
	return pg.page(ctx, q, DefaultPageSize)
}

// CountRuns is the number of the tenant's runs, or of one process's runs
// when processID is set (404 when the process does not exist), that q's
// $filter selects.
func (t *Tenant) CountRuns(ctx context.Context, processID string, q *odata.Query) (int64, error) {
	pg, err := t.runs(ctx, processID)
	if err != nil {
		return 0, err
	}
	return pg.total(ctx, q)
}

// runs is the pager of the tenant's runs, or of processID's.
func (t *Tenant) runs(ctx context.Context, processID string) (pager[industrydata.Run], error) {
	if processID != "" {
		if _, err := t.s.store.GetProcess(ctx, t.id, processID); err != nil {
			return pager[industrydata.Run]{}, notFound(err, processKind, processID)
		}
	}
	return pager[industrydata.Run]{t: t, list: t.s.store.ListRuns, count: t.s.store.CountRuns,
		seq: func(r *industrydata.Run) int64 { return r.Seq }, processID: processID}, nil
}

// RecentRuns returns the runs $expand=runs shows for each of the tenant's
// processIDs: its MaxExpandedRuns newest, newest first; a process without
// runs has no entry.
func (t *Tenant) RecentRuns(ctx context.Context, processIDs []string) (map[string][]industrydata.Run, error) {
	return t.s.store.RecentRuns(ctx, t.id, processIDs, MaxExpandedRuns)
}
