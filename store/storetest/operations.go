package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

var operationTests = []test{
	{"every field round-trips", testOperationRoundTrip},
	{"missing id is not found", testOperationMissing},
	{"another tenant's operation is not found", testOperationTenantIsolation},
	{"same id in two tenants is two operations", testOperationSameIDTwoTenants},
	{"duplicate id in one tenant is ErrDuplicate", testOperationDuplicateID},
	{"update stores apply's changes with a new eTag", testOperationUpdate},
	{"failed apply changes nothing", testOperationUpdateRejected},
	{"update cannot change id or seq", testOperationUpdateIdentity},
	{"deleted operation is not found", testOperationDelete},
	{"failed delete check keeps the operation", testOperationDeleteRejected},
	{"write with a cancelled context stores nothing", testOperationCancelled},
	{"a fileValidateOperation keeps its files, errors and warnings", testValidationOperation},
}

func testValidationOperation(t *testing.T, s industrydata.Store) {
	op := newOperation(t)
	op.Type = industrydata.TypeFileValidateOperation
	op.ValidatedFiles = []string{"orgs.csv", "users.csv"}
	op.Errors = []industrydata.PublicError{{Code: "duplicateSourcedId", Message: "users.csv line 3: \"u1\" again", Target: "users.csv:3:1"}}
	op.Warnings = []industrydata.PublicError{{Code: "missingEmail", Message: "m", Target: "users.csv:4:13",
		Details: []industrydata.PublicErrorDetail{{Code: "d", Message: "dm", Target: "dt"}}}}
	created := createOperation(t, s, tenantA, op)
	got, err := s.GetOperation(t.Context(), tenantA, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("read back (-created +got):\n%s", diff)
	}
	// An update that does not touch them keeps them.
	updated, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), created.ID, func(o *industrydata.Operation) error {
		o.Status = industrydata.OperationSucceeded
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(updated.Errors, op.Errors) || !cmp.Equal(updated.Warnings, op.Warnings) || !cmp.Equal(updated.ValidatedFiles, op.ValidatedFiles) {
		t.Errorf("after an update: %+v", updated)
	}
}

func testOperationRoundTrip(t *testing.T, s industrydata.Store) {
	tests := []struct {
		name string
		op   industrydata.Operation
	}{
		{"every field set", industrydata.Operation{
			Type:               typeOtherOperation,
			CreatedDateTime:    ts(t, "2024-05-06T07:08:09.1234567Z"),
			LastActionDateTime: ptr(ts(t, "2024-05-06T07:09:10.7654321Z")),
			Status:             industrydata.OperationRunning,
			StatusDetail:       ptr("50 of 100 rows"),
			ResourceLocation:   ptr("https://graph.microsoft.com/beta/external/industryData/runs/1"),
		}},
		{"optional fields nil", industrydata.Operation{
			Type:            typeOperation,
			CreatedDateTime: ts(t, "2024-05-06T07:08:09Z"),
			Status:          industrydata.OperationNotStarted,
		}},
		{"empty strings kept apart from nil", industrydata.Operation{
			Type:             typeOperation,
			CreatedDateTime:  ts(t, "2024-05-06T07:08:09Z"),
			Status:           industrydata.OperationFailed,
			StatusDetail:     ptr(""),
			ResourceLocation: ptr(""),
		}},
		{"earliest timestamps", industrydata.Operation{
			Type:               typeOperation,
			CreatedDateTime:    ts(t, "0001-01-01T00:00:00Z"),
			LastActionDateTime: ptr(ts(t, "0001-01-01T00:00:00.0000001Z")),
			Status:             industrydata.OperationSucceeded,
		}},
		{"latest timestamps", industrydata.Operation{
			Type:               typeOperation,
			CreatedDateTime:    ts(t, "9999-12-31T23:59:59.9999999Z"),
			LastActionDateTime: ptr(ts(t, "9999-12-31T23:59:59.9999999Z")),
			Status:             industrydata.OperationUnknownFutureValue,
		}},
		{"text with quotes and non-ASCII", industrydata.Operation{
			Type:            typeOperation,
			CreatedDateTime: ts(t, "1969-12-31T23:59:59.9999999Z"),
			Status:          industrydata.OperationFailed,
			StatusDetail:    ptr("row 7: « Zoë » said \"no\"; 'x' \\ \u2713 \U0001F600"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.op
			in.ID = newID()
			created := in
			if err := s.CreateOperation(t.Context(), tenantA, who(t.Context()), &created); err != nil {
				t.Fatalf("CreateOperation: %v", err)
			}
			checkNewETag(t, created.ETag)
			if created.Seq <= 0 {
				t.Errorf("Seq = %d, want > 0", created.Seq)
			}
			want := in
			want.ETag, want.Seq = created.ETag, created.Seq
			if diff := cmp.Diff(want, created); diff != "" {
				t.Errorf("created operation (-want +got):\n%s", diff)
			}
			got := getOperation(t, s, tenantA, in.ID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetOperation (-want +got):\n%s", diff)
			}
			checkUTC(t, got.CreatedDateTime)
			if got.LastActionDateTime != nil {
				checkUTC(t, *got.LastActionDateTime)
			}
			list := listOperations(t, s, tenantA, industrydata.ListQuery{After: afterSeq(created.Seq - 1), Limit: 1})
			if diff := cmp.Diff([]industrydata.Operation{want}, list); diff != "" {
				t.Errorf("ListOperations (-want +got):\n%s", diff)
			}
		})
	}
}

func checkUTC(t *testing.T, v time.Time) {
	t.Helper()
	if v.Location() != time.UTC {
		t.Errorf("timestamp %v is in %v, want UTC", v, v.Location())
	}
}

func testOperationMissing(t *testing.T, s industrydata.Store) {
	_, err := s.GetOperation(t.Context(), tenantA, newID())
	wantErrIs(t, "GetOperation", err, industrydata.ErrNotFound)
	_, err = s.UpdateOperation(t.Context(), tenantA, who(t.Context()), newID(), func(*industrydata.Operation) error { return nil })
	wantErrIs(t, "UpdateOperation", err, industrydata.ErrNotFound)
	err = s.DeleteOperation(t.Context(), tenantA, who(t.Context()), newID(), nil)
	wantErrIs(t, "DeleteOperation", err, industrydata.ErrNotFound)
}

func testOperationTenantIsolation(t *testing.T, s industrydata.Store) {
	op := createOperation(t, s, tenantA, newOperation(t))
	ctx := t.Context()

	_, err := s.GetOperation(ctx, tenantB, op.ID)
	wantErrIs(t, "GetOperation from tenant B", err, industrydata.ErrNotFound)
	_, err = s.UpdateOperation(ctx, tenantB, who(ctx), op.ID, func(o *industrydata.Operation) error {
		t.Errorf("apply called with tenant A's operation %+v", *o)
		o.Status = industrydata.OperationFailed
		return nil
	})
	wantErrIs(t, "UpdateOperation from tenant B", err, industrydata.ErrNotFound)
	err = s.DeleteOperation(ctx, tenantB, who(ctx), op.ID, func(o industrydata.Operation) error {
		t.Errorf("check called with tenant A's operation %+v", o)
		return nil
	})
	wantErrIs(t, "DeleteOperation from tenant B", err, industrydata.ErrNotFound)
	if list := listOperations(t, s, tenantB, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("tenant B lists %d operations of tenant A", len(list))
	}
	if list := listOperations(t, s, tenantB, industrydata.ListQuery{Type: op.Type}); len(list) != 0 {
		t.Errorf("tenant B lists %d operations of tenant A by type", len(list))
	}
	if diff := cmp.Diff(op, getOperation(t, s, tenantA, op.ID)); diff != "" {
		t.Errorf("tenant A's operation changed (-want +got):\n%s", diff)
	}
}

// An id taken in one tenant must not be refused in another: the refusal
// would tell the second tenant the id exists elsewhere.
func testOperationSameIDTwoTenants(t *testing.T, s industrydata.Store) {
	a := createOperation(t, s, tenantA, newOperation(t))
	b := newOperation(t)
	b.ID = a.ID
	b.Status = industrydata.OperationRunning
	b = createOperation(t, s, tenantB, b)

	if _, err := s.UpdateOperation(t.Context(), tenantB, who(t.Context()), b.ID, func(o *industrydata.Operation) error {
		o.Status = industrydata.OperationSucceeded
		return nil
	}); err != nil {
		t.Fatalf("UpdateOperation in tenant B: %v", err)
	}
	if diff := cmp.Diff(a, getOperation(t, s, tenantA, a.ID)); diff != "" {
		t.Errorf("tenant A's operation changed by tenant B's update (-want +got):\n%s", diff)
	}
	if err := s.DeleteOperation(t.Context(), tenantA, who(t.Context()), a.ID, nil); err != nil {
		t.Fatalf("DeleteOperation in tenant A: %v", err)
	}
	if got := getOperation(t, s, tenantB, b.ID); got.Status != industrydata.OperationSucceeded {
		t.Errorf("tenant B's operation has status %q after tenant A's delete, want succeeded", got.Status)
	}
}

func testOperationDuplicateID(t *testing.T, s industrydata.Store) {
	first := createOperation(t, s, tenantA, newOperation(t))
	dup := newOperation(t)
	dup.ID = first.ID
	dup.Status = industrydata.OperationFailed
	err := s.CreateOperation(t.Context(), tenantA, who(t.Context()), &dup)
	wantErrIs(t, "CreateOperation with a taken id", err, industrydata.ErrDuplicate)
	if diff := cmp.Diff(first, getOperation(t, s, tenantA, first.ID)); diff != "" {
		t.Errorf("first operation changed (-want +got):\n%s", diff)
	}
}

func testOperationUpdate(t *testing.T, s industrydata.Store) {
	before := createOperation(t, s, tenantA, newOperation(t))
	var seen industrydata.Operation
	got, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), before.ID, func(o *industrydata.Operation) error {
		seen = *o
		o.Type = typeOtherOperation
		o.CreatedDateTime = ts(t, "2020-01-02T03:04:05.0000001Z")
		o.Status = industrydata.OperationSucceeded
		o.LastActionDateTime = ptr(ts(t, "2024-05-06T08:00:00.5Z"))
		o.StatusDetail = ptr("done")
		o.ResourceLocation = ptr("https://example.test/r/1")
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateOperation: %v", err)
	}
	if diff := cmp.Diff(before, seen); diff != "" {
		t.Errorf("apply saw (-want +got):\n%s", diff)
	}
	checkNewETag(t, got.ETag, before.ETag)
	want := industrydata.Operation{
		ID:                 before.ID,
		Type:               typeOtherOperation,
		ETag:               got.ETag,
		CreatedDateTime:    ts(t, "2020-01-02T03:04:05.0000001Z"),
		LastActionDateTime: ptr(ts(t, "2024-05-06T08:00:00.5Z")),
		Status:             industrydata.OperationSucceeded,
		StatusDetail:       ptr("done"),
		ResourceLocation:   ptr("https://example.test/r/1"),
		Seq:                before.Seq,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateOperation returned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, getOperation(t, s, tenantA, before.ID)); diff != "" {
		t.Errorf("GetOperation after update (-want +got):\n%s", diff)
	}

	// Clearing optional fields stores NULLs, not empty values.
	cleared, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), before.ID, func(o *industrydata.Operation) error {
		o.LastActionDateTime, o.StatusDetail, o.ResourceLocation = nil, nil, nil
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateOperation clearing fields: %v", err)
	}
	checkNewETag(t, cleared.ETag, before.ETag, got.ETag)
	want.ETag, want.LastActionDateTime, want.StatusDetail, want.ResourceLocation = cleared.ETag, nil, nil, nil
	if diff := cmp.Diff(want, getOperation(t, s, tenantA, before.ID)); diff != "" {
		t.Errorf("GetOperation after clearing (-want +got):\n%s", diff)
	}
}

func testOperationUpdateRejected(t *testing.T, s industrydata.Store) {
	before := newOperation(t)
	before.StatusDetail = ptr("original")
	before = createOperation(t, s, tenantA, before)
	_, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), before.ID, func(o *industrydata.Operation) error {
		// Change everything, including through the pointer, then refuse.
		*o.StatusDetail = "changed through the pointer"
		o.Type = typeOtherOperation
		o.Status = industrydata.OperationFailed
		o.ResourceLocation = ptr("https://example.test/nope")
		o.ETag = "forged"
		return errRejected
	})
	wantRejected(t, "UpdateOperation", err)
	if diff := cmp.Diff(before, getOperation(t, s, tenantA, before.ID)); diff != "" {
		t.Errorf("operation changed by a failed apply (-want +got):\n%s", diff)
	}
}

func testOperationUpdateIdentity(t *testing.T, s industrydata.Store) {
	before := createOperation(t, s, tenantA, newOperation(t))
	otherID := newID()
	got, err := s.UpdateOperation(t.Context(), tenantA, who(t.Context()), before.ID, func(o *industrydata.Operation) error {
		o.ID, o.Seq, o.Status = otherID, before.Seq+1000, industrydata.OperationRunning
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateOperation: %v", err)
	}
	if got.ID != before.ID || got.Seq != before.Seq {
		t.Errorf("UpdateOperation returned id %q seq %d, want %q %d", got.ID, got.Seq, before.ID, before.Seq)
	}
	if stored := getOperation(t, s, tenantA, before.ID); stored.Status != industrydata.OperationRunning {
		t.Errorf("status = %q, want running", stored.Status)
	}
	_, err = s.GetOperation(t.Context(), tenantA, otherID)
	wantErrIs(t, "GetOperation of the id apply set", err, industrydata.ErrNotFound)
}

func testOperationDelete(t *testing.T, s industrydata.Store) {
	op := createOperation(t, s, tenantA, newOperation(t))
	keep := createOperation(t, s, tenantA, newOperation(t))
	var seen industrydata.Operation
	if err := s.DeleteOperation(t.Context(), tenantA, who(t.Context()), op.ID, func(o industrydata.Operation) error {
		seen = o
		return nil
	}); err != nil {
		t.Fatalf("DeleteOperation: %v", err)
	}
	if diff := cmp.Diff(op, seen); diff != "" {
		t.Errorf("check saw (-want +got):\n%s", diff)
	}
	_, err := s.GetOperation(t.Context(), tenantA, op.ID)
	wantErrIs(t, "GetOperation after delete", err, industrydata.ErrNotFound)
	err = s.DeleteOperation(t.Context(), tenantA, who(t.Context()), op.ID, nil)
	wantErrIs(t, "second DeleteOperation", err, industrydata.ErrNotFound)
	if diff := cmp.Diff([]industrydata.Operation{keep}, listOperations(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListOperations after delete (-want +got):\n%s", diff)
	}
}

func testOperationDeleteRejected(t *testing.T, s industrydata.Store) {
	op := createOperation(t, s, tenantA, newOperation(t))
	err := s.DeleteOperation(t.Context(), tenantA, who(t.Context()), op.ID, func(industrydata.Operation) error { return errRejected })
	wantRejected(t, "DeleteOperation", err)
	if diff := cmp.Diff(op, getOperation(t, s, tenantA, op.ID)); diff != "" {
		t.Errorf("operation after failed delete (-want +got):\n%s", diff)
	}
}

func testOperationCancelled(t *testing.T, s industrydata.Store) {
	ctx := cancelled(t)
	op := newOperation(t)
	err := s.CreateOperation(ctx, tenantA, who(ctx), &op)
	wantErrIs(t, "CreateOperation", err, context.Canceled)
	_, err = s.GetOperation(t.Context(), tenantA, op.ID)
	wantErrIs(t, "GetOperation", err, industrydata.ErrNotFound)

	stored := createOperation(t, s, tenantA, newOperation(t))
	_, err = s.UpdateOperation(ctx, tenantA, who(ctx), stored.ID, func(o *industrydata.Operation) error {
		o.Status = industrydata.OperationFailed
		return nil
	})
	wantErrIs(t, "UpdateOperation", err, context.Canceled)
	err = s.DeleteOperation(ctx, tenantA, who(ctx), stored.ID, nil)
	wantErrIs(t, "DeleteOperation", err, context.Canceled)
	if diff := cmp.Diff(stored, getOperation(t, s, tenantA, stored.ID)); diff != "" {
		t.Errorf("operation changed by cancelled writes (-want +got):\n%s", diff)
	}
}
