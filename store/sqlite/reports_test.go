package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// appendJSONString writes what encoding/json writes for the strings that
// need escaping, and valid JSON for the others.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "org-1", "missingEmail", "Zoë", "a\"b", `a\b`, "tab\there", "\x00", "\xff\xfe", "<&>", "\u2028", "\U0001F600"} {
		got := appendJSONStrings(nil, []string{s, s})
		var back []string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s is not JSON: %v", s, got, err)
			continue
		}
		if want := decodeJSONString(t, s); back[0] != want || back[1] != want {
			t.Errorf("%q: %s reads back %q", s, got, back[0])
		}
	}
	if got := string(appendJSONStrings[string](nil, nil)); got != "[]" {
		t.Errorf("nil = %s, want []", got)
	}
}

// decodeJSONString is s as encoding/json round-trips it.
func decodeJSONString(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// encodeEntries splits a batch into a full statement per
// maxEntriesPerInsert entries and powers of two for the rest, and refuses
// a batch whose Seqs are not consecutive.
func TestEncodeEntries(t *testing.T) {
	entries := make([]industrydata.UserReportEntry, 2*maxEntriesPerInsert+13)
	for i := range entries {
		entries[i] = industrydata.UserReportEntry{Seq: int64(i + 1), SourcedID: fmt.Sprint("u", i), OrgSourcedIDs: []string{"o"}}
	}
	ins, err := encodeEntries(entries)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var seqs []int64
	for _, in := range ins {
		rows := (len(in.args) - 2) / entryParams
		sizes = append(sizes, rows)
		if strings.Count(in.query, "(?1, ?2 + ") != rows || (len(in.args)-2)%entryParams != 0 {
			t.Errorf("statement of %d rows has %d parameters", strings.Count(in.query, "(?1"), len(in.args))
		}
		for i := range rows {
			seqs = append(seqs, in.args[1].(int64)+int64(i))
			row := in.args[2+i*entryParams:]
			if row[0] != fmt.Sprint("u", in.args[1].(int64)+int64(i)-1) || row[3] != `["o"]` || row[5] != `[]` {
				t.Errorf("row %d of %d: %v", i, rows, row[:entryParams])
			}
		}
	}
	if want := fmt.Sprint([]int{maxEntriesPerInsert, maxEntriesPerInsert, 8, 4, 1}); fmt.Sprint(sizes) != want {
		t.Errorf("statement sizes %v, want %s", sizes, want)
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, s)
		}
	}
	entries[7].Seq = 100
	if _, err := encodeEntries(entries); err == nil {
		t.Error("a batch with a gap was accepted")
	}
}

// Listing a report's entries in order, after a cursor, and its lookups, are
// index range scans without sorting.
func TestReportQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
	list := func(q industrydata.ListQuery) sqlq.Statement {
		st, err := reportEntriesTable.List(sqlq.SQLite, int64(3), q)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	tests := []struct {
		name string
		st   sqlq.Statement
		want string
	}{
		{"entries after a cursor", list(industrydata.ListQuery{After: &industrydata.Cursor{Seq: 500}, Limit: 101}),
			"SEARCH report_entries USING PRIMARY KEY (report=? AND n>?)"},
		{"last entry", sqlq.Statement{SQL: qLastReportEntry, Args: []any{3}}, "SEARCH report_entries USING PRIMARY KEY (report=?)"},
		{"report by run", sqlq.Statement{SQL: qReportSeq, Args: []any{"t", "r"}}, "USING COVERING INDEX sqlite_autoindex_user_reports_1 (tenant=? AND run_id=?)"},
		{"roster chunk", sqlq.Statement{SQL: qRosterChunk, Args: []any{1, "users.csv", 0}}, "(roster=? AND file=? AND n=?)"},
		{"current roster", sqlq.Statement{SQL: qCurrentRoster, Args: []any{"t"}}, "SEARCH rosters USING INDEX"},
		{"unpinned rosters", sqlq.Statement{SQL: qDeleteUnpinnedRosters, Args: []any{"t"}}, "USING COVERING INDEX runs_roster_in_progress (tenant=? AND roster_id=?)"},
		{"stale staging rosters", sqlq.Statement{SQL: qDeleteStaleStaging, Args: []any{1}}, "USING INDEX rosters_staging (created_ticks<?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(t, s, tc.st)
			if !strings.Contains(p, tc.want) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant %q and no TEMP B-TREE", tc.st.SQL, p, tc.want)
			}
		})
	}
}

// benchEntries returns n entries from seq first, shaped like a roster's.
func benchEntries(first int64, n int) []industrydata.UserReportEntry {
	out := make([]industrydata.UserReportEntry, n)
	roles := []string{"student", "student", "student", "teacher", "administrator", "guardian"}
	for i := range out {
		seq := first + int64(i)
		e := industrydata.UserReportEntry{
			Seq:           seq,
			SourcedID:     fmt.Sprintf("user-%08d", seq),
			Username:      fmt.Sprintf("user.%d@school.example", seq),
			Role:          roles[seq%int64(len(roles))],
			OrgSourcedIDs: []string{fmt.Sprintf("org-%d", seq%40)},
			IsActive:      seq%9 != 0,
		}
		if seq%7 == 0 {
			e.OrgSourcedIDs = append(e.OrgSourcedIDs, "org-district")
		}
		if seq%11 == 0 {
			e.Issues = []industrydata.UserReportIssue{industrydata.IssueMissingEmail, industrydata.IssueUnknownOrg}
		}
		out[i] = e
	}
	return out
}

// BenchmarkAppendReportEntries appends a report of 100k entries in batches
// of 5000, as a runner does, to a file store (every batch one commit, with
// its fsync), each iteration to a run of its own. entries/s is the rate.
func BenchmarkAppendReportEntries(b *testing.B) {
	b.Run("file", func(b *testing.B) { benchmarkAppendReportEntries(b, openFile(b)) })
	b.Run("memory", func(b *testing.B) { benchmarkAppendReportEntries(b, openMemory(b)) })
}

func benchmarkAppendReportEntries(b *testing.B, s *Store) {
	const total, batch = 100_000, 5000
	ctx := b.Context()
	batches := make([][]industrydata.UserReportEntry, total/batch)
	for i := range batches {
		batches[i] = benchEntries(int64(i*batch+1), batch)
	}
	start := time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)
	var appended int64
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p := industrydata.Process{ID: fmt.Sprint("p-", i), Type: industrydata.TypeProcess, ReadinessStatus: industrydata.ReadinessReady, CreatedAt: start}
		if err := s.CreateProcess(ctx, tenant, &p); err != nil {
			b.Fatal(err)
		}
		r := industrydata.Run{ID: fmt.Sprint("r-", i), StartDateTime: start}
		op := industrydata.Operation{ID: fmt.Sprint("op-", i), Type: "microsoft.graph.longRunningOperation", CreatedDateTime: start, Status: industrydata.OperationNotStarted}
		if err := s.StartRun(ctx, tenant, p.ID, &r, &op, nil); err != nil {
			b.Fatal(err)
		}
		c, ok, err := s.ClaimRun(ctx, "bench", start, time.Hour)
		if err != nil || !ok || c.RunID != r.ID {
			b.Fatalf("ClaimRun = %+v, %v, %v", c, ok, err)
		}
		t0 := time.Now()
		b.StartTimer()
		for _, entries := range batches {
			if err := s.AppendReportEntries(ctx, c, entries); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		elapsed += time.Since(t0)
		appended += total
		b.StartTimer()
	}
	b.ReportMetric(float64(appended)/elapsed.Seconds(), "entries/s")
}
