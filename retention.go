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
	// each flow are kept, and none that ended longer than Runs ago. A run
	// goes with its activities and its user report; never a run in
	// progress, the run whose import made a flow's current data, or the
	// newest run with a report of each process (its current report).
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
	CleanupOperations CleanupKind = "operations"
	CleanupRuns       CleanupKind = "runs"
	CleanupAudit      CleanupKind = "audit"
	// CleanupValidatedSets: the validated set of a data connector that
	// was deleted, which no flow can import any more (a connector a flow
	// refers to cannot be deleted), with the contents nothing else holds.
	CleanupValidatedSets  CleanupKind = "validatedSets"
	CleanupUploadSessions CleanupKind = "uploadSessions"
	CleanupUploadBlocks   CleanupKind = "uploadBlocks"
)

// CleanupKinds lists the kinds in sweep order: validated sets before
// upload sessions, so that the session that held a dropped set's files
// frees their bytes in the same cleanup.
var CleanupKinds = []CleanupKind{CleanupOperations, CleanupRuns, CleanupAudit, CleanupValidatedSets,
	CleanupUploadSessions, CleanupUploadBlocks}

// Cutoff is what a sweep of one kind lets go.
type Cutoff struct {
	// Before: what fell out of retention before this instant goes. The
	// zero time lets nothing go by age.
	Before time.Time
	// Keep, for runs: what is not among the newest Keep runs of its
	// process or of one of its flows goes too, whatever its age; 0 keeps
	// runs by age only.
	Keep int
	// Now, for runs: a run pinned (ReportPinStore) until after this
	// instant stays, and the pins expired at it go. The zero time holds
	// every pin.
	Now time.Time
}

// Cutoff is what r lets go of kind at now; false when r keeps that kind
// forever.
func (r Retention) Cutoff(kind CleanupKind, now time.Time) (Cutoff, bool) {
	var d time.Duration
	switch kind {
	case CleanupOperations:
		d = r.Operations
	case CleanupAudit:
		d = r.Audit
	case CleanupUploadBlocks:
		d = r.UploadBlocks
	case CleanupUploadSessions, CleanupValidatedSets:
		// An expired session serves no request; a deleted connector's
		// set serves no import.
		return Cutoff{Before: now}, true
	case CleanupRuns:
		if r.Runs <= 0 && r.RunsKept <= 0 {
			return Cutoff{}, false
		}
		c := Cutoff{Keep: max(r.RunsKept, 0), Now: now}
		if r.Runs > 0 {
			c.Before = now.Add(-r.Runs)
		}
		return c, true
	}
	if d <= 0 {
		return Cutoff{}, false
	}
	return Cutoff{Before: now.Add(-d)}, true
}

// Swept is what a sweep removed, or would remove, of one kind: rows and
// the bytes they held (uploaded bytes, report entries, audit changes).
type Swept struct {
	Rows  int64
	Bytes int64
}

// Add adds o to s.
func (s *Swept) Add(o Swept) {
	s.Rows += o.Rows
	s.Bytes += o.Bytes
}

// CleanupJobID is the id of the cleanup's job (JobCleanup): there is one
// at most, queued or running, across every replica.
const CleanupJobID = "cleanup"

// CleanupStore removes what retention lets go, a bounded batch at a time.
type CleanupStore interface {
	// Sweep deletes, in one transaction, at most limit of the rows of kind
	// that cutoff lets go, oldest first, and returns what went. Fewer than
	// limit rows means none was left. Nothing still referenced goes: the
	// operation of a job in progress, a run in progress or one a flow's
	// current data or a process's current report needs, an upload session
	// (or its blocks) whose connector is being validated, content a
	// validated set or a flow holds. An audit sweep always keeps the
	// newest record, whose seq the next record's follows.
	Sweep(ctx context.Context, kind CleanupKind, cutoff Cutoff, limit int) (Swept, error)
	// Sweepable counts what Sweep would remove of kind, without limit.
	Sweepable(ctx context.Context, kind CleanupKind, cutoff Cutoff) (Swept, error)
	// ExpiredAudit returns the audit records an audit Sweep would delete
	// next, at most limit, oldest first (Txn is not set), for an archive
	// to keep before DeleteAudit deletes them.
	ExpiredAudit(ctx context.Context, before time.Time, limit int) ([]AuditRecord, error)
	// DeleteAudit deletes the audit records of seqs, in one transaction,
	// and returns what went.
	DeleteAudit(ctx context.Context, seqs []int64) (Swept, error)
	// OldestKept is the time the retention of kind counts from, of the
	// oldest record of kind still stored: a finished operation's last
	// action, a run's start, an audit record's time, a session's expiry,
	// a block's staging; false when there is none, or kind has no such
	// time (validated sets).
	OldestKept(ctx context.Context, kind CleanupKind) (time.Time, bool, error)
	// QueueCleanup queues the cleanup's job (JobCleanup, of no tenant)
	// unless it is queued or running already, and reports whether it did:
	// replicas that queue it at once queue one job.
	QueueCleanup(ctx context.Context) (bool, error)
	// FinishCleanup takes the cleanup's job off the queue while c holds
	// it (else ErrLeaseLost).
	FinishCleanup(ctx context.Context, c JobClaim) error
}

// SpaceReclaimer is a store whose deletions leave free space in its file
// that it gives back in steps (SQLite's incremental vacuum). A store
// whose database does this itself (PostgreSQL's autovacuum) is none.
type SpaceReclaimer interface {
	// Reclaim gives back at most pages free pages, in one short write,
	// and returns the free pages left.
	Reclaim(ctx context.Context, pages int) (left int64, err error)
}
