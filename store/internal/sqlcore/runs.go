package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

const runColumns = `seq, id, process_id, operation_id, etag, display_name, start_ticks, end_ticks, status, blocking_error`

const (
	qInsertRun = `INSERT INTO runs
	(tenant, id, process_id, operation_id, etag, display_name, start_ticks, end_ticks, status, blocking_error)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qGetRun = `SELECT ` + runColumns + ` FROM runs WHERE tenant = ? AND id = ?`
	// The status is spelled as a literal so that the planner matches these
	// to the partial index runs_one_in_progress. A process has a run in
	// progress when the tenant's one run in progress is of it: asked of
	// the process's runs, SQLite would walk its whole history instead.
	qTenantRunning     = `SELECT EXISTS (SELECT 1 FROM runs WHERE tenant = ? AND status = 'running')`
	qProcessRunning    = `SELECT coalesce((SELECT process_id = ?2 FROM runs WHERE tenant = ?1 AND status = 'running'), false)`
	qDeleteProcessRuns = `DELETE FROM runs WHERE tenant = ? AND process_id = ?`
	qDeleteProcessJobs = `DELETE FROM jobs WHERE tenant = ? AND kind = 'run' AND subject = ?`
	// The reports of a process's runs, and the entries of its runs, those
	// in progress included, deleted before the runs themselves.
	qDeleteProcessReports = `DELETE FROM user_reports WHERE report IN (
		SELECT seq FROM runs WHERE tenant = ? AND process_id = ?)`
	qDeleteProcessEntries = `DELETE FROM report_blocks WHERE report IN (
		SELECT seq FROM runs WHERE tenant = ? AND process_id = ?)`
)

// runsTable is what sqlq needs to list and count runs. blockingError is a
// complex value, which $filter and $orderby do not reach.
var runsTable = &sqlq.Table{
	Name:    "runs",
	Select:  runColumns,
	Scope:   "runs.tenant",
	Process: "runs.process_id",
	Seq:     "runs.seq",
	Columns: sqlq.Columns{
		"id":            {SQL: "runs.id", Kind: schema.String},
		"displayName":   {SQL: "runs.display_name", Kind: schema.String},
		"startDateTime": {SQL: "runs.start_ticks", Kind: schema.DateTimeOffset},
		"endDateTime":   {SQL: "runs.end_ticks", Kind: schema.DateTimeOffset, Nullable: true},
		"status":        {SQL: "runs.status", Kind: schema.Enum},
	},
}

// publicErrorJSON is the stored form of a publicError. details and
// innerError are omitted when empty, so rows written before they existed
// read the same.
type publicErrorJSON struct {
	Code       string                `json:"code"`
	Message    string                `json:"message"`
	Target     string                `json:"target,omitempty"`
	Details    []publicErrorDetail   `json:"details,omitempty"`
	InnerError *publicInnerErrorJSON `json:"innerError,omitempty"`
}

type publicErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

type publicInnerErrorJSON struct {
	Code    string              `json:"code"`
	Details []publicErrorDetail `json:"details,omitempty"`
	Message string              `json:"message"`
	Target  string              `json:"target,omitempty"`
}

func detailsJSON(ds []industrydata.PublicErrorDetail) []publicErrorDetail {
	var out []publicErrorDetail
	for _, d := range ds {
		out = append(out, publicErrorDetail(d))
	}
	return out
}

func detailsOf(ds []publicErrorDetail) []industrydata.PublicErrorDetail {
	var out []industrydata.PublicErrorDetail
	for _, d := range ds {
		out = append(out, industrydata.PublicErrorDetail(d))
	}
	return out
}

func toPublicErrorJSON(e *industrydata.PublicError) publicErrorJSON {
	j := publicErrorJSON{Code: e.Code, Message: e.Message, Target: e.Target, Details: detailsJSON(e.Details)}
	if ie := e.InnerError; ie != nil {
		j.InnerError = &publicInnerErrorJSON{Code: ie.Code, Details: detailsJSON(ie.Details), Message: ie.Message, Target: ie.Target}
	}
	return j
}

func (j publicErrorJSON) publicError() industrydata.PublicError {
	e := industrydata.PublicError{Code: j.Code, Message: j.Message, Target: j.Target, Details: detailsOf(j.Details)}
	if ie := j.InnerError; ie != nil {
		e.InnerError = &industrydata.PublicInnerError{Code: ie.Code, Details: detailsOf(ie.Details), Message: ie.Message, Target: ie.Target}
	}
	return e
}

func encodePublicError(e *industrydata.PublicError) (sql.NullString, error) {
	if e == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(toPublicErrorJSON(e))
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// scanRun reads one row of runColumns.
func scanRun(r Scanner) (industrydata.Run, error) {
	var (
		run      industrydata.Run
		start    int64
		end      sql.NullInt64
		status   string
		blocking sql.NullString
	)
	if err := r.Scan(&run.Seq, &run.ID, &run.ProcessID, &run.OperationID, &run.ETag, &run.DisplayName,
		&start, &end, &status, &blocking); err != nil {
		return industrydata.Run{}, err
	}
	run.StartDateTime = industrydata.FromTicks(start)
	if end.Valid {
		t := industrydata.FromTicks(end.Int64)
		run.EndDateTime = &t
	}
	run.Status = industrydata.IndustryDataRunStatus(status)
	if blocking.Valid {
		var e publicErrorJSON
		if err := json.Unmarshal([]byte(blocking.String), &e); err != nil {
			return industrydata.Run{}, fmt.Errorf("run %s: blocking_error: %w", run.ID, err)
		}
		pe := e.publicError()
		run.BlockingError = &pe
	}
	return run, nil
}

// processRunning reports whether the tenant's process has a run in progress.
func (s *Store) processRunning(tx Tx, tenant industrydata.TenantID, processID string) (bool, error) {
	var running bool
	if err := tx.QueryRow(qProcessRunning, string(tenant), processID).Scan(&running); err != nil {
		return false, err
	}
	return running, nil
}

// StartRun inserts a run in progress of the tenant, of its process
// run.ProcessID unless that is "", with its activities and its operation,
// in one transaction, when check allows it (see industrydata.RunStore).
// The run gets status running and no end or blockingError, whatever run
// held; its process is the one check was given, whatever check does to
// run.ProcessID. It appends a start record for the run and a create record
// for its operation; the activities, which only runs write, have none.
func (s *Store) StartRun(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, run *industrydata.Run, op *industrydata.Operation, activities []industrydata.RunActivity, payload []byte, check func(p *industrydata.Process, inProgress bool) error) error {
	if run == nil || op == nil {
		return s.errorf("start run: nil run or operation")
	}
	processID := run.ProcessID
	var (
		outRun  industrydata.Run
		outOp   industrydata.Operation
		outActs []industrydata.RunActivity
	)
	err := s.b.Write(ctx, func(tx Tx) error {
		var p *industrydata.Process
		if processID != "" {
			got, err := scanProcess(tx.QueryRow(s.q.shareProcess, string(tenant), processID))
			if err != nil {
				return s.errorf("start run of process %s: %w", processID, s.translate(err))
			}
			p = &got
		}
		// Starts in one tenant go one at a time, so that check learns of
		// the run another start just made.
		if err := tx.Lock("run", string(tenant)); err != nil {
			return s.errorf("start run: %w", s.translate(err))
		}
		var running bool
		if err := tx.QueryRow(qTenantRunning, string(tenant)).Scan(&running); err != nil {
			return s.errorf("start run: %w", err)
		}
		if check != nil {
			if err := check(p, running); err != nil {
				return err
			}
		}
		// Copied after check, which may have adjusted them.
		r, o := *run, *op
		if err := s.insertRun(tx, tenant, processID, &r, &o, payload); err != nil {
			return s.errorf("start run %s: %w", r.ID, err)
		}
		acts, err := s.insertActivities(tx, &r, activities)
		if err != nil {
			return s.errorf("start run %s: %w", r.ID, err)
		}
		if err := s.audit(tx, tenant, actor,
			schema.Audit(industrydata.AuditStart, nil, &r), schema.Audit(industrydata.AuditCreate, nil, &o)); err != nil {
			return err
		}
		outRun, outOp, outActs = r, o, acts
		return nil
	})
	if err != nil {
		return err
	}
	*run, *op = outRun, outOp
	copy(activities, outActs)
	return nil
}

// insertRun inserts op and then r, linked to each other, and queues r's
// job, assigning their ETags and Seqs and normalizing their timestamps.
func (s *Store) insertRun(tx Tx, tenant industrydata.TenantID, processID string, r *industrydata.Run, op *industrydata.Operation, payload []byte) error {
	opRow, err := encodeOperation(op)
	if err != nil {
		return err
	}
	var start int64
	if r.StartDateTime, start, err = encodeTime("startDateTime", r.StartDateTime); err != nil {
		return err
	}
	op.ETag = newETag()
	op.Seq, err = tx.Insert(qInsertOperation, string(tenant), op.ID, op.Type, op.ETag, opRow.created, opRow.lastAction,
		string(op.Status), toNullString(op.StatusDetail), toNullString(op.ResourceLocation), opRow.validation)
	if err != nil {
		return s.translate(err)
	}
	r.ProcessID, r.OperationID, r.ETag = processID, op.ID, newETag()
	r.Status, r.EndDateTime, r.BlockingError = industrydata.RunRunning, nil, nil
	r.Seq, err = tx.Insert(qInsertRun, string(tenant), r.ID, r.ProcessID, r.OperationID, r.ETag, r.DisplayName,
		start, sql.NullInt64{}, string(r.Status), sql.NullString{})
	if err != nil {
		return s.translate(err)
	}
	// The run in progress is a job of the queue.
	_, err = tx.Exec(qInsertJob, string(tenant), string(industrydata.JobRun), r.ID, processID, op.ID, payload)
	return s.translate(err)
}

// GetRun returns the tenant's run id, or ErrNotFound.
func (s *Store) GetRun(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Run, error) {
	r, err := scanRun(s.b.QueryRow(ctx, qGetRun, string(tenant), id))
	if err != nil {
		return industrydata.Run{}, s.errorf("get run %s: %w", id, s.translate(err))
	}
	return r, nil
}

// ListRuns returns the page of the tenant's runs q selects, of one process
// when q.ProcessID is set. A property that cannot be filtered or sorted on,
// or a cursor that does not fit q.OrderBy, is a badRequest.
func (s *Store) ListRuns(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Run, error) {
	return list(ctx, s, runsTable, string(tenant), q, scanRun)
}

// CountRuns counts the tenant's runs matching q.Filter and q.ProcessID.
func (s *Store) CountRuns(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
	return s.count(ctx, runsTable, string(tenant), q)
}

// RecentRuns returns the newest runs, at most perProcess each, of those of
// processIDs that have runs, in one query.
func (s *Store) RecentRuns(ctx context.Context, tenant industrydata.TenantID, processIDs []string, perProcess int) (map[string][]industrydata.Run, error) {
	out := make(map[string][]industrydata.Run)
	if len(processIDs) == 0 || perProcess <= 0 {
		return out, nil
	}
	ids, err := s.d.ProcessIDs(processIDs)
	if err != nil {
		return nil, s.errorf("recent runs: %w", err)
	}
	err = s.b.Each(ctx, s.d.RecentRuns, []any{string(tenant), ids, int64(perProcess)}, func(row Scanner) error {
		r, err := scanRun(row)
		if err != nil {
			return err
		}
		out[r.ProcessID] = append(out[r.ProcessID], r)
		return nil
	})
	if err != nil {
		return nil, s.errorf("recent runs: %w", err)
	}
	return out, nil
}
