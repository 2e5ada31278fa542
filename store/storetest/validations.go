package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

var validationTests = []test{
	{"a validation of a missing or another tenant's connector is not found", testValidationConnectorMissing},
	{"a started validation is an operation and a job of the queue", testValidationStart},
	{"check sees a validation in progress and its error writes nothing", testValidationInProgress},
	{"finish writes the findings and the validated set and leaves the queue", testValidationFinish},
	{"a failed validation leaves the validated set as it was", testValidationFailedKeepsSet},
	{"a claim taken over cannot finish", testValidationLeaseLost},
}

// connector stores a data connector of tenant and returns its id.
func connector(t *testing.T, s industrydata.Store, tenant industrydata.TenantID) string {
	t.Helper()
	r := industrydata.Resource{Set: "dataConnectors", ID: newID(), Type: "microsoft.graph.industryData.azureDataLakeConnector", Doc: []byte(`{}`)}
	if err := s.CreateResource(t.Context(), tenant, who(t.Context()), &r, 0); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func validationOp(t *testing.T) industrydata.Operation {
	op := newOperation(t)
	op.Type = industrydata.TypeFileValidateOperation
	op.Status = industrydata.OperationNotStarted
	return op
}

func startValidation(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, connectorID string) industrydata.Operation {
	t.Helper()
	op := validationOp(t)
	if err := s.StartValidation(t.Context(), tenant, who(t.Context()), connectorID, &op, []byte(`{"files":1}`), nil); err != nil {
		t.Fatalf("StartValidation: %v", err)
	}
	return op
}

func claimValidation(t *testing.T, s industrydata.Store, owner string) industrydata.JobClaim {
	t.Helper()
	c, ok, err := s.ClaimJob(t.Context(), owner, leaseT0(t), leaseTTL, industrydata.JobValidation)
	if err != nil || !ok {
		t.Fatalf("ClaimJob(validation) = %v, %v", ok, err)
	}
	return c
}

func testValidationConnectorMissing(t *testing.T, s industrydata.Store) {
	other := connector(t, s, tenantB)
	for _, id := range []string{newID(), other} {
		op := validationOp(t)
		err := s.StartValidation(t.Context(), tenantA, who(t.Context()), id, &op, nil, nil)
		wantErrIs(t, "StartValidation", err, industrydata.ErrNotFound)
		if _, err := s.GetOperation(t.Context(), tenantA, op.ID); !errors.Is(err, industrydata.ErrNotFound) {
			t.Errorf("the refused validation's operation exists: %v", err)
		}
	}
	wantNoClaim(t, s, "v", leaseT0(t))
}

func testValidationStart(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	op := startValidation(t, s, tenantA, conn)
	got, err := s.GetOperation(t.Context(), tenantA, op.ID)
	if err != nil || got.Type != industrydata.TypeFileValidateOperation || got.Status != industrydata.OperationNotStarted || got.ETag == "" {
		t.Fatalf("operation %+v, %v", got, err)
	}
	// A claim of runs does not take it; a claim of validations does.
	if _, ok, _ := s.ClaimJob(t.Context(), "r", leaseT0(t), leaseTTL, industrydata.JobRun); ok {
		t.Fatal("a claim of runs took the validation")
	}
	c := claimValidation(t, s, "v")
	want := industrydata.JobClaim{Kind: industrydata.JobValidation, Tenant: tenantA, ID: op.ID, ConnectorID: conn,
		OperationID: op.ID, Owner: "v", Attempt: 1, Expires: leaseT0(t).Add(leaseTTL), Payload: []byte(`{"files":1}`)}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("claim (-want +got):\n%s", diff)
	}
	if err := s.UpdateJobProgress(t.Context(), c, "Reading users.csv", leaseT0(t)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetOperation(t.Context(), tenantA, op.ID); got.Status != industrydata.OperationRunning || *got.StatusDetail != "Reading users.csv" {
		t.Errorf("after progress: %+v", got)
	}
}

func testValidationInProgress(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	startValidation(t, s, tenantA, conn)
	refused := errors.New("refused")
	op := validationOp(t)
	var saw bool
	err := s.StartValidation(t.Context(), tenantA, who(t.Context()), conn, &op, nil, func(inProgress bool) error {
		saw = inProgress
		return refused
	})
	if !errors.Is(err, refused) || !saw {
		t.Fatalf("StartValidation = %v (in progress %v); want check's error, having seen one in progress", err, saw)
	}
	if _, err := s.GetOperation(t.Context(), tenantA, op.ID); !errors.Is(err, industrydata.ErrNotFound) {
		t.Errorf("the refused validation's operation exists: %v", err)
	}
}

// validatedContent uploads users.csv to the connector's container and
// returns it as a validated file.
func validatedContent(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, conn string) industrydata.ValidatedFile {
	c, _ := currentContainer(t, s, tenant, conn, leaseT0(t), false)
	b := putBlob(t, s, c.ID, "users.csv", []byte("sourcedId\n"))
	return industrydata.ValidatedFile{Name: b.Name, ContentID: b.ContentID, Size: b.Size}
}

func testValidationFinish(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	file := validatedContent(t, s, tenantA, conn)
	op := startValidation(t, s, tenantA, conn)
	c := claimValidation(t, s, "v")
	out := industrydata.ValidationOutcome{OperationStatus: industrydata.OperationSucceeded, StatusDetail: "1 file, 0 errors, 1 warning",
		LastActionDateTime: leaseT0(t), ValidatedFiles: []string{"users.csv"},
		Warnings: []industrydata.PublicError{{Code: "missingEmail", Message: "m", Target: "users.csv:2:13"}},
		Files:    []industrydata.ValidatedFile{file}}
	if err := s.FinishValidation(t.Context(), c, out); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetOperation(t.Context(), tenantA, op.ID)
	if err != nil || got.Status != industrydata.OperationSucceeded || *got.StatusDetail != out.StatusDetail ||
		!cmp.Equal(got.Warnings, out.Warnings) || !cmp.Equal(got.ValidatedFiles, out.ValidatedFiles) || len(got.Errors) != 0 || got.ETag == op.ETag {
		t.Errorf("operation after finish: %+v, %v", got, err)
	}
	set, err := s.ValidatedFiles(t.Context(), tenantA, conn)
	if err != nil || !cmp.Equal(set, []industrydata.ValidatedFile{file}) {
		t.Errorf("validated set %+v, %v", set, err)
	}
	wantNoClaim(t, s, "v2", leaseT0(t).Add(leaseTTL*2))
	err = s.FinishValidation(t.Context(), c, out)
	wantErrIs(t, "a second FinishValidation", err, industrydata.ErrLeaseLost)
}

func testValidationFailedKeepsSet(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	file := validatedContent(t, s, tenantA, conn)
	if err := s.SetValidatedFiles(t.Context(), tenantA, conn, []industrydata.ValidatedFile{file}); err != nil {
		t.Fatal(err)
	}
	startValidation(t, s, tenantA, conn)
	c := claimValidation(t, s, "v")
	out := industrydata.ValidationOutcome{OperationStatus: industrydata.OperationFailed, StatusDetail: "1 error",
		LastActionDateTime: leaseT0(t), Errors: []industrydata.PublicError{{Code: "missingColumn", Message: "m"}}}
	if err := s.FinishValidation(t.Context(), c, out); err != nil {
		t.Fatal(err)
	}
	if set, err := s.ValidatedFiles(t.Context(), tenantA, conn); err != nil || !cmp.Equal(set, []industrydata.ValidatedFile{file}) {
		t.Errorf("validated set after a failed validation: %+v, %v", set, err)
	}
}

func testValidationLeaseLost(t *testing.T, s industrydata.Store) {
	conn := connector(t, s, tenantA)
	op := startValidation(t, s, tenantA, conn)
	old := claimValidation(t, s, "a")
	c, ok, err := s.ClaimJob(t.Context(), "b", leaseT0(t).Add(2*leaseTTL), leaseTTL, industrydata.JobValidation)
	if err != nil || !ok || c.Attempt != 2 {
		t.Fatalf("reclaim = %+v, %v, %v", c, ok, err)
	}
	out := industrydata.ValidationOutcome{OperationStatus: industrydata.OperationFailed, StatusDetail: "x", LastActionDateTime: leaseT0(t)}
	err = s.FinishValidation(t.Context(), old, out)
	wantErrIs(t, "FinishValidation of the old claim", err, industrydata.ErrLeaseLost)
	if got, _ := s.GetOperation(t.Context(), tenantA, op.ID); got.Status != industrydata.OperationNotStarted {
		t.Errorf("the old claim changed the operation: %+v", got)
	}
}
