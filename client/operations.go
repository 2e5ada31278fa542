package client

import (
	"context"
	"time"
)

// Operation is microsoft.graph.longRunningOperation, and its derived
// fileValidateOperation (ODataType says which): the record of some
// asynchronous work, a run's or a validation's.
type Operation struct {
	Entity
	CreatedDateTime    time.Time       `json:"createdDateTime,omitzero"`
	LastActionDateTime *time.Time      `json:"lastActionDateTime,omitempty"`
	Status             OperationStatus `json:"status,omitempty"`
	StatusDetail       *string         `json:"statusDetail,omitempty"`
	ResourceLocation   *string         `json:"resourceLocation,omitempty"`
	// ValidatedFiles, Errors and Warnings are a fileValidateOperation's:
	// the files the validation read, and the problems it found.
	ValidatedFiles []string      `json:"validatedFiles,omitempty"`
	Errors         []PublicError `json:"errors,omitempty"`
	Warnings       []PublicError `json:"warnings,omitempty"`
}

// Detail is the operation's statusDetail, "" for null.
func (o Operation) Detail() string { return deref(o.StatusDetail) }

// Location is the operation's resourceLocation, "" for null: where a
// finished run's report is.
func (o Operation) Location() string { return deref(o.ResourceLocation) }

// Done reports whether the operation has ended, succeeded or failed.
func (o Operation) Done() bool { return o.Status == OperationSucceeded || o.Status == OperationFailed }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// OperationUpdate is a PATCH of an operation: each field left at its zero
// value is left out; Null clears a nullable one.
type OperationUpdate struct {
	CreatedDateTime    Optional[time.Time]       `json:"createdDateTime,omitzero"`
	LastActionDateTime Optional[time.Time]       `json:"lastActionDateTime,omitzero"`
	Status             Optional[OperationStatus] `json:"status,omitzero"`
	StatusDetail       Optional[string]          `json:"statusDetail,omitzero"`
	ResourceLocation   Optional[string]          `json:"resourceLocation,omitzero"`
}

// Operations is the set of the tenant's long-running operations.
func (c *Client) Operations() *Set[Operation] { return newSet[Operation](c, "operations", "") }

// GetOperationAt reads the operation at location: a Location header or a
// path, as the service wrote it.
func (c *Client) GetOperationAt(ctx context.Context, location string) (Operation, error) {
	var op Operation
	h, err := c.getJSON(ctx, location, "", &op)
	setVersion(&op, h)
	return op, err
}
