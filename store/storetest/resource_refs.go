package storetest

import (
	"errors"
	"sync"
	"testing"

	"industrydata"
)

// The references between resources: a write naming a missing target, a
// delete of what is referred to, and the two racing.

// wantMissingRef fails unless err is a *MissingReferenceError naming ref.
func wantMissingRef(t *testing.T, what string, err error, ref industrydata.Ref) {
	t.Helper()
	var e *industrydata.MissingReferenceError
	if !errors.As(err, &e) || e.Ref != ref {
		t.Fatalf("%s: got error %v, want a MissingReferenceError naming %+v", what, err, ref)
	}
}

// wantReferenced fails unless err is a *ReferencedError naming referrer's
// ref through property.
func wantReferenced(t *testing.T, what string, err error, referrer industrydata.Resource, property string) {
	t.Helper()
	var e *industrydata.ReferencedError
	want := industrydata.ReferencedError{Set: referrer.Set, ID: referrer.ID, Property: property}
	if !errors.As(err, &e) || *e != want {
		t.Fatalf("%s: got error %v, want a ReferencedError naming %+v", what, err, want)
	}
}

func testResourceMissingRef(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year := createResource(t, s, tenantA, newResource(setYears))
	theirs := createResource(t, s, tenantB, newResource(setYears))
	missing := industrydata.Ref{Property: "year", Set: setYears, ID: newID()}
	tests := []struct {
		name string
		refs []industrydata.Ref
		want industrydata.Ref
	}{
		{"missing id", []industrydata.Ref{refTo("a", year), missing}, missing},
		{"another tenant's", []industrydata.Ref{refTo("year", theirs)}, refTo("year", theirs)},
		{"an id of another set", []industrydata.Ref{{Property: "year", Set: setRoleGroups, ID: year.ID}},
			industrydata.Ref{Property: "year", Set: setRoleGroups, ID: year.ID}},
		{"the first missing, in the order given", []industrydata.Ref{refTo("z", theirs), refTo("a", year), missing},
			refTo("z", theirs)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := lastPosition(t, s)
			r := newResource(setSourceSystems, tc.refs...)
			err := s.CreateResource(ctx, tenantA, who(ctx), &r, 0)
			wantMissingRef(t, "CreateResource", err, tc.want)
			wantGone(t, s, tenantA, r.Set, r.ID)
			wantNoAudit(t, s, "a refused create", at)
		})
	}
	if got := scanResources(t, s, tenantA, setSourceSystems); len(got) != 0 {
		t.Errorf("scan after refused creates: %d resources, want none", len(got))
	}
	// No ref of a refused create was kept: nothing refers to the year.
	deleteResource(t, s, tenantA, year)
}

func testResourceUpdateMissingRef(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year := createResource(t, s, tenantA, newResource(setYears))
	before := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("year", year)))
	missing := industrydata.Ref{Property: "year", Set: setYears, ID: newID()}
	at := lastPosition(t, s)
	_, err := s.UpdateResource(ctx, tenantA, who(ctx), before.Set, before.ID, func(r *industrydata.Resource) error {
		r.Doc = []byte(`{"displayName":"changed"}`)
		r.Refs = []industrydata.Ref{missing}
		return nil
	})
	wantMissingRef(t, "UpdateResource", err, missing)
	wantResource(t, s, tenantA, before)
	wantNoAudit(t, s, "a refused update", at)
	err = s.DeleteResource(ctx, tenantA, who(ctx), year.Set, year.ID, nil)
	wantReferenced(t, "DeleteResource of the kept target", err, before, "year")
}

func testResourceDeleteReferenced(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	group := createResource(t, s, tenantA, newResource(setRoleGroups))
	referrer := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("userMatchingSettings/roleGroup", group)))
	at := lastPosition(t, s)
	err := s.DeleteResource(ctx, tenantA, who(ctx), group.Set, group.ID, nil)
	wantReferenced(t, "DeleteResource", err, referrer, "userMatchingSettings/roleGroup")
	wantResource(t, s, tenantA, group)
	wantResource(t, s, tenantA, referrer)
	wantNoAudit(t, s, "a refused delete", at)
}

func testResourceDeleteAfterReferrers(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	year := createResource(t, s, tenantA, newResource(setYears))
	flow := createResource(t, s, tenantA, newResource(setInboundFlows, refTo("year", year)))
	system := createResource(t, s, tenantA, newResource(setSourceSystems, refTo("year", year)))

	if _, err := s.UpdateResource(ctx, tenantA, who(ctx), flow.Set, flow.ID, func(r *industrydata.Resource) error {
		r.Refs = nil
		return nil
	}); err != nil {
		t.Fatalf("UpdateResource dropping the ref: %v", err)
	}
	err := s.DeleteResource(ctx, tenantA, who(ctx), year.Set, year.ID, nil)
	wantReferenced(t, "DeleteResource with one referrer left", err, system, "year")

	deleteResource(t, s, tenantA, system)
	wantGone(t, s, tenantA, system.Set, system.ID)
	deleteResource(t, s, tenantA, year)
	wantGone(t, s, tenantA, year.Set, year.ID)
	err = s.DeleteResource(ctx, tenantA, who(ctx), year.Set, year.ID, nil)
	wantErrIs(t, "second DeleteResource", err, industrydata.ErrNotFound)
}

func testResourceSelfRef(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	group := createResource(t, s, tenantA, newResource(setRoleGroups))
	got, err := s.UpdateResource(ctx, tenantA, who(ctx), group.Set, group.ID, func(r *industrydata.Resource) error {
		r.Refs = []industrydata.Ref{refTo("parent", group)}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateResource referring to itself: %v", err)
	}
	wantResource(t, s, tenantA, got)
	deleteResource(t, s, tenantA, group)
	wantGone(t, s, tenantA, group.Set, group.ID)
}

// Creates referring to a resource race its delete: the one writer, or a
// store's locking, must order each create's check of its ref and the
// delete's check for referrers, so that the delete fails with a
// ReferencedError or every create after it fails with a
// MissingReferenceError, and no stored ref ever names a deleted resource.
func testResourceRefRace(t *testing.T, s industrydata.Store) {
	const rounds, creators = 4, 8
	ctx := t.Context()
	for range rounds {
		target := createResource(t, s, tenantA, newResource(setYears))
		ref := refTo("year", target)
		start := make(chan struct{})
		var wg sync.WaitGroup
		created := make([]industrydata.Resource, creators)
		createErrs := make([]error, creators)
		for i := range creators {
			wg.Go(func() {
				<-start
				created[i] = newResource(setInboundFlows, ref)
				createErrs[i] = s.CreateResource(ctx, tenantA, who(ctx), &created[i], 0)
			})
		}
		var deleteErr error
		wg.Go(func() {
			<-start
			deleteErr = s.DeleteResource(ctx, tenantA, who(ctx), target.Set, target.ID, nil)
		})
		close(start)
		wg.Wait()

		ok := map[string]bool{}
		for i, err := range createErrs {
			if err == nil {
				ok[created[i].ID] = true
				continue
			}
			wantMissingRef(t, "racing CreateResource", err, ref)
		}
		if deleteErr == nil {
			if len(ok) > 0 {
				t.Errorf("the delete succeeded but %d creates referring to its target did too", len(ok))
			}
			wantGone(t, s, tenantA, target.Set, target.ID)
			continue
		}
		var e *industrydata.ReferencedError
		if !errors.As(deleteErr, &e) || e.Set != setInboundFlows || !ok[e.ID] || e.Property != "year" {
			t.Errorf("racing DeleteResource: %v, want a ReferencedError naming one of the created %v", deleteErr, ok)
		}
		getResource(t, s, tenantA, target.Set, target.ID)
	}
	for _, r := range scanResources(t, s, tenantA, setInboundFlows) {
		for _, ref := range r.Refs {
			if _, err := s.GetResource(ctx, tenantA, ref.Set, ref.ID); err != nil {
				t.Errorf("%s/%s refers to %s/%s: %v", r.Set, r.ID, ref.Set, ref.ID, err)
			}
		}
	}
}
