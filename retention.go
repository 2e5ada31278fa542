package industrydata

import (
	"context"
	"time"
)

// Retention is how long the service keeps what Graph treats as
// ephemeral. A zero duration or count keeps that kind forever.
type Retention struct {
	// Operations: a finished operation (succeeded or failed) goes this
	// long after its last action (its creation when it has none).
	Operations time.Duration
	// RunsKept and Runs: the newest RunsKept runs of each process and of
	// each flow are kept, and none older than Runs.
	RunsKept int
	Runs     time.Duration
	// Audit: an audit record goes this long after it was written.
	Audit time.Duration
	// UploadBlocks: a block never committed goes this long after it was
	// staged. An upload session itself goes at its expiry, with its blobs
	// and blocks (what a validated set or a flow holds stays).
	UploadBlocks time.Duration
}

// DefaultRetention is the retention of a production service.
var DefaultRetention = Retention{
	Operations:   30 * 24 * time.Hour,
	RunsKept:     10,
	Runs:         90 * 24 * time.Hour,
	Audit:        365 * 24 * time.Hour,
	UploadBlocks: time.Hour,
}

// CleanupKind is a kind of data the cleanup removes.
type CleanupKind string

// The kinds the cleanup removes, in the order it sweeps them.
const (
	CleanupOperations     CleanupKind = "operations"
	CleanupAudit          CleanupKind = "audit"
	CleanupUploadSessions CleanupKind = "uploadSessions"
	CleanupUploadBlocks   CleanupKind = "uploadBlocks"
)

// CleanupKinds lists the kinds in sweep order.
var CleanupKinds = []CleanupKind{CleanupOperations, CleanupAudit, CleanupUploadSessions, CleanupUploadBlocks}

// Cutoff is the instant before which data of kind goes under r at now;
// false when r keeps that kind forever.
func (r Retention) Cutoff(kind CleanupKind, now time.Time) (time.Time, bool) {
	var d time.Duration
	switch kind {
	case CleanupOperations:
		d = r.Operations
	case CleanupAudit:
		d = r.Audit
	case CleanupUploadBlocks:
		d = r.UploadBlocks
	case CleanupUploadSessions:
		return now, true // an expired session serves no request
	}
	if d <= 0 {
		return time.Time{}, false
	}
	return now.Add(-d), true
}

// Swept is what a sweep removed, or would remove, of one kind: rows and,
// where the kind holds uploaded bytes, their size.
type Swept struct {
	Rows  int64
	Bytes int64
}

// Add adds o to s.
func (s *Swept) Add(o Swept) {
	s.Rows += o.Rows
	s.Bytes += o.Bytes
}

// CleanupStore removes what retention lets go, a bounded batch at a time.
type CleanupStore interface {
	// Sweep deletes, in one transaction, at most limit of the rows of kind
	// that fell out of retention before cutoff, and returns what went.
	// Fewer than limit rows means none was left. Nothing still referenced
	// goes: the operation of a job in progress, an upload session (or its
	// blocks) whose connector is being validated, content a validated set
	// or a flow holds.
	Sweep(ctx context.Context, kind CleanupKind, cutoff time.Time, limit int) (Swept, error)
	// Sweepable counts what Sweep would remove of kind, without limit.
	Sweepable(ctx context.Context, kind CleanupKind, cutoff time.Time) (Swept, error)
}
