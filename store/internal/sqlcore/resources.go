package sqlcore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"industrydata"
	"industrydata/schema"
)

const (
	// resourceSelect reads a resource as one row per reference (one row
	// with NULL reference columns when it has none), so that a resource
	// and its references come from one statement, hence one snapshot.
	resourceSelect = `SELECT r.seq, r.id, r.type, r.etag, r.doc, f.property, f.to_set, f.to_id
	FROM resources r LEFT JOIN resource_refs f
	ON f.tenant = r.tenant AND f.from_set = r.set_name AND f.from_id = r.id`
	// qGetResource and qScanResources end in the refs' insertion order,
	// the dialect's RowOrder (s.q.getResource, s.q.scanResources). The
	// outer loop of a scan walks resources_tenant_set_seq and the inner one
	// resource_refs_from, so the rows come in this order with no sort: a
	// sort would hold every document of the set at once.
	qGetResource = resourceSelect + ` WHERE r.tenant = ? AND r.set_name = ? AND r.id = ?
	ORDER BY f.property, f.`
	qScanResources = resourceSelect + ` WHERE r.tenant = ? AND r.set_name = ?
	ORDER BY r.seq, f.property, f.`
	qLockResource = `SELECT 1 FROM resources WHERE tenant = ? AND set_name = ? AND id = ?`

	qCountResources = `SELECT count(*) FROM resources WHERE tenant = ? AND set_name = ?`
	qResourceExists = `SELECT 1 FROM resources WHERE tenant = ? AND set_name = ? AND id = ?`
	qInsertResource = `INSERT INTO resources (tenant, set_name, id, type, etag, doc) VALUES (?, ?, ?, ?, ?, ?)`
	qUpdateResource = `UPDATE resources SET type = ?, etag = ?, doc = ? WHERE seq = ?`
	qDeleteResource = `DELETE FROM resources WHERE seq = ?`
	qInsertRef      = `INSERT INTO resource_refs (tenant, from_set, from_id, property, to_set, to_id) VALUES (?, ?, ?, ?, ?, ?)`
	qDeleteRefs     = `DELETE FROM resource_refs WHERE tenant = ? AND from_set = ? AND from_id = ?`
	// A reference of the resource to itself does not keep it: deleting it
	// deletes that reference too.
	qReferrer = `SELECT from_set, from_id, property FROM resource_refs
	WHERE tenant = ? AND to_set = ? AND to_id = ? AND NOT (from_set = ? AND from_id = ?) LIMIT 1`
)

// setInboundFlows is the set of inbound flows, whose data (flows.go) the
// store deletes with them.
const setInboundFlows = "inboundFlows"

// readResources reads the rows of resourceSelect, whose resources' rows
// are consecutive, and calls fn with each resource of set in turn, a new
// one each time. fn's error is returned as it is.
func (s *Store) readResources(each func(func(Scanner) error) error, set string, fn func(*industrydata.Resource) error) error {
	var cur *industrydata.Resource
	err := each(func(row Scanner) error {
		var (
			seq            int64
			id, typ, etag  string
			doc            []byte // copied once per resource, not once per row
			prop, to, toID sql.NullString
		)
		if err := row.Scan(&seq, &id, &typ, &etag, s.d.RawBytes(&doc), &prop, &to, &toID); err != nil {
			return err
		}
		if cur == nil || cur.Seq != seq {
			if cur != nil {
				if err := fn(cur); err != nil {
					return err
				}
			}
			d := make([]byte, len(doc))
			copy(d, doc)
			cur = &industrydata.Resource{Set: set, ID: id, Type: typ, ETag: etag, Seq: seq, Doc: d}
		}
		if prop.Valid {
			cur.Refs = append(cur.Refs, industrydata.Ref{Property: prop.String, Set: to.String, ID: toID.String})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cur != nil {
		return fn(cur)
	}
	return nil
}

// oneResource reads the rows of qGetResource: the resource, or
// s.d.NoRows.
func (s *Store) oneResource(each func(func(Scanner) error) error, set string) (industrydata.Resource, error) {
	var out *industrydata.Resource
	err := s.readResources(each, set, func(r *industrydata.Resource) error { out = r; return nil })
	if err == nil && out == nil {
		err = s.d.NoRows
	}
	if err != nil {
		return industrydata.Resource{}, err
	}
	return *out, nil
}

// loadResource reads the tenant's resource inside tx, locked until tx
// ends where the dialect locks rows.
func (s *Store) loadResource(tx Tx, tenant industrydata.TenantID, set, id string) (industrydata.Resource, error) {
	if s.d.ForUpdate != "" {
		var one int
		if err := tx.QueryRow(s.q.lockResource, string(tenant), set, id).Scan(&one); err != nil {
			return industrydata.Resource{}, err
		}
	}
	return s.oneResource(func(fn func(Scanner) error) error {
		return tx.Each(s.q.getResource, []any{string(tenant), set, id}, fn)
	}, set)
}

// sortRefs returns a copy of refs in the order reads return them: by
// property, and as given within one.
func sortRefs(refs []industrydata.Ref) []industrydata.Ref {
	out := slices.Clone(refs)
	slices.SortStableFunc(out, func(a, b industrydata.Ref) int { return strings.Compare(a.Property, b.Property) })
	return out
}

// putRefs checks that every reference of r names a resource of the tenant,
// in the order given so that the error names the first that does not, and
// stores them, inside tx; r's own references must not be stored yet. Reads
// return them by property and, within one, in this order (the rowid's).
func (s *Store) putRefs(tx Tx, tenant industrydata.TenantID, r *industrydata.Resource) error {
	for _, ref := range r.Refs {
		var one int
		if err := tx.QueryRow(s.q.resourceExists, string(tenant), ref.Set, ref.ID).Scan(&one); err != nil {
			if errors.Is(err, s.d.NoRows) {
				return &industrydata.MissingReferenceError{Ref: ref}
			}
			return err
		}
		if _, err := tx.Exec(qInsertRef, string(tenant), r.Set, r.ID, ref.Property, ref.Set, ref.ID); err != nil {
			return err
		}
	}
	return nil
}

// auditResource appends the record of a write of one resource.
func (s *Store) auditResource(tx Tx, tenant industrydata.TenantID, actor industrydata.Actor,
	action industrydata.AuditAction, before, after *industrydata.Resource) error {
	r := after
	if r == nil {
		r = before
	}
	return s.audit(tx, tenant, actor, industrydata.AuditRecord{Action: action, EntityType: r.Type, EntityID: r.ID,
		Changes: schema.ResourceChanges(before, after)})
}

// CreateResource inserts r, assigning r.ETag and r.Seq, and leaves r.Refs
// in the order reads return them (see sortRefs). The quota, the id and
// the references are checked in that order, in the write's transaction;
// the row goes in before its references are checked, so a reference to
// itself is one to an existing resource, as it is on update.
func (s *Store) CreateResource(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, r *industrydata.Resource, limit int) error {
	if r == nil {
		return s.errorf("create resource: nil resource")
	}
	next := *r
	next.ETag = newETag()
	if next.Doc == nil {
		next.Doc = []byte{} // doc is NOT NULL
	}
	err := s.b.Write(ctx, func(tx Tx) error {
		if limit > 0 {
			// Creates in one set of a tenant count one after the other.
			if err := tx.Lock("quota", string(tenant)+"/"+next.Set); err != nil {
				return s.errorf("create resource %s/%s: %w", next.Set, next.ID, err)
			}
			var n int
			if err := tx.QueryRow(qCountResources, string(tenant), next.Set).Scan(&n); err != nil {
				return s.errorf("create resource %s/%s: %w", next.Set, next.ID, err)
			}
			if n >= limit {
				return industrydata.ErrQuota
			}
		}
		var err error
		next.Seq, err = tx.Insert(qInsertResource, string(tenant), next.Set, next.ID, next.Type, next.ETag, next.Doc)
		if err != nil {
			return s.errorf("create resource %s/%s: %w", next.Set, next.ID, s.translate(err))
		}
		if err := s.putRefs(tx, tenant, &next); err != nil {
			return s.wrapResourceErr("create", &next, err)
		}
		next.Refs = sortRefs(r.Refs)
		return s.auditResource(tx, tenant, actor, industrydata.AuditCreate, nil, &next)
	})
	if err != nil {
		return err
	}
	*r = next
	return nil
}

// wrapResourceErr leaves a *MissingReferenceError as it is, for the
// service to answer with, and names the resource on any other error.
func (s *Store) wrapResourceErr(op string, r *industrydata.Resource, err error) error {
	var missing *industrydata.MissingReferenceError
	if errors.As(err, &missing) {
		return err
	}
	return s.errorf("%s resource %s/%s: %w", op, r.Set, r.ID, err)
}

// GetResource returns the tenant's resource, its Refs by property, or
// ErrNotFound.
func (s *Store) GetResource(ctx context.Context, tenant industrydata.TenantID, set, id string) (industrydata.Resource, error) {
	r, err := s.oneResource(func(fn func(Scanner) error) error {
		return s.b.Each(ctx, s.q.getResource, []any{string(tenant), set, id}, fn)
	}, set)
	if err == nil {
		return r, nil
	}
	return industrydata.Resource{}, s.errorf("get resource %s/%s: %w", set, id, s.translate(err))
}

// ScanResources calls fn with each of the tenant's resources in set, in
// seq order, as one statement reads them: one snapshot, streamed. The
// statement holds its read transaction until the scan ends, so with a
// memory database (where readers block the writer) fn must not wait for
// a write.
func (s *Store) ScanResources(ctx context.Context, tenant industrydata.TenantID, set string, fn func(*industrydata.Resource) error) error {
	var fnErr error
	err := s.readResources(func(fn func(Scanner) error) error {
		return s.b.Each(ctx, s.q.scanResources, []any{string(tenant), set}, fn)
	}, set, func(r *industrydata.Resource) error {
		fnErr = fn(r)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return s.errorf("scan resources %s: %w", set, err)
	}
	return nil
}

// UpdateResource loads the resource, lets apply change a copy and, when
// apply returns nil, stores its Type, Doc and Refs with a new ETag, all in
// one transaction. Changes to the identity (Set, ID, Seq) are ignored.
func (s *Store) UpdateResource(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, set, id string, apply func(*industrydata.Resource) error) (industrydata.Resource, error) {
	if apply == nil {
		return industrydata.Resource{}, s.errorf("update resource: nil apply")
	}
	var out industrydata.Resource
	err := s.b.Write(ctx, func(tx Tx) error {
		cur, err := s.loadResource(tx, tenant, set, id)
		if err != nil {
			return s.errorf("update resource %s/%s: %w", set, id, s.translate(err))
		}
		// apply gets its own Doc and Refs, so cur stays the audit's before.
		next := cur
		next.Doc, next.Refs = bytes.Clone(cur.Doc), slices.Clone(cur.Refs)
		if err := apply(&next); err != nil {
			return err
		}
		next.Set, next.ID, next.Seq, next.ETag = cur.Set, cur.ID, cur.Seq, newETag()
		if next.Doc == nil {
			next.Doc = []byte{}
		}
		if _, err := tx.Exec(qUpdateResource, next.Type, next.ETag, next.Doc, next.Seq); err != nil {
			return s.errorf("update resource %s/%s: %w", set, id, s.translate(err))
		}
		if _, err := tx.Exec(qDeleteRefs, string(tenant), set, id); err != nil {
			return s.errorf("update resource %s/%s: %w", set, id, err)
		}
		if err := s.putRefs(tx, tenant, &next); err != nil {
			return s.wrapResourceErr("update", &next, err)
		}
		next.Refs = sortRefs(next.Refs)
		if err := s.auditResource(tx, tenant, actor, industrydata.AuditUpdate, &cur, &next); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return industrydata.Resource{}, err
	}
	return out, nil
}

// DeleteResource loads the resource, calls check (which may be nil) and,
// when it returns nil and no other resource refers to it, deletes it and
// its references, in one transaction; an inbound flow's data goes with it
// (see flows.go). check's error is returned unchanged.
func (s *Store) DeleteResource(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, set, id string, check func(industrydata.Resource) error) error {
	return s.b.Write(ctx, func(tx Tx) error {
		cur, err := s.loadResource(tx, tenant, set, id)
		if err != nil {
			return s.errorf("delete resource %s/%s: %w", set, id, s.translate(err))
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		var by industrydata.ReferencedError
		err = tx.QueryRow(qReferrer, string(tenant), set, id, set, id).Scan(&by.Set, &by.ID, &by.Property)
		if err == nil {
			return &by
		}
		if !errors.Is(err, s.d.NoRows) {
			return s.errorf("delete resource %s/%s: %w", set, id, err)
		}
		if _, err := tx.Exec(qDeleteResource, cur.Seq); err != nil {
			return s.errorf("delete resource %s/%s: %w", set, id, err)
		}
		if _, err := tx.Exec(qDeleteRefs, string(tenant), set, id); err != nil {
			return s.errorf("delete resource %s/%s: %w", set, id, err)
		}
		if set == setInboundFlows {
			if err := s.dropFlowData(tx, tenant, id); err != nil {
				return s.errorf("delete resource %s/%s: %w", set, id, err)
			}
		}
		return s.auditResource(tx, tenant, actor, industrydata.AuditDelete, &cur, nil)
	})
}
