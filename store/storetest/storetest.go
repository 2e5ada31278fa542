// Package storetest is the conformance suite of industrydata.Store: every
// store (SQLite, PostgreSQL) runs it and must pass it unchanged.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) industrydata.Store {
//			s := openMyStore(t)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"industrydata"
)

// Run runs every conformance test against stores made by open. Each subtest
// calls open once and gets a store of its own, empty and migrated; open
// registers the store's cleanup with t.
func Run(t *testing.T, open func(t *testing.T) industrydata.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"store", storeTests},
		{"operation", operationTests},
		{"process", processTests},
		{"run", runTests},
		{"lease", leaseTests},
		{"activity", activityTests},
		{"flow", flowTests},
		{"report", reportTests},
		{"tenant", tenantTests},
		{"resource", resourceTests},
		{"upload", uploadTests},
		{"validation", validationTests},
		{"paging", pagingTests},
		{"query", queryTests},
		{"concurrency", concurrencyTests},
		{"audit", auditTests},
		{"cleanup", cleanupTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, open(t))
				})
			}
		})
	}
}

var storeTests = []test{
	{"fresh store answers ping", func(t *testing.T, s industrydata.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}},
}

// test is one conformance test; its name says the outcome it checks.
type test struct {
	name string
	run  func(t *testing.T, s industrydata.Store)
}

// Tenants used throughout: the suite's entities live in tenantA unless a
// test needs another.
const (
	tenantA industrydata.TenantID = "00000000-0000-0000-0000-00000000000a"
	tenantB industrydata.TenantID = "00000000-0000-0000-0000-00000000000b"
)

// tenantN is the n-th of further tenants, for tests that need many (one
// run in progress each, say).
func tenantN(n int) industrydata.TenantID {
	return industrydata.TenantID(fmt.Sprintf("00000000-0000-0000-0000-1%011d", n))
}

// Type names of operations; the store keeps any type name as it is.
const (
	typeOperation      = "microsoft.graph.longRunningOperation"
	typeOtherOperation = "microsoft.graph.industryData.fileValidateOperation"
)

var idSeq atomic.Int64

// newID returns an id unique within the test binary, shaped like the
// service's GUIDs.
func newID() string {
	return fmt.Sprintf("7e57da7a-0000-4000-8000-%012d", idSeq.Add(1))
}

// ts parses an RFC 3339 timestamp; the suite's timestamps are constants.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad timestamp %q: %v", s, err)
	}
	return v.UTC()
}

func ptr[T any](v T) *T { return &v }

// newOperation returns a valid operation with a fresh id.
func newOperation(t *testing.T) industrydata.Operation {
	return industrydata.Operation{
		ID:              newID(),
		Type:            typeOperation,
		CreatedDateTime: ts(t, "2024-05-06T07:08:09.1234567Z"),
		Status:          industrydata.OperationNotStarted,
	}
}

// newProcess returns a valid ordinary process with a fresh id.
func newProcess(t *testing.T) industrydata.Process {
	return industrydata.Process{
		ID:              newID(),
		Type:            typeProcess,
		DisplayName:     "Nightly sync",
		ReadinessStatus: industrydata.ReadinessNotReady,
		CreatedAt:       ts(t, "2024-05-06T07:08:09.1234567Z"),
	}
}

// newSystemProcess returns the process a tenant is provisioned with.
func newSystemProcess(t *testing.T) industrydata.Process {
	p := newProcess(t)
	p.Type = industrydata.TypeUserReportRefreshProcess
	p.DisplayName = industrydata.DefaultUserReportRefreshProcessName
	return p
}

func createOperation(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, op industrydata.Operation) industrydata.Operation {
	t.Helper()
	if err := s.CreateOperation(t.Context(), tenant, who(t.Context()), &op); err != nil {
		t.Fatalf("CreateOperation(%s): %v", op.ID, err)
	}
	return op
}

func createProcess(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, p industrydata.Process) industrydata.Process {
	t.Helper()
	if err := s.CreateProcess(t.Context(), tenant, who(t.Context()), &p); err != nil {
		t.Fatalf("CreateProcess(%s): %v", p.ID, err)
	}
	return p
}

func getOperation(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) industrydata.Operation {
	t.Helper()
	op, err := s.GetOperation(t.Context(), tenant, id)
	if err != nil {
		t.Fatalf("GetOperation(%s): %v", id, err)
	}
	return op
}

func getProcess(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) industrydata.Process {
	t.Helper()
	p, err := s.GetProcess(t.Context(), tenant, id)
	if err != nil {
		t.Fatalf("GetProcess(%s): %v", id, err)
	}
	return p
}

func listOperations(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) []industrydata.Operation {
	t.Helper()
	ops, err := s.ListOperations(t.Context(), tenant, q)
	if err != nil {
		t.Fatalf("ListOperations(%+v): %v", q, err)
	}
	return ops
}

func listProcesses(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) []industrydata.Process {
	t.Helper()
	ps, err := s.ListProcesses(t.Context(), tenant, q)
	if err != nil {
		t.Fatalf("ListProcesses(%+v): %v", q, err)
	}
	return ps
}

// wantErrIs fails unless errors.Is(err, target).
func wantErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// checkNewETag fails unless etag is usable as an HTTP entity tag and differs
// from every earlier one given.
func checkNewETag(t *testing.T, etag string, earlier ...string) {
	t.Helper()
	if etag == "" || strings.ContainsAny(etag, "\"\\\r\n") {
		t.Fatalf("eTag %q is empty or holds a character an ETag header cannot", etag)
	}
	for _, e := range earlier {
		if etag == e {
			t.Fatalf("eTag %q did not change", etag)
		}
	}
}

// errRejected is what the suite's failing apply and check funcs return.
var errRejected = &industrydata.Error{Code: industrydata.CodePreconditionFailed, Message: "rejected by the test"}

// wantRejected fails unless err is errRejected itself, as the store must
// return apply's and check's errors unchanged.
func wantRejected(t *testing.T, what string, err error) {
	t.Helper()
	var e *industrydata.Error
	if !errors.As(err, &e) || e != errRejected {
		t.Fatalf("%s: got error %v, want the apply/check error unchanged", what, err)
	}
}

// cancelled returns a context that is already done.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// afterSeq is the keyset cursor of a walk in insertion order.
func afterSeq(seq int64) *industrydata.Cursor {
	return &industrydata.Cursor{Seq: seq}
}
