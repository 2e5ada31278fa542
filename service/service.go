// Package service holds the SPEC's rules: how a body updates an entity, when
// a write is refused (400, 409, 412), what defaults a new entity gets, and
// the provisioning of each tenant's system process. It is the only place
// those decisions are made; handlers decode and encode, stores persist.
package service

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/schema"
)

// Service applies the rules of the SPEC over a Store. Its methods are
// reached through Tenant, the one way in.
type Service struct {
	store industrydata.Store
	clock industrydata.Clock
	opts  Options
	// provisioned caches tenants known to be provisioned, so the common
	// request costs no write. The store stays the authority.
	provisioned sync.Map
}

// Options configures a Service.
type Options struct {
	// SkipTokenKey signs the $skiptoken of every nextLink, so that a token
	// can be neither forged nor replayed in another tenant or query. Nil
	// picks a random key: tokens then do not survive a restart, nor work
	// on another replica.
	SkipTokenKey []byte
	// JobQueued, when set, is called after every job (a run, a validation)
	// the service queues, so that a runner idling in this process picks it
	// up at once.
	JobQueued func()
}

// New returns a Service over store, telling time by clock.
func New(store industrydata.Store, clock industrydata.Clock, opts Options) *Service {
	if opts.SkipTokenKey == nil {
		opts.SkipTokenKey = make([]byte, 32)
		_, _ = rand.Read(opts.SkipTokenKey) // never fails on supported platforms
	}
	return &Service{store: store, clock: clock, opts: opts}
}

// now is the current time, normalized to what a store keeps.
func (s *Service) now() time.Time {
	n, _ := industrydata.NormalizeTimestamp(s.clock.Now())
	return n
}

// Tenant is the service as one caller sees it: the data of one tenant,
// every write audited under the caller's actor. Service.Tenant is the only
// way to get one, and it provisions the tenant first, so no method can
// reach a tenant that was not provisioned.
type Tenant struct {
	s     *Service
	id    industrydata.TenantID
	actor industrydata.Actor
}

// Tenant provisions tenant on its first call to the API (SPEC §2: it gets
// its userReportRefreshProcess, ready) and returns the service as actor
// sees that tenant.
func (s *Service) Tenant(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor) (*Tenant, error) {
	if tenant == "" {
		return nil, errors.New("service: no tenant")
	}
	if _, ok := s.provisioned.Load(tenant); !ok {
		if err := s.provision(ctx, tenant, actor); err != nil {
			return nil, err
		}
	}
	return &Tenant{s: s, id: tenant, actor: actor}, nil
}

func (s *Service) provision(ctx context.Context, tenant industrydata.TenantID, actor industrydata.Actor) error {
	p := industrydata.Process{
		ID:              uuid.NewString(),
		Type:            industrydata.TypeUserReportRefreshProcess,
		DisplayName:     industrydata.DefaultUserReportRefreshProcessName,
		ReadinessStatus: industrydata.ReadinessReady,
		CreatedAt:       s.now(),
	}
	// The caller did not ask for the process: the service creates it on
	// its own account. The audit record keeps the request-id that caused it.
	system := industrydata.Actor{System: true, RequestID: actor.RequestID}
	if _, err := s.store.ProvisionTenant(ctx, tenant, system, []industrydata.Process{p}); err != nil {
		return fmt.Errorf("provision tenant: %w", err)
	}
	s.provisioned.Store(tenant, struct{}{})
	return nil
}

// ID is the tenant's id.
func (t *Tenant) ID() industrydata.TenantID { return t.id }

// Precondition is a request's If-Match header: nil means none was sent; a
// list holding "*" matches any existing entity.
type Precondition []string

// check answers 412 when the precondition does not hold for current.
func (p Precondition) check(current string) error {
	if p == nil || slices.Contains(p, "*") || slices.Contains(p, current) {
		return nil
	}
	return industrydata.Errorf(industrydata.CodePreconditionFailed,
		"The If-Match header does not match the current version of the entity; read it again and retry.")
}

// notFound turns a store's ErrNotFound into the Graph error naming the entity.
func notFound(err error, kind, id string) error {
	if errors.Is(err, industrydata.ErrNotFound) {
		return industrydata.Errorf(industrydata.CodeItemNotFound, "The %s '%s' was not found.", kind, clip(id))
	}
	return err
}

// clip keeps ids echoed in messages short.
func clip(s string) string { return industrydata.Shorten(s, 64) }

// checkID answers 400 unless a body's id (if any) is the target's own.
func checkID(patch *schema.Patch, id string) error {
	v, ok := patch.ReadOnly["id"]
	if !ok {
		return nil
	}
	if s, _ := v.(string); s != id {
		return industrydata.BadProperty("id", "The property 'id' is read-only; it may only repeat the id of the entity being updated.")
	}
	return nil
}

// rejectReadOnly answers 400 for any read-only property a body carries other
// than those allowed.
func rejectReadOnly(patch *schema.Patch, allowed ...string) error {
	for _, p := range patch.Type.AllProperties() {
		if _, ok := patch.ReadOnly[p.Name]; ok && !slices.Contains(allowed, p.Name) {
			return industrydata.BadProperty(p.Name, "The property '%s' is read-only.", p.Name)
		}
	}
	return nil
}
