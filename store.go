package industrydata

import "context"

// ListQuery selects one page of a collection in insertion order. It grows
// into the OData query AST; stores read it, they do not interpret OData text.
type ListQuery struct {
	// Limit is the most entities to return; 0 means no limit.
	Limit int
	// AfterSeq continues a keyset walk: only entities inserted after the one
	// with this sequence number are returned.
	AfterSeq int64
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
