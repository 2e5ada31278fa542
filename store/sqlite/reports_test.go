package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"industrydata"
	"industrydata/store/internal/sqlq"
)

// encodeBlocks cuts a batch into blocks of at most maxBlockEntries, and
// refuses a batch whose Seqs are not consecutive.
func TestEncodeBlocks(t *testing.T) {
	entries := benchEntries(7, 2*maxBlockEntries+13)
	blocks, err := encodeBlocks(entries)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range blocks {
		got = append(got, fmt.Sprint(b.first, "+", b.entries))
	}
	want := []string{fmt.Sprint(7, "+", maxBlockEntries), fmt.Sprint(7+maxBlockEntries, "+", maxBlockEntries), fmt.Sprint(7+2*maxBlockEntries, "+", 13)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("blocks %v, want %v", got, want)
	}
	entries[7].Seq = 100
	if _, err := encodeBlocks(entries); err == nil {
		t.Error("a batch with a gap was accepted")
	}
}

// Listing a report's entries in order, after a cursor, and its lookups, are
// index range scans without sorting.
func TestReportQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
	tests := []struct {
		name string
		st   sqlq.Statement
		want string
	}{
		{"blocks from an entry on", sqlq.Statement{SQL: qBlocksFrom, Args: []any{3, 500}},
			"SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=? AND first_seq>?)"},
		{"block holding an entry", sqlq.Statement{SQL: qBlocksFrom, Args: []any{3, 500}},
			"SEARCH report_blocks USING COVERING INDEX sqlite_autoindex_report_blocks_1 (report=? AND first_seq<?)"},
		{"last entry", sqlq.Statement{SQL: qLastBlockEntry, Args: []any{3}}, "SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=?)"},
		{"count", sqlq.Statement{SQL: qCountEntries, Args: []any{3}}, "SEARCH report_blocks USING INDEX sqlite_autoindex_report_blocks_1 (report=?)"},
		{"report by run", sqlq.Statement{SQL: qReportSeq, Args: []any{"t", "r"}}, "USING COVERING INDEX sqlite_autoindex_user_reports_1 (tenant=? AND run_id=?)"},
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
