package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/tracing"
)

// StartValidation validates what the data connector's upload session holds
// (SPEC §11): it creates a fileValidateOperation, notStarted, and queues
// the validation, which a worker executes. One validation of a connector
// runs at a time: a second is 409 while the first is in progress.
func (t *Tenant) StartValidation(ctx context.Context, connectorID string) (industrydata.Operation, error) {
	now := t.s.now()
	op := industrydata.Operation{
		ID:                 uuid.NewString(),
		Type:               industrydata.TypeFileValidateOperation,
		CreatedDateTime:    now,
		LastActionDateTime: &now,
		Status:             industrydata.OperationNotStarted,
	}
	in, err := t.validationInput(ctx, connectorID, now)
	if err != nil {
		return industrydata.Operation{}, err
	}
	in.TraceParent = tracing.Traceparent(ctx)
	err = t.s.store.StartValidation(ctx, t.id, t.actor, connectorID, &op, in.Encode(), func(inProgress bool) error {
		if inProgress {
			return industrydata.Errorf(industrydata.CodeConflict,
				"A validation of the data connector '%s' is in progress; wait for its operation to end.", clip(connectorID))
		}
		return nil
	})
	if err != nil {
		return industrydata.Operation{}, notFound(err, dataConnectors.kind, connectorID)
	}
	if t.s.opts.JobQueued != nil {
		t.s.opts.JobQueued()
	}
	return op, nil
}

// validationInput is what a validation of the connector started now reads:
// the files its upload session holds (none when it has no valid session),
// and the tenant's enabled roles, org types and grade levels.
func (t *Tenant) validationInput(ctx context.Context, connectorID string, now time.Time) (industrydata.ValidationInput, error) {
	var in industrydata.ValidationInput
	if _, err := t.Resources(dataConnectors.name).Get(ctx, connectorID); err != nil {
		return in, err
	}
	c, err := t.s.store.UploadContainerOf(ctx, t.id, connectorID, now)
	switch {
	case errors.Is(err, industrydata.ErrNotFound):
	case err != nil:
		return in, err
	default:
		blobs, err := t.s.store.ListBlobs(ctx, c.ID)
		if err != nil && !errors.Is(err, industrydata.ErrNotFound) {
			return in, err
		}
		for _, b := range blobs {
			in.Files = append(in.Files, industrydata.ValidatedFile{Name: b.Name, ContentID: b.ContentID, Size: b.Size})
		}
	}
	in.RosterCodes, err = t.rosterCodes(ctx)
	return in, err
}

// rosterCodes are the tenant's enabled roles, org types and grade levels,
// which validations and imports check a roster's files against.
func (t *Tenant) rosterCodes(ctx context.Context) (industrydata.RosterCodes, error) {
	var codes industrydata.RosterCodes
	defs, err := t.referenceDefinitionsByID(ctx)
	if err != nil {
		return codes, err
	}
	for _, d := range defs {
		if d.IsDisabled {
			continue
		}
		switch d.ReferenceType {
		case RefRole:
			codes.Roles = append(codes.Roles, d.Code)
		case RefOrgType:
			codes.OrgTypes = append(codes.OrgTypes, d.Code)
		case RefGradeLevel:
			codes.GradeLevels = append(codes.GradeLevels, d.Code)
		}
	}
	for _, c := range [][]string{codes.Roles, codes.OrgTypes, codes.GradeLevels} {
		slices.Sort(c)
	}
	return codes, nil
}
