package statuswriter

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriterKeepsTheFirstStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &Writer{ResponseWriter: rec}
	if w.Status != 0 {
		t.Fatal("a status before anything was written")
	}
	w.WriteHeader(http.StatusTeapot)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("x"))
	if w.Bytes != 1 {
		t.Errorf("Bytes %d, want 1", w.Bytes)
	}
	if w.Status != http.StatusTeapot {
		t.Errorf("Status %d, want the first, 418", w.Status)
	}
	w2 := &Writer{ResponseWriter: httptest.NewRecorder()}
	_, _ = w2.Write([]byte("x"))
	if w2.Status != http.StatusOK {
		t.Errorf("Status after a bare Write %d, want 200", w2.Status)
	}
	if w.Unwrap() != rec {
		t.Error("Unwrap does not give the wrapped writer")
	}
}
