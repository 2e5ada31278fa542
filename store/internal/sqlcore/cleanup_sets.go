package sqlcore

import (
	"industrydata"
)

// The validated sets of data connectors that were deleted
// (industrydata.CleanupValidatedSets). A connector an inbound flow refers
// to cannot be deleted, so no flow will import such a set; a validation
// in progress of the connector may still write it, so its set waits for
// the job's end. The bytes are those of the set's contents that no other
// set or flow file holds and whose upload session is gone: what the
// release deletes (a content of a session still there goes with it).
const (
	setsSweepable = `FROM (SELECT DISTINCT v.tenant, v.connector_id FROM upload_validated v
		WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.tenant = v.tenant AND r.set_name = 'dataConnectors' AND r.id = v.connector_id)
		AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = v.tenant AND j.kind = 'validation' AND j.subject = v.connector_id)) s`
	setBytes = `(SELECT coalesce(sum(c.size), 0) FROM upload_validated v JOIN upload_contents c ON c.seq = v.content
		WHERE v.tenant = s.tenant AND v.connector_id = s.connector_id
		AND NOT EXISTS (SELECT 1 FROM upload_validated o WHERE o.content = c.seq
			AND (o.tenant <> v.tenant OR o.connector_id <> v.connector_id))
		AND NOT EXISTS (SELECT 1 FROM flow_files f WHERE f.content = c.seq)
		AND NOT EXISTS (SELECT 1 FROM upload_containers k WHERE k.seq = c.container))`
	qCountValidatedSets = `SELECT count(*), coalesce(sum(bytes), 0) FROM (SELECT ` + setBytes + ` AS bytes ` + setsSweepable + `) x`
	qSweepValidatedSets = `SELECT s.tenant, s.connector_id, ` + setBytes + ` ` + setsSweepable +
		` ORDER BY s.tenant, s.connector_id LIMIT ?1`
)

// sweepValidatedSets drops a batch of the validated sets of deleted
// connectors, as a new validated set drops the one before.
func (s *Store) sweepValidatedSets(tx Tx, limit int, out *industrydata.Swept) error {
	type set struct {
		tenant, connector string
		bytes             int64
	}
	var batch []set
	err := tx.Each(qSweepValidatedSets, []any{limit}, func(r Scanner) error {
		var x set
		err := r.Scan(&x.tenant, &x.connector, &x.bytes)
		batch = append(batch, x)
		return err
	})
	if err != nil {
		return err
	}
	for _, x := range batch {
		if err := s.setValidatedFiles(tx, industrydata.TenantID(x.tenant), x.connector, nil); err != nil {
			return err
		}
		out.Add(industrydata.Swept{Rows: 1, Bytes: x.bytes})
	}
	return nil
}
