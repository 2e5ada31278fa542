package industrydata

import "context"

// Filter is a checked $filter syntax tree. Package odata builds it and
// stores translate it (store/internal/sqlq); the root keeps only this marker
// so that it imports nothing.
type Filter interface {
	IsFilter()
}

// OrderKey is one sort key: a property name of the entity type, and its
// direction. Nulls sort first ascending and last descending, as in OData.
type OrderKey struct {
	Property string
	Desc     bool
}

// Cursor is a keyset position: the values of the sort keys of the last
// entity of a page (string, time.Time, bool, int64 or nil, in OrderBy order)
// and its Seq, the final tiebreaker.
type Cursor struct {
	Values []any
	Seq    int64
}

// ListQuery selects one page of a collection: the entities matching Filter
// and Type, sorted by OrderBy and then by insertion order (Seq, in the
// direction of the first key, ascending when there is none), after the
// keyset position After, skipping Offset of them, at most Limit.
type ListQuery struct {
	Filter  Filter     // nil matches all
	OrderBy []OrderKey // empty: insertion order
	After   *Cursor    // nil: from the start
	Offset  int
	Limit   int // 0: no limit
	// Type, when set, keeps only entities of this full type name.
	Type string
}

// OperationStore keeps long-running operations. Every method takes the tenant
// explicitly; an id of another tenant is ErrNotFound, exactly like a missing one.
type OperationStore interface {
	// CreateOperation inserts op, assigning op.ETag and op.Seq.
	CreateOperation(ctx context.Context, tenant TenantID, op *Operation) error
	GetOperation(ctx context.Context, tenant TenantID, id string) (Operation, error)
	ListOperations(ctx context.Context, tenant TenantID, q ListQuery) ([]Operation, error)
	// CountOperations counts the operations matching q.Filter and q.Type,
	// ignoring paging.
	CountOperations(ctx context.Context, tenant TenantID, q ListQuery) (int64, error)
	// UpdateOperation loads the operation, calls apply on it and, when apply
	// returns nil, stores the result with a new ETag, all in one transaction.
	// When apply fails nothing changes and its error is returned as it is.
	UpdateOperation(ctx context.Context, tenant TenantID, id string, apply func(*Operation) error) (Operation, error)
	// DeleteOperation loads the operation, calls check on it and deletes it
	// when check returns nil, in one transaction.
	DeleteOperation(ctx context.Context, tenant TenantID, id string, check func(Operation) error) error
}

// ProcessStore keeps industryData processes.
type ProcessStore interface {
	// CreateProcess inserts p, assigning p.ETag and p.Seq. A second process
	// of a system type in one tenant is ErrDuplicate.
	CreateProcess(ctx context.Context, tenant TenantID, p *Process) error
	GetProcess(ctx context.Context, tenant TenantID, id string) (Process, error)
	ListProcesses(ctx context.Context, tenant TenantID, q ListQuery) ([]Process, error)
	// CountProcesses counts the processes matching q.Filter and q.Type.
	CountProcesses(ctx context.Context, tenant TenantID, q ListQuery) (int64, error)
	UpdateProcess(ctx context.Context, tenant TenantID, id string, apply func(*Process) error) (Process, error)
	DeleteProcess(ctx context.Context, tenant TenantID, id string, check func(Process) error) error
}

// TenantStore records which tenants have been provisioned.
type TenantStore interface {
	// ProvisionTenant, the first time it is called for a tenant, records the
	// tenant and inserts the given processes in the same transaction, and
	// returns true. Later calls change nothing and return false, so a process
	// the tenant deleted is not provisioned again.
	ProvisionTenant(ctx context.Context, tenant TenantID, processes []Process) (bool, error)
}

// Store is everything the service keeps. The SQLite and PostgreSQL stores
// implement it and pass the same conformance suite (store/storetest).
type Store interface {
	OperationStore
	ProcessStore
	TenantStore
	// Ping reports whether the store is reachable and migrated.
	Ping(ctx context.Context) error
	Close() error
}
