package industrydata

import (
	"context"
	"errors"
	"fmt"
)

// Resource is one entity of the import surface (SPEC §11: source systems,
// years, role groups, data connectors, inbound flows, a tenant's reference
// definitions) as a store keeps it: its identity, and its Graph properties
// as one document the store does not interpret. The sets are small
// configuration collections, so the service filters and sorts them itself
// (over ScanResources) and every store keeps them the same simple way.
type Resource struct {
	// Set is the entity set the resource belongs to, such as
	// "sourceSystems"; (tenant, Set, ID) identifies it.
	Set  string
	ID   string
	Type string // full type name
	// ETag changes on every write; the store assigns it.
	ETag string
	// Seq is the insertion order, unique across the store; assigned by the
	// store on create and never changed.
	Seq int64
	// Doc holds the entity's properties as the service encodes them.
	Doc []byte
	// Refs are the resources of the same tenant this one refers to
	// through navigation properties.
	Refs []Ref
}

// Ref is a reference from a resource, through a navigation property, to
// another resource of the same tenant.
type Ref struct {
	// Property is the navigation property's path from the referrer:
	// "sourceSystem", or "userMatchingSettings/roleGroup" for one inside a
	// complex value.
	Property string
	Set, ID  string
}

// MissingReferenceError is a write naming a resource that does not exist
// in the tenant (or exists in another).
type MissingReferenceError struct{ Ref Ref }

func (e *MissingReferenceError) Error() string {
	return fmt.Sprintf("%s refers to %s/%s, which does not exist", e.Ref.Property, e.Ref.Set, e.Ref.ID)
}

// ReferencedError is a delete of a resource that another one refers to:
// Referrer is that other resource's set and id, Property its reference.
type ReferencedError struct {
	Set, ID  string // the referrer
	Property string
}

func (e *ReferencedError) Error() string {
	return fmt.Sprintf("%s/%s refers to it through %s", e.Set, e.ID, e.Property)
}

// ErrQuota: a create past the most resources a tenant may keep in a set.
var ErrQuota = errors.New("quota exceeded")

// ResourceStore keeps resources. Every method takes the tenant explicitly:
// another tenant's resource is ErrNotFound, exactly like a missing one, and
// a Ref never reaches across tenants. Writes take the Actor their audit
// records name; each appends one record (EntityType Type, EntityID ID,
// Changes from schema.ResourceChanges) in the write's transaction.
type ResourceStore interface {
	// CreateResource inserts r, assigning r.ETag and r.Seq, when every Ref
	// names an existing resource of the tenant (else a
	// *MissingReferenceError for the first that does not) and the tenant
	// has fewer than limit resources in r.Set (else ErrQuota; limit 0 is
	// no limit). An existing (Set, ID) in the tenant is ErrDuplicate.
	CreateResource(ctx context.Context, tenant TenantID, actor Actor, r *Resource, limit int) error
	// GetResource returns the tenant's resource, its Refs ordered by
	// Property (as ScanResources returns them too), or ErrNotFound.
	GetResource(ctx context.Context, tenant TenantID, set, id string) (Resource, error)
	// ScanResources calls fn with each of the tenant's resources in set,
	// in Seq order, from one consistent snapshot, holding at most one in
	// memory; fn's error stops the scan and is returned unchanged. fn must
	// not keep the pointer it is given.
	ScanResources(ctx context.Context, tenant TenantID, set string, fn func(*Resource) error) error
	// UpdateResource loads the resource, calls apply on a copy and, when
	// apply returns nil, stores its Type, Doc and Refs with a new ETag, in
	// one transaction. apply's error is returned unchanged and changes
	// nothing; a Ref to a missing resource is a *MissingReferenceError.
	UpdateResource(ctx context.Context, tenant TenantID, actor Actor, set, id string, apply func(*Resource) error) (Resource, error)
	// DeleteResource loads the resource, calls check on it (check may be
	// nil) and, when it returns nil and no other resource refers to it,
	// deletes it, in one transaction. A resource still referred to is a
	// *ReferencedError naming one referrer; its references to itself do
	// not count, and go with it.
	DeleteResource(ctx context.Context, tenant TenantID, actor Actor, set, id string, check func(Resource) error) error
}
