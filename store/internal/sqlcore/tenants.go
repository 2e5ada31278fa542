package sqlcore

import (
	"context"

	"industrydata"
	"industrydata/schema"
)

const qInsertTenant = `INSERT INTO tenants (id, provisioned_ticks) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`

// ProvisionTenant, the first time it is called for a tenant, records the
// tenant and inserts processes (with fresh ETags and seqs) in the same
// transaction, and returns true. Later calls change nothing and return false,
// so a process the tenant deleted is never provisioned again. The processes
// slice is only read: callers may share one template between tenants. The
// first call appends a create record for each process, with the actor of
// ctx (the service marks it a system write).
func (s *Store) ProvisionTenant(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, processes []industrydata.Process) (bool, error) {
	// Everything that can be computed outside the write is, to keep it
	// short.
	_, nowTicks, err := encodeTime("provisioned", s.clock.Now())
	if err != nil {
		return false, s.errorf("provision tenant %s: %w", tenant, err)
	}
	rows := make([]industrydata.Process, len(processes))
	recs := make([]industrydata.AuditRecord, len(processes))
	created := make([]int64, len(processes))
	for i, p := range processes {
		if p.CreatedAt, created[i], err = encodeTime("createdAt", p.CreatedAt); err != nil {
			return false, s.errorf("provision tenant %s: process %s: %w", tenant, p.ID, err)
		}
		p.ETag = newETag()
		rows[i] = p
		recs[i] = schema.Audit(industrydata.AuditCreate, nil, &rows[i])
	}

	var provisioned bool
	err = s.b.Write(ctx, func(tx Tx) error {
		res, err := tx.Exec(qInsertTenant, string(tenant), nowTicks)
		if err != nil {
			return s.errorf("provision tenant %s: %w", tenant, s.translate(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return s.errorf("provision tenant %s: %w", tenant, err)
		}
		if n == 0 {
			return nil // provisioned before
		}
		for i := range rows {
			if _, err := s.insertProcess(tx, tenant, &rows[i], created[i]); err != nil {
				return s.errorf("provision tenant %s: %w", tenant, err)
			}
		}
		provisioned = true
		return s.audit(tx, tenant, actor, recs...)
	})
	if err != nil {
		return false, err
	}
	return provisioned, nil
}
