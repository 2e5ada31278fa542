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
// application and the request that carried it. Every write method of the
// Store takes it as an argument and copies it into the write's audit
// records; the service's tenant handle (service.Tenant) passes it on.
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
	// Txn and Seq place the record in the log, which is ordered by Txn,
	// then Seq (see AuditPosition). Seq identifies the record: it is
	// unique across tenants and never reused.
	Txn, Seq int64
	Tenant   TenantID
	// Time is when the write was made, by the store's clock, in UTC. The
	// log is not ordered by time: with several writers, a write stamped
	// later may commit first.
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

// AuditPosition is a place in the audit log: the log is ordered by Txn,
// then Seq. Txn numbers the write transactions so that a transaction not
// yet committed can only commit records at a position after every record
// a reader has been shown (see AuditStore.ListAudit). A store with one
// writer, which commits in Seq order, may use each record's Seq as its
// Txn; a store with concurrent writers uses a transaction number such as
// PostgreSQL's xid, and shows only the transactions below the oldest one
// still running.
type AuditPosition struct {
	Txn, Seq int64
}

// Position is the record's place in the log, for AuditQuery.After.
func (r *AuditRecord) Position() AuditPosition { return AuditPosition{Txn: r.Txn, Seq: r.Seq} }

// After reports whether p comes after q in the log.
func (p AuditPosition) After(q AuditPosition) bool {
	return p.Txn > q.Txn || p.Txn == q.Txn && p.Seq > q.Seq
}

// AuditQuery selects one page of the audit log, in log order.
type AuditQuery struct {
	// Tenant keeps only the tenant's records; empty selects every tenant's.
	Tenant TenantID
	// Since keeps only records whose Time is Since or later; zero keeps all.
	Since time.Time
	// After keeps only records after this position: the last record's
	// Position of the previous page, or the zero position for the first.
	After AuditPosition
	// Limit is the most records returned; 0 means DefaultAuditLimit.
	Limit int
}

// AuditStore reads the audit log that the write methods append to.
//
// Every write of OperationStore, ProcessStore and ResourceStore,
// RunStore.StartRun and the TenantStore's provisioning appends its records
// in the transaction of the write, with the Actor the write was given: a
// write that fails, or is rolled back, appends nothing. The runner's
// writes (ClaimJob, RenewLease, UpdateJobProgress, ReleaseLease,
// FinishRun, the report and roster writes) append nothing: they follow
// from an audited start, and a record per progress update would bury the
// log.
type AuditStore interface {
	// ListAudit returns the page of the audit log q selects, in log order
	// (AuditPosition). A caller walks the whole log in bounded memory by
	// passing the Position of the last record of each page as the next
	// After until a page is shorter than the limit. It shows only records
	// below the store's watermark: no write still in progress can commit
	// a record at a position before the last one shown, so such a walk,
	// even while concurrent writes go on, never skips a record. A record
	// may show up a little after its write is acknowledged, once the
	// writes before it have ended.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
}
