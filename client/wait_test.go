package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// opScript serves one operation that takes each state of its script in
// turn, one per read (the last is kept).
type opScript struct {
	mu     sync.Mutex
	states []Operation
	reads  int
}

func (s *opScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	op := s.states[min(s.reads, len(s.states)-1)]
	s.reads++
	s.mu.Unlock()
	json.NewEncoder(w).Encode(op)
}

func state(status OperationStatus, detail string) Operation {
	op := Operation{Status: status}
	op.ID = "op"
	if detail != "" {
		op.StatusDetail = &detail
	}
	return op
}

func TestWaitForOperation(t *testing.T) {
	s := &opScript{states: []Operation{
		state(OperationNotStarted, ""),
		state(OperationRunning, "Started."),
		state(OperationRunning, "Started."),
		state(OperationRunning, "Started."),
		state(OperationRunning, "Started."),
		state(OperationRunning, "Checked 5 of 10 users."),
		state(OperationSucceeded, "Checked 10 of 10 users; 1 with issues."),
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	fs := &fakeSleep{}
	c := newTestClient(t, srv, fs, Options{PollInterval: 100 * time.Millisecond, MaxPollInterval: 200 * time.Millisecond})
	var seen []string
	op, err := c.WaitForOperation(t.Context(), srv.URL+"/beta/industryData/operations/op", func(op Operation) {
		seen = append(seen, string(op.Status)+" "+op.Detail())
	})
	if err != nil || op.Status != OperationSucceeded {
		t.Fatalf("WaitForOperation = %+v, %v", op, err)
	}
	want := []string{"notStarted ", "running Started.", "running Checked 5 of 10 users.", "succeeded Checked 10 of 10 users; 1 with issues."}
	if !slices.Equal(seen, want) {
		t.Errorf("progress %q, want %q", seen, want)
	}
	// Brisk after each change, half as long again after each reading
	// without one, up to the cap.
	ms := time.Millisecond
	wantWaits := []time.Duration{100 * ms, 100 * ms, 150 * ms, 200 * ms, 200 * ms, 100 * ms}
	if got := fs.recorded(); !slices.Equal(got, wantWaits) {
		t.Errorf("waits %v, want %v", got, wantWaits)
	}
}

// A failed operation is the result, not an error.
func TestWaitForOperationFailed(t *testing.T) {
	s := &opScript{states: []Operation{state(OperationFailed, "2 errors (missingFile 2)")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	op, err := c.WaitForOperation(t.Context(), "/beta/industryData/operations/op", nil)
	if err != nil || op.Status != OperationFailed || op.Detail() != "2 errors (missingFile 2)" {
		t.Fatalf("WaitForOperation = %+v, %v", op, err)
	}
}

func TestWaitForOperationStopsWithContext(t *testing.T) {
	s := &opScript{states: []Operation{state(OperationRunning, "Started.")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	fs := &fakeSleep{}
	c := newTestClient(t, srv, fs, Options{})
	op, err := c.WaitForOperation(ctx, "/beta/industryData/operations/op", func(Operation) { cancel() })
	if !errors.Is(err, context.Canceled) || op.Status != OperationRunning {
		t.Fatalf("WaitForOperation = %+v, %v; want the last reading and context.Canceled", op, err)
	}
	if s.reads != 1 {
		t.Errorf("%d reads, want 1", s.reads)
	}
}

func TestWaitForOperationGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"itemNotFound","message":"gone"}}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	_, err := c.WaitForOperation(t.Context(), "/beta/industryData/operations/op", nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 404 {
		t.Fatalf("error %v, want the 404", err)
	}
}
