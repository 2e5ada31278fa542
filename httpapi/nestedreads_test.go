package httpapi_test

import (
	"context"
	"sync/atomic"
	"testing"

	"industrydata"
)

// nestedReads is a store that counts the reads made while a scan of a set
// is under way: such a read needs a second read connection while the
// scan holds one, and as many such requests at once as the store has
// connections (four: a batch runs four requests at once) would wait for
// each other for ever.
type nestedReads struct {
	industrydata.Store
	scanning atomic.Int32
	nested   atomic.Int32
}

func (s *nestedReads) ScanResources(ctx context.Context, tenant industrydata.TenantID, set string, fn func(*industrydata.Resource) error) error {
	return s.Store.ScanResources(ctx, tenant, set, func(r *industrydata.Resource) error {
		s.scanning.Add(1)
		defer s.scanning.Add(-1)
		return fn(r)
	})
}

func (s *nestedReads) read() {
	if s.scanning.Load() > 0 {
		s.nested.Add(1)
	}
}

func (s *nestedReads) ValidatedFiles(ctx context.Context, tenant industrydata.TenantID, connectorID string) ([]industrydata.ValidatedFile, error) {
	s.read()
	return s.Store.ValidatedFiles(ctx, tenant, connectorID)
}

func (s *nestedReads) GetResource(ctx context.Context, tenant industrydata.TenantID, set, id string) (industrydata.Resource, error) {
	s.read()
	return s.Store.GetResource(ctx, tenant, set, id)
}

// TestNoReadInsideAScan: listing, counting, filtering and expanding the
// import surface's sets reads nothing while a scan holds its connection
// (a flow's readinessStatus is derived after the scan).
func TestNoReadInsideAScan(t *testing.T) {
	st := &nestedReads{Store: openStore(t)}
	h := newHarnessWithStore(t, st)
	h.importSurface()
	for _, p := range []string{"inboundFlows", "inboundFlows/$count", "inboundFlows?$filter=" + q("readinessStatus eq 'notReady'"),
		"inboundFlows?$expand=dataConnector,year", "dataConnectors?$expand=sourceSystem", "sourceSystems", "years/$count",
		"referenceDefinitions?$top=5", "roleGroups"} {
		h.must(200, request{method: "GET", path: idPrefix + p})
		if n := st.nested.Swap(0); n > 0 {
			t.Errorf("GET %s: %d reads inside a scan", p, n)
		}
	}
}
