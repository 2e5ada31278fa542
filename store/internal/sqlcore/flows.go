package sqlcore

import (
	"context"
	"database/sql"
	"fmt"

	"industrydata"
)

// The data of inbound flows (migration 00012, industrydata.FlowStore): an
// activity's import pins its connector's validated set as the flow's
// 'importing' files (flow_files), and its end makes them the flow's
// 'current' files, with what it counted (flow_data), or drops them. A
// file holds its content as a validated set does, so every write that
// drops files releases their contents (releaseContents, uploads.go) in its
// transaction.

const (
	// qPinValidated pins the validated set of connector ?5 as the files
	// activity ?4 of run ?3 imports for flow ?2.
	qPinValidated = `INSERT INTO flow_files (tenant, flow_id, run, activity, name, content, state)
	SELECT CAST(?1 AS text), CAST(?2 AS text), CAST(?3 AS bigint), CAST(?4 AS bigint), name, content, 'importing'
	FROM upload_validated WHERE tenant = ?1 AND connector_id = ?5`
	qActivityFiles = `SELECT f.name, c.id, c.size FROM flow_files f JOIN upload_contents c ON c.seq = f.content
	WHERE f.tenant = ? AND f.flow_id = ? AND f.run = ? AND f.activity = ? ORDER BY f.name`
	// The files an activity pinned: dropped, or made the flow's current
	// files.
	qDropActivityFiles = `DELETE FROM flow_files WHERE tenant = ? AND flow_id = ? AND run = ? AND activity = ?
	RETURNING content`
	qMakeCurrent = `UPDATE flow_files SET state = 'current'
	WHERE tenant = ? AND flow_id = ? AND run = ? AND activity = ? AND state = 'importing'`
	qDropCurrentFiles = `DELETE FROM flow_files WHERE tenant = ? AND flow_id = ? AND state = 'current'
	RETURNING content`
	qPutFlowData = `INSERT INTO flow_data (tenant, flow_id, run_id, imported_ticks, counts)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, flow_id) DO UPDATE SET run_id = excluded.run_id,
	imported_ticks = excluded.imported_ticks, counts = excluded.counts`
	// qFlowExists, with the dialect's key-share lock (s.q.flowExists),
	// keeps the flow from being deleted until the write that makes its
	// data current commits (its delete drops that data).
	qFlowExists = `SELECT 1 FROM resources WHERE tenant = ? AND set_name = 'inboundFlows' AND id = ?`
	// A deleted flow's files, pinned and current, and its data.
	qDropFlowFiles = `DELETE FROM flow_files WHERE tenant = ? AND flow_id = ? RETURNING content`
	qDropFlowData  = `DELETE FROM flow_data WHERE tenant = ? AND flow_id = ?`
	// The files runs pinned and never finished importing: of one run when
	// it ends, of a process's runs when they are deleted with it.
	qDropRunPins     = `DELETE FROM flow_files WHERE run = ? AND state = 'importing' RETURNING content`
	qDropProcessPins = `DELETE FROM flow_files WHERE state = 'importing' AND run IN (
		SELECT seq FROM runs WHERE tenant = ? AND process_id = ? AND status = 'running') RETURNING content`
	// qFlowData reads the current data of the tenant's flows, a row per
	// file (one with NULL file columns for a flow of none), the flows in
	// their creation order.
	qFlowData = `SELECT d.flow_id, d.run_id, d.imported_ticks, d.counts, f.name, c.id, c.size
	FROM flow_data d JOIN resources r ON r.tenant = d.tenant AND r.set_name = 'inboundFlows' AND r.id = d.flow_id
	LEFT JOIN flow_files f ON f.tenant = d.tenant AND f.flow_id = d.flow_id AND f.state = 'current'
	LEFT JOIN upload_contents c ON c.seq = f.content
	WHERE d.tenant = ? ORDER BY r.seq, f.name`
)

// deleteFiles runs query, a DELETE of flow files returning their
// contents, and returns the contents, for releaseContents once whatever
// else the write does is done.
func (s *Store) deleteFiles(tx Tx, query string, args ...any) ([]int64, error) {
	var contents []int64
	err := tx.Each(query, args, func(rows Scanner) error {
		var c int64
		err := rows.Scan(&c)
		contents = append(contents, c)
		return err
	})
	return contents, err
}

// dropFiles deletes flow files (see deleteFiles) and releases the
// contents nothing else holds.
func (s *Store) dropFiles(tx Tx, query string, args ...any) error {
	contents, err := s.deleteFiles(tx, query, args...)
	if err != nil {
		return err
	}
	return s.releaseContents(tx, contents)
}

// BeginImport pins the connector's validated set as the files activity
// activityID of c's run imports for flow flowID, in place of those an
// earlier attempt pinned, while c holds the run, and returns them by name.
// The activity must be the flow's, and in progress.
func (s *Store) BeginImport(ctx context.Context, c industrydata.JobClaim, activityID, flowID, connectorID string) ([]industrydata.ValidatedFile, error) {
	files := []industrydata.ValidatedFile{}
	err := s.b.Write(ctx, func(tx Tx) error {
		run, a, err := s.heldActivity(tx, c, activityID)
		if err != nil {
			return err
		}
		if a.flowID != flowID {
			return fmt.Errorf("the activity imports flow %s, not %s", a.flowID, flowID)
		}
		if a.status != industrydata.ActivityInProgress {
			return fmt.Errorf("the activity is %s already", a.status)
		}
		key := []any{string(c.Tenant), flowID, run, a.seq}
		// The old pins' contents are released once the new pins are in,
		// so that a content both hold stays.
		old, err := s.deleteFiles(tx, qDropActivityFiles, key...)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(qPinValidated, append(key, connectorID)...); err != nil {
			return err
		}
		if err := s.releaseContents(tx, old); err != nil {
			return err
		}
		files = files[:0]
		return tx.Each(qActivityFiles, key, func(rows Scanner) error {
			var f industrydata.ValidatedFile
			err := rows.Scan(&f.Name, &f.ContentID, &f.Size)
			files = append(files, f)
			return err
		})
	})
	if err != nil {
		return nil, s.errorf("begin import of activity %s of run %s: %w", activityID, c.ID, err)
	}
	return files, nil
}

// FinishActivity writes the outcome of activity activityID of c's run,
// which must be in progress, and makes the files BeginImport pinned the
// flow's current data (out.Imported, when the flow still exists) or drops
// them, in one transaction, while c holds the run.
func (s *Store) FinishActivity(ctx context.Context, c industrydata.JobClaim, activityID string, out industrydata.ActivityOutcome) error {
	if out.Status == industrydata.ActivityInProgress || out.Status == "" {
		return s.errorf("finish activity %s of run %s: status %q is not final", activityID, c.ID, out.Status)
	}
	blocking, err := encodePublicError(out.BlockingError)
	if err != nil {
		return s.errorf("finish activity %s of run %s: %w", activityID, c.ID, err)
	}
	_, imported, err := encodeTime("imported", s.clock.Now())
	if err != nil {
		return s.errorf("finish activity %s of run %s: %w", activityID, c.ID, err)
	}
	var counts industrydata.InboundCounts
	if out.Counts != nil {
		counts = *out.Counts
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		run, a, err := s.heldActivity(tx, c, activityID)
		if err != nil {
			return err
		}
		if a.status != industrydata.ActivityInProgress {
			return fmt.Errorf("the activity is %s already", a.status)
		}
		if _, err := tx.Exec(qFinishActivity, string(out.Status), blocking, encodeOptCounts(out.Counts), run, a.seq); err != nil {
			return err
		}
		key := []any{string(c.Tenant), a.flowID, run, a.seq}
		var exists bool
		if err := tx.QueryRow(s.q.flowExists, string(c.Tenant), a.flowID).Scan(&exists); err != nil {
			return err
		}
		if !out.Imported || !exists {
			return s.dropFiles(tx, qDropActivityFiles, key...)
		}
		// The contents of the files before are released once the new ones
		// are current, so that a content both hold stays.
		old, err := s.deleteFiles(tx, qDropCurrentFiles, string(c.Tenant), a.flowID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(qMakeCurrent, key...); err != nil {
			return err
		}
		if _, err := tx.Exec(qPutFlowData, string(c.Tenant), a.flowID, c.ID, imported, encodeCounts(counts)); err != nil {
			return err
		}
		return s.releaseContents(tx, old)
	})
	if err != nil {
		return s.errorf("finish activity %s of run %s: %w", activityID, c.ID, err)
	}
	return nil
}

// dropFlowData deletes, inside tx, the data of the tenant's flow flowID,
// current and pinned, and the contents nothing else holds: the flow is
// being deleted.
func (s *Store) dropFlowData(tx Tx, tenant industrydata.TenantID, flowID string) error {
	if err := s.dropFiles(tx, qDropFlowFiles, string(tenant), flowID); err != nil {
		return fmt.Errorf("files of flow %s: %w", flowID, err)
	}
	if _, err := tx.Exec(qDropFlowData, string(tenant), flowID); err != nil {
		return fmt.Errorf("data of flow %s: %w", flowID, err)
	}
	return nil
}

// FlowData returns the current data of the tenant's flows that have some,
// in the flows' creation order, each with its files by name, from one
// statement (one snapshot).
func (s *Store) FlowData(ctx context.Context, tenant industrydata.TenantID) ([]industrydata.FlowData, error) {
	out := []industrydata.FlowData{}
	err := s.b.Each(ctx, qFlowData, []any{string(tenant)}, func(row Scanner) error {
		var (
			d        industrydata.FlowData
			imported int64
			counts   string
			name, id sql.NullString
			size     sql.NullInt64
		)
		if err := row.Scan(&d.FlowID, &d.RunID, &imported, &counts, &name, &id, &size); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].FlowID != d.FlowID {
			var err error
			d.Imported = industrydata.FromTicks(imported)
			if d.Counts, err = decodeCounts(counts); err != nil {
				return fmt.Errorf("of %s: counts: %w", d.FlowID, err)
			}
			out = append(out, d)
		}
		if name.Valid {
			cur := &out[len(out)-1]
			cur.Files = append(cur.Files, industrydata.ValidatedFile{Name: name.String, ContentID: id.String, Size: size.Int64})
		}
		return nil
	})
	if err != nil {
		return nil, s.errorf("flow data: %w", err)
	}
	return out, nil
}
