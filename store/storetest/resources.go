package storetest

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
)

var resourceTests = []test{
	{"create assigns eTag and seq, and get returns the doc byte for byte", testResourceRoundTrip},
	{"missing id is not found", testResourceMissing},
	{"duplicate id in one set is ErrDuplicate, in another set or tenant it is another resource", testResourceDuplicate},
	{"another tenant's resource is not found", testResourceTenantIsolation},
	{"scan returns the tenant's set only, in seq order", testResourceScan},
	{"scan stops with fn's error unchanged", testResourceScanStops},
	{"ref to a missing or another tenant's resource is MissingReferenceError and writes nothing", testResourceMissingRef},
	{"create past the limit is ErrQuota, limit 0 is none", testResourceQuota},
	{"update replaces type, doc and refs with a new eTag", testResourceUpdate},
	{"update cannot change set, id or seq", testResourceUpdateIdentity},
	{"failed apply changes nothing", testResourceUpdateRejected},
	{"update to a missing ref is MissingReferenceError and changes nothing", testResourceUpdateMissingRef},
	{"delete of a referenced resource is ReferencedError naming the referrer and deletes nothing", testResourceDeleteReferenced},
	{"delete succeeds once no referrer is left", testResourceDeleteAfterReferrers},
	{"a resource's ref to itself does not keep it from being deleted", testResourceSelfRef},
	{"failed delete check keeps the resource", testResourceDeleteRejected},
	{"write with a cancelled context stores nothing", testResourceCancelled},
	{"each write appends one record with the resource's changes", testResourceAudit},
	{"creates racing the delete of their target never leave a dangling ref", testResourceRefRace},
}

// Sets and type names of resources: the store keeps any as given.
const (
	setSourceSystems = "sourceSystems"
	setYears         = "years"
	setRoleGroups    = "roleGroups"
	setInboundFlows  = "inboundFlows"

	typeSourceSystem = "microsoft.graph.industryData.sourceSystemDefinition"
	typeYear         = "microsoft.graph.industryData.yearTimePeriodDefinition"
	typeRoleGroup    = "microsoft.graph.industryData.roleGroup"
	typeInboundFlow  = "microsoft.graph.industryData.inboundFileFlow"
)

var typeOfSet = map[string]string{
	setSourceSystems: typeSourceSystem, setYears: typeYear,
	setRoleGroups: typeRoleGroup, setInboundFlows: typeInboundFlow,
}

// newResource returns a resource of set with a fresh id and refs.
func newResource(set string, refs ...industrydata.Ref) industrydata.Resource {
	return industrydata.Resource{Set: set, ID: newID(), Type: typeOfSet[set],
		Doc: []byte(`{"displayName":"resource"}`), Refs: refs}
}

// refTo is a reference to r through property.
func refTo(property string, r industrydata.Resource) industrydata.Ref {
	return industrydata.Ref{Property: property, Set: r.Set, ID: r.ID}
}

func createResource(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, r industrydata.Resource) industrydata.Resource {
	t.Helper()
	if err := s.CreateResource(t.Context(), tenant, who(t.Context()), &r, 0); err != nil {
		t.Fatalf("CreateResource(%s/%s): %v", r.Set, r.ID, err)
	}
	return r
}

func getResource(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, set, id string) industrydata.Resource {
	t.Helper()
	r, err := s.GetResource(t.Context(), tenant, set, id)
	if err != nil {
		t.Fatalf("GetResource(%s/%s): %v", set, id, err)
	}
	checkRefOrder(t, r)
	return r
}

// scanResources returns copies of what ScanResources gives, since fn must
// not keep what it is given.
func scanResources(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, set string) []industrydata.Resource {
	t.Helper()
	var out []industrydata.Resource
	err := s.ScanResources(t.Context(), tenant, set, func(r *industrydata.Resource) error {
		c := *r
		c.Doc, c.Refs = bytes.Clone(r.Doc), slices.Clone(r.Refs)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanResources(%s): %v", set, err)
	}
	for _, r := range out {
		checkRefOrder(t, r)
	}
	return out
}

// checkRefOrder fails unless r's Refs are ordered by Property, as reads
// return them.
func checkRefOrder(t *testing.T, r industrydata.Resource) {
	t.Helper()
	if !slices.IsSortedFunc(r.Refs, func(a, b industrydata.Ref) int { return strings.Compare(a.Property, b.Property) }) {
		t.Errorf("%s/%s: refs %+v not ordered by property", r.Set, r.ID, r.Refs)
	}
}

// sameResource compares resources with their refs as multisets (reads
// order them by property only) and nil and empty alike.
var sameResource = cmp.Options{
	cmpopts.SortSlices(func(a, b industrydata.Ref) bool {
		return a.Property < b.Property || a.Property == b.Property && (a.Set < b.Set || a.Set == b.Set && a.ID < b.ID)
	}),
	cmpopts.EquateEmpty(),
}

// wantResource fails unless the tenant's resource is want.
func wantResource(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, want industrydata.Resource) {
	t.Helper()
	if d := cmp.Diff(want, getResource(t, s, tenant, want.Set, want.ID), sameResource); d != "" {
		t.Errorf("GetResource(%s/%s) (-want +got):\n%s", want.Set, want.ID, d)
	}
}

// wantGone fails unless the tenant has no resource set/id.
func wantGone(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, set, id string) {
	t.Helper()
	_, err := s.GetResource(t.Context(), tenant, set, id)
	wantErrIs(t, "GetResource("+set+"/"+id+")", err, industrydata.ErrNotFound)
}

func deleteResource(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, r industrydata.Resource) {
	t.Helper()
	if err := s.DeleteResource(t.Context(), tenant, who(t.Context()), r.Set, r.ID, nil); err != nil {
		t.Fatalf("DeleteResource(%s/%s): %v", r.Set, r.ID, err)
	}
}

func testResourceRoundTrip(t *testing.T, s industrydata.Store) {
	year := createResource(t, s, tenantA, newResource(setYears))
	group1 := createResource(t, s, tenantA, newResource(setRoleGroups))
	group2 := createResource(t, s, tenantA, newResource(setRoleGroups))
	tests := []struct {
		name string
		doc  string
		refs []industrydata.Ref
	}{
		{"no refs", `{"displayName":"SIS"}`, nil},
		{"doc kept as spelled", "{ \"z\" : 1,\n\t\"a\":\"\\u00e9 é \\\"q\\\"\", \"n\": 1.50e1 }", nil},
		{"empty object", `{}`, nil},
		// Given out of property order, and one property refers twice (a
		// collection of complex values).
		{"refs", `{"displayName":"SIS"}`, []industrydata.Ref{
			refTo("userMatchingSettings/roleGroup", group2),
			refTo("year", year),
			refTo("userMatchingSettings/roleGroup", group1),
			refTo("userMatchingSettings/roleGroup", group1),
		}},
	}
	var seqs []int64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := newResource(setSourceSystems, tc.refs...)
			in.Doc = []byte(tc.doc)
			created := in
			if err := s.CreateResource(t.Context(), tenantA, who(t.Context()), &created, 0); err != nil {
				t.Fatalf("CreateResource: %v", err)
			}
			checkNewETag(t, created.ETag)
			if created.Seq <= 0 || slices.Contains(seqs, created.Seq) {
				t.Errorf("Seq = %d, want > 0 and unlike the earlier %v", created.Seq, seqs)
			}
			seqs = append(seqs, created.Seq)
			want := in
			want.ETag, want.Seq = created.ETag, created.Seq
			if d := cmp.Diff(want, created, sameResource); d != "" {
				t.Errorf("created resource (-want +got):\n%s", d)
			}
			got := getResource(t, s, tenantA, in.Set, in.ID)
			if !bytes.Equal(got.Doc, in.Doc) {
				t.Errorf("Doc = %q, want %q", got.Doc, in.Doc)
			}
			if d := cmp.Diff(want, got, sameResource); d != "" {
				t.Errorf("GetResource (-want +got):\n%s", d)
			}
		})
	}
}

func testResourceMissing(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	r := createResource(t, s, tenantA, newResource(setSourceSystems))
	_, err := s.GetResource(ctx, tenantA, setSourceSystems, newID())
	wantErrIs(t, "GetResource of a missing id", err, industrydata.ErrNotFound)
	_, err = s.GetResource(ctx, tenantA, setYears, r.ID)
	wantErrIs(t, "GetResource of an id of another set", err, industrydata.ErrNotFound)
	_, err = s.UpdateResource(ctx, tenantA, who(ctx), setSourceSystems, newID(), func(*industrydata.Resource) error { return nil })
	wantErrIs(t, "UpdateResource", err, industrydata.ErrNotFound)
	err = s.DeleteResource(ctx, tenantA, who(ctx), setSourceSystems, newID(), nil)
	wantErrIs(t, "DeleteResource", err, industrydata.ErrNotFound)
}

func testResourceDuplicate(t *testing.T, s industrydata.Store) {
	first := createResource(t, s, tenantA, newResource(setSourceSystems))
	dup := newResource(setSourceSystems)
	dup.ID, dup.Doc = first.ID, []byte(`{"displayName":"second"}`)
	err := s.CreateResource(t.Context(), tenantA, who(t.Context()), &dup, 0)
	wantErrIs(t, "CreateResource with a taken id", err, industrydata.ErrDuplicate)
	wantResource(t, s, tenantA, first)

	otherSet := newResource(setYears)
	otherSet.ID, otherSet.Doc = first.ID, []byte(`{"displayName":"year"}`)
	otherSet = createResource(t, s, tenantA, otherSet)
	otherTenant := dup
	otherTenant = createResource(t, s, tenantB, otherTenant)
	wantResource(t, s, tenantA, first)
	wantResource(t, s, tenantA, otherSet)
	wantResource(t, s, tenantB, otherTenant)
}

func testResourceTenantIsolation(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	r := createResource(t, s, tenantA, newResource(setSourceSystems))
	_, err := s.GetResource(ctx, tenantB, r.Set, r.ID)
	wantErrIs(t, "GetResource from tenant B", err, industrydata.ErrNotFound)
	_, err = s.UpdateResource(ctx, tenantB, who(ctx), r.Set, r.ID, func(x *industrydata.Resource) error {
		t.Errorf("apply called with tenant A's resource %+v", *x)
		return nil
	})
	wantErrIs(t, "UpdateResource from tenant B", err, industrydata.ErrNotFound)
	err = s.DeleteResource(ctx, tenantB, who(ctx), r.Set, r.ID, func(x industrydata.Resource) error {
		t.Errorf("check called with tenant A's resource %+v", x)
		return nil
	})
	wantErrIs(t, "DeleteResource from tenant B", err, industrydata.ErrNotFound)
	if got := scanResources(t, s, tenantB, r.Set); len(got) != 0 {
		t.Errorf("tenant B scans %d resources of tenant A", len(got))
	}
	wantResource(t, s, tenantA, r)
}

func testResourceScan(t *testing.T, s industrydata.Store) {
	if got := scanResources(t, s, tenantA, setSourceSystems); len(got) != 0 {
		t.Fatalf("empty store scans %d resources", len(got))
	}
	year := createResource(t, s, tenantA, newResource(setYears))
	var want []industrydata.Resource
	for i := range 4 {
		r := newResource(setSourceSystems)
		if i%2 == 1 {
			r.Refs = []industrydata.Ref{refTo("year", year)}
		}
		want = append(want, createResource(t, s, tenantA, r))
		createResource(t, s, tenantA, newResource(setYears))         // another set, never scanned
		createResource(t, s, tenantB, newResource(setSourceSystems)) // another tenant
	}
	got := scanResources(t, s, tenantA, setSourceSystems)
	if d := cmp.Diff(want, got, sameResource); d != "" {
		t.Errorf("ScanResources (-want +got):\n%s", d)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Errorf("scan: Seq %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
}

func testResourceScanStops(t *testing.T, s industrydata.Store) {
	for range 4 {
		createResource(t, s, tenantA, newResource(setSourceSystems))
	}
	calls := 0
	err := s.ScanResources(t.Context(), tenantA, setSourceSystems, func(*industrydata.Resource) error {
		calls++
		if calls == 2 {
			return errRejected
		}
		return nil
	})
	wantRejected(t, "ScanResources", err)
	if calls != 2 {
		t.Errorf("fn called %d times, want 2 (the scan stops at its error)", calls)
	}
}

func testResourceQuota(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	create := func(tenant industrydata.TenantID, set string, limit int) (industrydata.Resource, error) {
		r := newResource(set)
		return r, s.CreateResource(ctx, tenant, who(ctx), &r, limit)
	}
	for range 2 {
		if _, err := create(tenantA, setSourceSystems, 2); err != nil {
			t.Fatalf("create within the limit: %v", err)
		}
	}
	at := lastPosition(t, s)
	r, err := create(tenantA, setSourceSystems, 2)
	wantErrIs(t, "third create with limit 2", err, industrydata.ErrQuota)
	wantGone(t, s, tenantA, r.Set, r.ID)
	wantNoAudit(t, s, "a create past the quota", at)
	// The quota counts one tenant's resources of one set.
	if _, err := create(tenantA, setYears, 2); err != nil {
		t.Errorf("create in another set with limit 2: %v", err)
	}
	if _, err := create(tenantB, setSourceSystems, 2); err != nil {
		t.Errorf("create in another tenant with limit 2: %v", err)
	}
	for range 3 {
		if _, err := create(tenantA, setSourceSystems, 0); err != nil {
			t.Fatalf("create with limit 0: %v", err)
		}
	}
	if got := scanResources(t, s, tenantA, setSourceSystems); len(got) != 5 {
		t.Errorf("scan: %d resources, want 5", len(got))
	}
}

func testResourceUpdate(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year1 := createResource(t, s, tenantA, newResource(setYears))
	year2 := createResource(t, s, tenantA, newResource(setYears))
	group := createResource(t, s, tenantA, newResource(setRoleGroups))
	before := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("year", year1)))
	stored := getResource(t, s, tenantA, before.Set, before.ID)
	var seen industrydata.Resource
	got, err := s.UpdateResource(ctx, tenantA, who(ctx), before.Set, before.ID, func(r *industrydata.Resource) error {
		seen = *r
		seen.Doc, seen.Refs = bytes.Clone(r.Doc), slices.Clone(r.Refs)
		r.Type = "microsoft.graph.industryData.otherDefinition"
		r.Doc = []byte(`{"displayName":"renamed"}`)
		r.Refs = []industrydata.Ref{refTo("year", year2), refTo("userMatchingSettings/roleGroup", group)}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateResource: %v", err)
	}
	if d := cmp.Diff(stored, seen, sameResource); d != "" {
		t.Errorf("apply was given (-want +got):\n%s", d)
	}
	checkNewETag(t, got.ETag, before.ETag)
	want := before
	want.Type, want.ETag = "microsoft.graph.industryData.otherDefinition", got.ETag
	want.Doc = []byte(`{"displayName":"renamed"}`)
	want.Refs = []industrydata.Ref{refTo("year", year2), refTo("userMatchingSettings/roleGroup", group)}
	if d := cmp.Diff(want, got, sameResource); d != "" {
		t.Errorf("updated resource (-want +got):\n%s", d)
	}
	wantResource(t, s, tenantA, want)
	// The old ref is gone, the new ones hold.
	deleteResource(t, s, tenantA, year1)
	err = s.DeleteResource(ctx, tenantA, who(ctx), year2.Set, year2.ID, nil)
	wantReferenced(t, "DeleteResource of the new target", err, want, "year")
}

func testResourceUpdateIdentity(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	before := createResource(t, s, tenantA, newResource(setSourceSystems))
	got, err := s.UpdateResource(ctx, tenantA, who(ctx), before.Set, before.ID, func(r *industrydata.Resource) error {
		r.Set, r.ID, r.Seq, r.ETag = setYears, newID(), r.Seq+1000, "chosen-by-apply"
		r.Doc = []byte(`{"displayName":"changed"}`)
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateResource: %v", err)
	}
	checkNewETag(t, got.ETag, before.ETag, "chosen-by-apply")
	want := before
	want.ETag, want.Doc = got.ETag, []byte(`{"displayName":"changed"}`)
	if d := cmp.Diff(want, got, sameResource); d != "" {
		t.Errorf("updated resource (-want +got):\n%s", d)
	}
	wantResource(t, s, tenantA, want)
	if n := len(scanResources(t, s, tenantA, setYears)); n != 0 {
		t.Errorf("the update moved the resource: %d in %s", n, setYears)
	}
}

func testResourceUpdateRejected(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year := createResource(t, s, tenantA, newResource(setYears))
	before := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("year", year)))
	at := lastPosition(t, s)
	_, err := s.UpdateResource(ctx, tenantA, who(ctx), before.Set, before.ID, func(r *industrydata.Resource) error {
		r.Type = "changed"
		r.Doc[0] = 'X' // in place: the store's own copy must not change
		r.Refs[0].ID = newID()
		return errRejected
	})
	wantRejected(t, "UpdateResource", err)
	wantResource(t, s, tenantA, before)
	wantNoAudit(t, s, "a failed apply", at)
}

func testResourceDeleteRejected(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year := createResource(t, s, tenantA, newResource(setYears))
	r := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("year", year)))
	at := lastPosition(t, s)
	var seen industrydata.Resource
	err := s.DeleteResource(ctx, tenantA, who(ctx), r.Set, r.ID, func(x industrydata.Resource) error {
		seen = x
		return errRejected
	})
	wantRejected(t, "DeleteResource", err)
	if d := cmp.Diff(r, seen, sameResource); d != "" {
		t.Errorf("check was given (-want +got):\n%s", d)
	}
	wantResource(t, s, tenantA, r)
	wantNoAudit(t, s, "a failed check", at)
}

func testResourceCancelled(t *testing.T, s industrydata.Store) {
	ctx := cancelled(t)
	r := newResource(setSourceSystems)
	if err := s.CreateResource(ctx, tenantA, who(ctx), &r, 0); err == nil {
		t.Fatal("CreateResource with a cancelled context succeeded")
	}
	wantGone(t, s, tenantA, r.Set, r.ID)
}

func testResourceAudit(t *testing.T, s industrydata.Store) {
	year := createResource(t, s, tenantA, newResource(setYears))
	year2 := createResource(t, s, tenantA, newResource(setYears))
	at := lastPosition(t, s)
	ctx, a := actor(t, "create")
	rec := func(action industrydata.AuditAction, typ, id string, changes ...industrydata.PropertyChange) industrydata.AuditRecord {
		return industrydata.AuditRecord{Tenant: tenantA, Actor: a, Action: action, EntityType: typ, EntityID: id, Changes: changes}
	}
	r := newResource(setSourceSystems, refTo("year", year))
	r.Doc = []byte(`{"displayName":"SIS","isEnabled":true}`)
	if err := s.CreateResource(ctx, tenantA, who(ctx), &r, 0); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, at, rec(industrydata.AuditCreate, typeSourceSystem, r.ID,
		change("displayName", "null", `"SIS"`),
		change("isEnabled", "null", "true"),
		change("year", "null", jsonString(year.ID))))

	at = lastPosition(t, s)
	ctx, a = actor(t, "update")
	if _, err := s.UpdateResource(ctx, tenantA, who(ctx), r.Set, r.ID, func(x *industrydata.Resource) error {
		x.Doc = []byte(`{"displayName":"SIS 2", "isEnabled": true}`)
		x.Refs = []industrydata.Ref{refTo("year", year2)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, at, rec(industrydata.AuditUpdate, typeSourceSystem, r.ID,
		change("displayName", `"SIS"`, `"SIS 2"`),
		change("year", jsonString(year.ID), jsonString(year2.ID))))

	at = lastPosition(t, s)
	ctx, a = actor(t, "delete")
	if err := s.DeleteResource(ctx, tenantA, who(ctx), r.Set, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, at, rec(industrydata.AuditDelete, typeSourceSystem, r.ID,
		change("displayName", `"SIS 2"`, "null"),
		change("isEnabled", "true", "null"),
		change("year", jsonString(year2.ID), "null")))
}
