// Package statuswriter remembers the status a handler sent, for access
// logs and for answering a panic only when nothing was sent yet.
package statuswriter

import "net/http"

// Writer wraps a ResponseWriter and keeps the first status written: the
// one given to WriteHeader, or 200 at the first Write. 0 means none yet.
// Bytes counts the body bytes written.
type Writer struct {
	http.ResponseWriter
	Status int
	Bytes  int64
}

// WriteHeader records code (the first time) and passes it on.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written, and passes b on.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.Bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
