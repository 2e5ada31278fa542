package sqlcore

import (
	"context"
	"database/sql"

	"industrydata"
	"industrydata/schema"
	"industrydata/store/internal/sqlq"
)

const processColumns = `seq, id, type, etag, display_name, readiness_status, created_ticks`

const (
	qInsertProcess = `INSERT INTO processes
	(tenant, id, type, etag, display_name, readiness_status, created_ticks, singleton_key)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qGetProcess = `SELECT ` + processColumns + ` FROM processes WHERE tenant = ? AND id = ?`
	// The identity columns (tenant, id, seq) are not in the SET list, so
	// the indexes on them are left untouched.
	qUpdateProcess = `UPDATE processes SET
	type = ?, etag = ?, display_name = ?, readiness_status = ?, created_ticks = ?, singleton_key = ?
	WHERE seq = ?`
	qDeleteProcess = `DELETE FROM processes WHERE seq = ?`
)

// processesTable is what sqlq needs to list and count processes. The eTag is
// a concurrency token, not something to filter or sort on.
var processesTable = &sqlq.Table{
	Name:   "processes",
	Select: processColumns,
	Scope:  "processes.tenant",
	Type:   "processes.type",
	Seq:    "processes.seq",
	Columns: sqlq.Columns{
		"id":              {SQL: "processes.id", Kind: schema.String},
		"displayName":     {SQL: "processes.display_name", Kind: schema.String},
		"readinessStatus": {SQL: "processes.readiness_status", Kind: schema.Enum},
	},
}

// scanProcess reads one row of processColumns.
func scanProcess(r Scanner) (industrydata.Process, error) {
	var (
		p         industrydata.Process
		readiness string
		created   int64
	)
	if err := r.Scan(&p.Seq, &p.ID, &p.Type, &p.ETag, &p.DisplayName, &readiness, &created); err != nil {
		return industrydata.Process{}, err
	}
	p.ReadinessStatus = industrydata.ReadinessStatus(readiness)
	p.CreatedAt = industrydata.FromTicks(created)
	return p, nil
}

// singletonKey is the value of processes.singleton_key: the type name of a
// system process, whose UNIQUE (tenant, singleton_key) allows one per
// tenant, and NULL for any other process.
func singletonKey(typeName string) sql.NullString {
	if industrydata.IsSystemProcessType(typeName) {
		return sql.NullString{String: typeName, Valid: true}
	}
	return sql.NullString{}
}

// insertProcess inserts p, whose CreatedAt is already normalized and ETag
// set, and returns its seq.
func (s *Store) insertProcess(tx Tx, tenant industrydata.TenantID, p *industrydata.Process, created int64) (int64, error) {
	seq, err := tx.Insert(qInsertProcess, string(tenant), p.ID, p.Type, p.ETag, p.DisplayName,
		string(p.ReadinessStatus), created, singletonKey(p.Type))
	if err != nil {
		return 0, s.errorf("create process %s: %w", p.ID, s.translate(err))
	}
	return seq, nil
}

// CreateProcess inserts p, assigning p.ETag and p.Seq and normalizing
// p.CreatedAt to UTC whole ticks. A second process of a system type in the
// tenant, or an existing id, is ErrDuplicate.
func (s *Store) CreateProcess(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, p *industrydata.Process) error {
	if p == nil {
		return s.errorf("create process: nil process")
	}
	next := *p
	var created int64
	var err error
	if next.CreatedAt, created, err = encodeTime("createdAt", next.CreatedAt); err != nil {
		return s.errorf("create process %s: %w", p.ID, err)
	}
	next.ETag = newETag()
	rec := schema.Audit(industrydata.AuditCreate, nil, &next)
	err = s.b.Write(ctx, func(tx Tx) error {
		seq, err := s.insertProcess(tx, tenant, &next, created)
		if err != nil {
			return err
		}
		next.Seq = seq
		return s.audit(tx, tenant, actor, rec)
	})
	if err != nil {
		return err
	}
	*p = next
	return nil
}

// GetProcess returns the tenant's process id, or ErrNotFound.
func (s *Store) GetProcess(ctx context.Context, tenant industrydata.TenantID, id string) (industrydata.Process, error) {
	p, err := scanProcess(s.b.QueryRow(ctx, qGetProcess, string(tenant), id))
	if err != nil {
		return industrydata.Process{}, s.errorf("get process %s: %w", id, s.translate(err))
	}
	return p, nil
}

// ListProcesses returns the page of the tenant's processes q selects (see
// industrydata.ListQuery). A property that cannot be filtered or sorted on,
// or a cursor that does not fit q.OrderBy, is a badRequest.
func (s *Store) ListProcesses(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.Process, error) {
	return list(ctx, s, processesTable, string(tenant), q, scanProcess)
}

// CountProcesses counts the tenant's processes matching q.Filter and q.Type.
func (s *Store) CountProcesses(ctx context.Context, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
	return s.count(ctx, processesTable, string(tenant), q)
}

// UpdateProcess loads the process, lets apply change a copy and, when apply
// returns nil, stores every field with a new ETag, all in one transaction.
// apply's error is returned unchanged and changes nothing. Changing the type
// into a system type the tenant already has is ErrDuplicate. The identity
// (ID, Seq) cannot be changed: apply's changes to it are ignored.
func (s *Store) UpdateProcess(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, apply func(*industrydata.Process) error) (industrydata.Process, error) {
	if apply == nil {
		return industrydata.Process{}, s.errorf("update process: nil apply")
	}
	var out industrydata.Process
	err := s.b.Write(ctx, func(tx Tx) error {
		cur, err := scanProcess(tx.QueryRow(s.q.lockProcess, string(tenant), id))
		if err != nil {
			return s.errorf("update process %s: %w", id, s.translate(err))
		}
		next := cur
		if err := apply(&next); err != nil {
			return err
		}
		next.ID, next.Seq, next.ETag = cur.ID, cur.Seq, newETag()
		var created int64
		if next.CreatedAt, created, err = encodeTime("createdAt", next.CreatedAt); err != nil {
			return s.errorf("update process %s: %w", id, err)
		}
		if _, err := tx.Exec(qUpdateProcess, next.Type, next.ETag, next.DisplayName,
			string(next.ReadinessStatus), created, singletonKey(next.Type), next.Seq); err != nil {
			return s.errorf("update process %s: %w", id, s.translate(err))
		}
		if err := s.audit(tx, tenant, actor, schema.Audit(industrydata.AuditUpdate, &cur, &next)); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return industrydata.Process{}, err
	}
	return out, nil
}

// DeleteProcess loads the process, learns whether it has a run in progress
// and, when check (which may be nil) returns nil, deletes the process, its
// runs with their activities (which cascade), user reports and report
// entries, and the flow files its run in progress pinned, in one
// transaction. check's error is returned
// unchanged. It appends a delete record for the process and then one for
// each of its runs.
func (s *Store) DeleteProcess(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, id string, check func(p industrydata.Process, runInProgress bool) error) error {
	return s.b.Write(ctx, func(tx Tx) error {
		cur, err := scanProcess(tx.QueryRow(s.q.lockProcess, string(tenant), id))
		if err != nil {
			return s.errorf("delete process %s: %w", id, s.translate(err))
		}
		if check != nil {
			running, err := s.processRunning(tx, tenant, id)
			if err != nil {
				return s.errorf("delete process %s: %w", id, err)
			}
			if err := check(cur, running); err != nil {
				return err
			}
		}
		runs, err := s.processRuns(tx, tenant, id)
		if err != nil {
			return s.errorf("delete process %s: runs: %w", id, err)
		}
		// The pins first, while the runs that pinned them are there to
		// find; the flows keep their current data.
		if err := s.dropFiles(tx, qDropProcessPins, string(tenant), id); err != nil {
			return s.errorf("delete process %s: pinned flow files: %w", id, err)
		}
		for _, q := range []struct{ what, sql string }{
			{"user reports", qDeleteProcessReports},
			{"report entries", qDeleteProcessEntries},
			{"runs", qDeleteProcessRuns},
			{"jobs", qDeleteProcessJobs},
		} {
			if _, err := tx.Exec(q.sql, string(tenant), id); err != nil {
				return s.errorf("delete process %s: %s: %w", id, q.what, s.translate(err))
			}
		}
		if _, err := tx.Exec(qDeleteProcess, cur.Seq); err != nil {
			return s.errorf("delete process %s: %w", id, s.translate(err))
		}
		recs := make([]industrydata.AuditRecord, 0, 1+len(runs))
		recs = append(recs, schema.Audit(industrydata.AuditDelete, &cur, nil))
		for i := range runs {
			recs = append(recs, schema.Audit(industrydata.AuditDelete, &runs[i], nil))
		}
		return s.audit(tx, tenant, actor, recs...)
	})
}
