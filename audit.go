package industrydata

import (
	"context"
	"encoding/json"
	"time"
)

// AuditAction is what a write did to the entity of an audit record.
type AuditAction string

// The actions an audit record names.
const (
	AuditCreate AuditAction = "create"
	AuditUpdate AuditAction = "update"
	AuditDelete AuditAction = "delete"
	// AuditStart is a run started (RunStore.StartRun): the run it created.
	AuditStart AuditAction = "start"
)

// Actor is who a write is made for: the caller's principal, its client
// application and the request that carried it. httpapi puts it in the
// request's context once the token is verified; stores read it from the
// context of each write and copy it into the write's audit records.
type Actor struct {
	// Principal is the caller's object id (the token's oid, else sub).
	Principal string
	// App is the client application (azp, else appid).
	App string
	// RequestID is the request-id the service answered the request with.
	RequestID string
	// System marks a write the service made on its own account, such as
	// provisioning a tenant on its first request: Principal and App are
	// then empty, and RequestID names the request that caused it.
	System bool
}

type actorKey struct{}

// WithActor returns ctx carrying a, for the audit records of the writes
// made with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries, or the zero Actor (nobody known)
// when it carries none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// PropertyChange is one property an audited write changed, with its Graph
// JSON value before and after: null for a property a create did not have
// before, or a delete does not have after.
type PropertyChange struct {
	Property string
	Old, New json.RawMessage
}

// AuditRecord is one entry of the audit log: one entity a write created,
// changed or deleted, who asked for it, and which properties changed. A
// write that touches several entities (a run start creates a run and its
// operation; deleting a process deletes its runs) appends one record for
// each, in the same transaction, with the same Time and Actor.
type AuditRecord struct {
	// Seq orders the log: it grows with every record appended, across
	// tenants, and is never reused.
	Seq    int64
	Tenant TenantID
	// Time is when the write was made, by the store's clock, in UTC. It
	// never decreases along Seq: a store stamps a record no earlier than
	// the one before it, so that a clock set back cannot reorder the log
	// by time, and the records since a time are a suffix of the log.
	Time time.Time
	Actor
	Action AuditAction
	// EntityType is the Graph type's full name
	// (microsoft.graph.longRunningOperation,
	// microsoft.graph.industryData.industryDataRun…) and EntityID its id.
	EntityType string
	EntityID   string
	// ParentID is the process of a run; empty for other entities.
	ParentID string
	// Changes lists, in the type's property order, the Graph properties
	// the write changed: on a create every property it set (Old null), on
	// a delete every property the entity had (New null), on an update
	// those whose value differs. The key (id) is EntityID, never a change.
	Changes []PropertyChange
}

// DefaultAuditLimit is the page size of ListAudit when AuditQuery.Limit is
// zero, so that no caller reads the whole log at once by accident.
const DefaultAuditLimit = 1000

// AuditQuery selects one page of the audit log, oldest first.
type AuditQuery struct {
	// Tenant keeps only the tenant's records; empty selects every tenant's.
	Tenant TenantID
	// Since keeps only records whose Time is Since or later; zero keeps all.
	Since time.Time
	// AfterSeq keeps only records after this Seq: the last Seq of the
	// previous page, or 0 for the first.
	AfterSeq int64
	// Limit is the most records returned; 0 means DefaultAuditLimit.
	Limit int
}

// AuditStore reads the audit log that the write methods append to.
//
// Every write of OperationStore and ProcessStore, RunStore.StartRun and
// the TenantStore's provisioning appends its records in the transaction of
// the write, with the Actor of the write's context: a write that fails, or
// is rolled back, appends nothing. The runner's writes (ClaimRun,
// RenewLease, UpdateRunProgress, ReleaseLease, FinishRun, the report and
// roster writes) append nothing: they follow from an audited start, and a
// record per progress update would bury the log.
type AuditStore interface {
	// ListAudit returns the page of the audit log q selects, in Seq order.
	// A caller walks the whole log in bounded memory by passing the last
	// Seq of each page as the next AfterSeq until a page is shorter than
	// the limit. Records become visible in Seq order, so such a walk,
	// even while writes go on, never skips one.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
}
