package postgres

import (
	"github.com/jackc/pgx/v5"

	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	qGetResource = resourceSelect + ` WHERE r.tenant = ? AND r.set_name = ? AND r.id = ?
	ORDER BY f.property, f.seq`
	// qLockResource locks the resource a write changes or deletes (and so
	// waits for writes that lock it to refer to it) until the write commits.
	qLockResource = `SELECT 1 FROM resources WHERE tenant = ? AND set_name = ? AND id = ? FOR UPDATE`
	// The rows come in this order from a walk of resources_tenant_set_seq
	// and resource_refs_from, streamed: a sort would hold every document
	// of the set at once.
	qScanResources = resourceSelect + ` WHERE r.tenant = ? AND r.set_name = ?
	ORDER BY r.seq, f.property, f.seq`

	qCountResources = `SELECT count(*) FROM resources WHERE tenant = ? AND set_name = ?`
	// qResourceExists checks the target of a reference, and keeps it from
	// being deleted until the referring write commits.
	qResourceExists = `SELECT 1 FROM resources WHERE tenant = ? AND set_name = ? AND id = ? FOR KEY SHARE`
	qInsertResource = `INSERT INTO resources (tenant, set_name, id, type, etag, doc) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`
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
func readResources(rows pgx.Rows, set string, fn func(*industrydata.Resource) error) error {
	defer rows.Close()
	var cur *industrydata.Resource
	for rows.Next() {
		var (
			seq            int64
			id, typ, etag  string
			doc            []byte // copied once per resource, not once per row
			prop, to, toID sql.NullString
		)
		if err := rows.Scan(&seq, &id, &typ, &etag, &doc, &prop, &to, &toID); err != nil {
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
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur != nil {
		return fn(cur)
	}
	return nil
}

// oneResource reads the rows of qGetResource: the resource, or
// pgx.ErrNoRows.
func oneResource(rows pgx.Rows, set string) (industrydata.Resource, error) {
	var out *industrydata.Resource
	err := readResources(rows, set, func(r *industrydata.Resource) error { out = r; return nil })
	if err == nil && out == nil {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return industrydata.Resource{}, err
	}
	return *out, nil
}

// loadResource reads the tenant's resource inside tx, locked until tx
// ends.
func loadResource(tx *txn, tenant industrydata.TenantID, set, id string) (industrydata.Resource, error) {
	var one int
	if err := tx.QueryRow(qLockResource, string(tenant), set, id).Scan(&one); err != nil {
		return industrydata.Resource{}, err
	}
	rows, err := tx.tx.Query(tx.ctx, rebind(qGetResource), string(tenant), set, id)
	if err != nil {
		return industrydata.Resource{}, err
	}
	return oneResource(rows, set)
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
func putRefs(tx *txn, tenant industrydata.TenantID, r *industrydata.Resource) error {
	for _, ref := range r.Refs {
		var one int
		if err := tx.QueryRow(qResourceExists, string(tenant), ref.Set, ref.ID).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
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
func (s *Store) auditResource(tx *txn, tenant industrydata.TenantID, actor industrydata.Actor,
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
		return errors.New("postgres: create resource: nil resource")
	}
	next := *r
	next.ETag = newETag()
	if next.Doc == nil {
		next.Doc = []byte{} // doc is NOT NULL
	}
	err := s.write(ctx, func(tx *txn) error {
		if limit > 0 {
			// Creates in one set of a tenant count one after the other.
			if err := lockKey(tx, "quota", string(tenant)+"/"+next.Set); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(qCountResources, string(tenant), next.Set).Scan(&n); err != nil {
				return fmt.Errorf("postgres: create resource %s/%s: %w", next.Set, next.ID, err)
			}
			if n >= limit {
				return industrydata.ErrQuota
			}
		}
		err := tx.QueryRow(qInsertResource, string(tenant), next.Set, next.ID, next.Type, next.ETag, next.Doc).Scan(&next.Seq)
		if err != nil {
			return fmt.Errorf("postgres: create resource %s/%s: %w", next.Set, next.ID, translate(err))
		}
		if err := putRefs(tx, tenant, &next); err != nil {
			return wrapResourceErr("create", &next, err)
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
func wrapResourceErr(op string, r *industrydata.Resource, err error) error {
	var missing *industrydata.MissingReferenceError
	if errors.As(err, &missing) {
		return err
	}
	return fmt.Errorf("postgres: %s resource %s/%s: %w", op, r.Set, r.ID, err)
}

// GetResource returns the tenant's resource, its Refs by property, or
// ErrNotFound.
func (s *Store) GetResource(ctx context.Context, tenant industrydata.TenantID, set, id string) (industrydata.Resource, error) {
	rows, err := s.query(ctx, qGetResource, string(tenant), set, id)
	if err == nil {
		var r industrydata.Resource
		if r, err = oneResource(rows, set); err == nil {
			return r, nil
		}
	}
	return industrydata.Resource{}, fmt.Errorf("postgres: get resource %s/%s: %w", set, id, translate(err))
}

// ScanResources calls fn with each of the tenant's resources in set, in
// seq order, as one statement reads them: one snapshot, streamed. The
// statement holds its read transaction until the scan ends, so with a
// memory database (where readers block the writer) fn must not wait for
// a write.
func (s *Store) ScanResources(ctx context.Context, tenant industrydata.TenantID, set string, fn func(*industrydata.Resource) error) error {
	rows, err := s.query(ctx, qScanResources, string(tenant), set)
	if err != nil {
		return fmt.Errorf("postgres: scan resources %s: %w", set, err)
	}
	var fnErr error
	err = readResources(rows, set, func(r *industrydata.Resource) error {
		fnErr = fn(r)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("postgres: scan resources %s: %w", set, err)
	}
	return nil
}

// UpdateResource loads the resource, lets apply change a copy and, when
// apply returns nil, stores its Type, Doc and Refs with a new ETag, all in
// one transaction. Changes to the identity (Set, ID, Seq) are ignored.
func (s *Store) UpdateResource(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor, set, id string, apply func(*industrydata.Resource) error) (industrydata.Resource, error) {
	if apply == nil {
		return industrydata.Resource{}, errors.New("postgres: update resource: nil apply")
	}
	var out industrydata.Resource
	err := s.write(ctx, func(tx *txn) error {
		cur, err := loadResource(tx, tenant, set, id)
		if err != nil {
			return fmt.Errorf("postgres: update resource %s/%s: %w", set, id, translate(err))
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
			return fmt.Errorf("postgres: update resource %s/%s: %w", set, id, translate(err))
		}
		if _, err := tx.Exec(qDeleteRefs, string(tenant), set, id); err != nil {
			return fmt.Errorf("postgres: update resource %s/%s: %w", set, id, err)
		}
		if err := putRefs(tx, tenant, &next); err != nil {
			return wrapResourceErr("update", &next, err)
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
	return s.write(ctx, func(tx *txn) error {
		cur, err := loadResource(tx, tenant, set, id)
		if err != nil {
			return fmt.Errorf("postgres: delete resource %s/%s: %w", set, id, translate(err))
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
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: delete resource %s/%s: %w", set, id, err)
		}
		if _, err := tx.Exec(qDeleteResource, cur.Seq); err != nil {
			return fmt.Errorf("postgres: delete resource %s/%s: %w", set, id, err)
		}
		if _, err := tx.Exec(qDeleteRefs, string(tenant), set, id); err != nil {
			return fmt.Errorf("postgres: delete resource %s/%s: %w", set, id, err)
		}
		if set == setInboundFlows {
			if err := dropFlowData(tx, tenant, id); err != nil {
				return fmt.Errorf("postgres: delete resource %s/%s: %w", set, id, err)
			}
		}
		return s.auditResource(tx, tenant, actor, industrydata.AuditDelete, &cur, nil)
	})
}
