package service

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/tracing"
)

const runKind = "industryDataRun"

// MaxExpandedRuns is how many runs $expand=runs shows of each process: its
// newest. The full history is GET processes/{id}/runs, which pages.
const MaxExpandedRuns = 100

// StartRun starts a run of the tenant's process alone (SPEC §4, §12: the
// report from the current roster, no import) and returns it with the
// longRunningOperation that tracks it. The process must be ready, and the
// tenant have no run in progress; otherwise 409 and nothing is written.
func (t *Tenant) StartRun(ctx context.Context, processID string) (industrydata.Run, industrydata.Operation, error) {
	run, op := t.newRun(processID)
	err := t.startRun(ctx, &run, &op, nil, func(p *industrydata.Process) error {
		if p.ReadinessStatus != industrydata.ReadinessReady {
			return industrydata.Errorf(industrydata.CodeConflict,
				"The process '%s' is not ready (its readinessStatus is '%s'); only a ready process can run.",
				clip(processID), p.ReadinessStatus)
		}
		return nil
	})
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, notFound(err, processKind, processID)
	}
	return run, op, nil
}

// StartAllRuns is published Graph's runs/start action (SPEC §12): one run
// that imports, in order, every inbound flow of the tenant that is ready
// and whose window is open (the others are skipped activities saying why),
// and then runs the tenant's userReportRefreshProcess when it is ready.
// 409 when the tenant has a run in progress, or nothing to run (no flow
// and no ready process); nothing is written then.
func (t *Tenant) StartAllRuns(ctx context.Context) (industrydata.Run, industrydata.Operation, error) {
	flows, err := t.inboundFlows(ctx)
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	procs, err := t.s.store.ListProcesses(ctx, t.id, industrydata.ListQuery{Limit: 2})
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	if len(procs) > 1 {
		// The store keeps one system process per tenant; a second process
		// type would need a run that executes several.
		return industrydata.Run{}, industrydata.Operation{}, errors.New("start runs: more than one process per tenant is not supported")
	}
	processID := ""
	if len(procs) == 1 && procs[0].ReadinessStatus == industrydata.ReadinessReady {
		processID = procs[0].ID
	}
	if len(flows) == 0 && processID == "" {
		return industrydata.Run{}, industrydata.Operation{}, industrydata.Errorf(industrydata.CodeConflict,
			"The tenant has nothing to run: it has no inbound flow and no ready userReportRefreshProcess.")
	}
	run, op := t.newRun(processID)
	run.DisplayName = inboundFlowsRunName
	activities := planActivities(flows, run.StartDateTime)
	err = t.startRun(ctx, &run, &op, activities, func(p *industrydata.Process) error {
		if p.ReadinessStatus != industrydata.ReadinessReady {
			return industrydata.Errorf(industrydata.CodeConflict,
				"The process '%s' stopped being ready while the run was starting; start it again.", clip(processID))
		}
		return nil
	})
	if err != nil {
		return industrydata.Run{}, industrydata.Operation{}, err
	}
	return run, op, nil
}

// inboundFlowsRunName names a run of runs/start without a process to run.
const inboundFlowsRunName = "Inbound flows"

// newRun is a run of processID ("" for none) running since now, and its
// operation, notStarted.
func (t *Tenant) newRun(processID string) (industrydata.Run, industrydata.Operation) {
	now := t.s.now()
	run := industrydata.Run{ID: uuid.NewString(), ProcessID: processID, StartDateTime: now, Status: industrydata.RunRunning}
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               schema.LongRunningOperation.FullName(),
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	return run, op
}

// startRun stores run, its activities and op when the tenant has no run in
// progress and checkProcess accepts the run's process (when it has one),
// naming the run after the process; then it wakes the runner.
func (t *Tenant) startRun(ctx context.Context, run *industrydata.Run, op *industrydata.Operation, activities []industrydata.RunActivity, checkProcess func(p *industrydata.Process) error) error {
	codes, err := t.rosterCodes(ctx)
	if err != nil {
		return err
	}
	input := industrydata.RunInput{RosterCodes: codes, TraceParent: tracing.Traceparent(ctx)}
	err = t.s.store.StartRun(ctx, t.id, t.actor, run, op, activities, input.Encode(), func(p *industrydata.Process, inProgress bool) error {
		if p != nil {
			if err := checkProcess(p); err != nil {
				return err
			}
			run.DisplayName = p.DisplayName
		}
		if inProgress {
			return errRunInProgress()
		}
		return nil
	})
	if errors.Is(err, industrydata.ErrDuplicate) {
		// The store's own guard: another start won between our check and
		// the insert.
		err = errRunInProgress()
	}
	if err != nil {
		return err
	}
	if t.s.opts.JobQueued != nil {
		t.s.opts.JobQueued()
	}
	return nil
}

// inboundFlows returns the tenant's inbound flows, in creation order, with
// their readinessStatus.
func (t *Tenant) inboundFlows(ctx context.Context) ([]industrydata.InboundFlow, error) {
	set := inboundFlows.bind(t).(boundSet[industrydata.InboundFlow, *industrydata.InboundFlow])
	var out []industrydata.InboundFlow
	err := scanSet(ctx, t, set.name, set.source(), func(f *industrydata.InboundFlow) bool {
		out = append(out, *f)
		return false
	})
	return out, err
}

func errRunInProgress() error {
	return industrydata.Errorf(industrydata.CodeConflict,
		"The tenant already has a run in progress; start another once it has ended.")
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
