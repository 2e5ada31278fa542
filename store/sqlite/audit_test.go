package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/store/internal/plantest"
	"industrydata/store/internal/sqlq"
)

// An export's pages, of all tenants or one, are one range scan in seq order
// (no sort, whatever the size of the log), and so are stamping a record and
// each probe of the search for "since".
func TestAuditQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
	tests := []struct {
		name string
		st   sqlq.Statement
		want string // a step of the plan
	}{
		{"every tenant", auditPage("", 10, 0), "SEARCH audit USING INTEGER PRIMARY KEY (rowid>?)"},
		{"one tenant", auditPage(tenant, 10, 0), "SEARCH audit USING INDEX audit_tenant_seq (tenant=? AND seq>?)"},
		{"first record from a seq", sqlq.Statement{SQL: qAuditFrom, Args: []any{1}}, "SEARCH audit USING INTEGER PRIMARY KEY (rowid>?)"},
		{"last record", sqlq.Statement{SQL: qAuditLast}, "SCAN audit"},
		{"stamp", sqlq.Statement{SQL: qInsertAudit, Args: make([]any, 11)}, "SCAN audit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plantest.SQLite(t, s.reader, tc.st)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q and no sort", tc.st.SQL, p, tc.want)
			}
		})
	}
}

// steppingClock returns times from a list, one a call, then the last one.
func steppingClock(times ...time.Time) industrydata.Clock {
	var n int
	return industrydata.ClockFunc(func() time.Time {
		now := times[min(n, len(times)-1)]
		n++
		return now
	})
}

// A clock set back does not stamp a record earlier than the one before it:
// the SQLite store keeps time from decreasing along seq (a guarantee of its
// own, beyond the AuditStore contract), so that "since" finds its start in
// the log by a binary search.
func TestAuditTimeNeverDecreases(t *testing.T) {
	t1 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	s := open(t, Config{Memory: true, Clock: steppingClock(t1, t1.Add(-time.Hour), t1.Add(time.Minute))})
	for _, id := range []string{"op-a", "op-b", "op-c"} {
		mustCreate(t, s, id)
	}
	recs, err := s.ListAudit(t.Context(), industrydata.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, r := range recs {
		got = append(got, r.Time)
	}
	if d := cmp.Diff([]time.Time{t1, t1, t1.Add(time.Minute)}, got); d != "" {
		t.Fatalf("record times (-want +got):\n%s", d)
	}
}

// "since" finds its start by a binary search over seq: check it against a
// filter of the whole log, from every position, with runs of equal times.
func TestAuditSinceSearch(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	var times []time.Time
	for i := range 50 {
		times = append(times, t0.Add(time.Duration(i/3)*time.Second)) // three records a second
	}
	s := open(t, Config{Memory: true, Clock: steppingClock(times...)})
	for i := range times {
		mustCreate(t, s, "op-"+string(rune('A'+i)))
	}
	all, err := s.ListAudit(t.Context(), industrydata.AuditQuery{})
	if err != nil || len(all) != len(times) {
		t.Fatalf("ListAudit: %d records, %v", len(all), err)
	}
	seqs := func(recs []industrydata.AuditRecord) (out []int64) {
		for _, r := range recs {
			out = append(out, r.Seq)
		}
		return out
	}
	for sec := -1; sec <= 18; sec++ {
		since := t0.Add(time.Duration(sec)*time.Second - time.Nanosecond)
		for _, after := range []int64{0, all[10].Seq, all[40].Seq} {
			var want []industrydata.AuditRecord
			for _, r := range all {
				if r.Seq > after && !r.Time.Before(since) {
					want = append(want, r)
				}
			}
			got, err := s.ListAudit(t.Context(), industrydata.AuditQuery{Since: since, After: industrydata.AuditPosition{Txn: after, Seq: after}})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(seqs(want), seqs(got)); d != "" {
				t.Errorf("since %v after %d (-want +got):\n%s", since, after, d)
			}
		}
	}
}
