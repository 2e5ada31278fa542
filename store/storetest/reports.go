package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// reportTests check user reports (SPEC §10): entries appended under the
// run's lease, the report stored when the run finishes, visible whole or
// not at all, and queried like any collection.
var reportTests = []test{
	{"a finished run's report and entries round-trip", testReportRoundTrip},
	{"an empty report round-trips", testReportEmpty},
	{"entries are appended only while the lease is held", testReportEntriesFenced},
	{"entry seqs must continue the stored ones", testReportEntrySeqs},
	{"reset entries start the report again", testReportReset},
	{"a run without a report has none", testReportMissing},
	{"another tenant's report is not found", testReportTenantIsolation},
	{"entry queries match the reference evaluator", testReportQueries},
	{"a large report pages, sorts and counts like the reference", testReportLarge},
	{"deleting a process deletes its reports", testReportDeleteProcess},
}

// reportEntries returns n entries from seq first whose values trip up
// engines: case, prefixes, non-ASCII, quotes, empty strings and
// collections, repeated elements. Their flows come in runs of 16 entries,
// as a report lists each flow's users together, and one is "", as in a
// report stored before flows.
func reportEntries(first int64, n int) []industrydata.UserReportEntry {
	roles := []string{"student", "teacher", "administrator", "student", "guardian", "Teacher", "", "aide"}
	names := []string{"zoe", "Zoë", "ZOE", "", "a'b", "anna", "Anna", "zo", "b%c_d", "x\U0001F600"}
	orgs := [][]string{nil, {"org-1"}, {"org-2", "org-3"}, {"org-2"}, {"org-10"}, {"org-2", "org-2"}, {"o'x", "Org-2"}, {"org-1é"}}
	issues := [][]industrydata.UserReportIssue{
		nil, {industrydata.IssueMissingEmail}, nil, {industrydata.IssueMissingUsername, industrydata.IssueDuplicateUsername},
		{industrydata.IssueUnknownOrg}, {industrydata.IssueNoOrg, industrydata.IssueUnknownRole}, nil,
		{industrydata.IssueDuplicateUsername, industrydata.IssueMissingEmail, industrydata.IssueInvalidEmail},
	}
	flows := []string{"f10e0000-0000-4000-8000-000000000001", "f10e0000-0000-4000-8000-000000000002", ""}
	out := make([]industrydata.UserReportEntry, n)
	for i := range out {
		seq := first + int64(i)
		out[i] = industrydata.UserReportEntry{
			Seq:           seq,
			FlowID:        flows[(seq/16)%int64(len(flows))],
			SourcedID:     fmt.Sprintf("u-%02d", (seq*7)%100),
			Username:      names[seq%int64(len(names))],
			Role:          roles[(seq*3)%int64(len(roles))],
			OrgSourcedIDs: orgs[(seq*5)%int64(len(orgs))],
			IsActive:      seq%3 != 0,
			Issues:        issues[(seq+seq/8)%int64(len(issues))],
		}
	}
	return out
}

// sampleSummary is a report summary with every field set.
func sampleSummary() industrydata.UserReportSummary {
	return industrydata.UserReportSummary{
		TotalUsers: 40, ActiveUsers: 27, InactiveUsers: 13, UsersWithIssues: 22,
		UsersByRole: []industrydata.RoleCount{{Role: "", Count: 5}, {Role: "student", Count: 20}, {Role: "teacher", Count: 15}},
		UsersByOrg: []industrydata.OrgCount{{OrgSourcedID: "org-1", OrgName: "Zoë's \"school\"", Count: 12},
			{OrgSourcedID: "org-2", OrgName: "", Count: 0}},
	}
}

// claimRun starts a run of a new ready process of tenant and claims it.
func claimRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID) industrydata.JobClaim {
	t.Helper()
	r, _ := startRun(t, s, tenant, readyProcess(t, s, tenant).ID, leaseT0(t))
	c := mustClaim(t, s, "runner-"+r.ID, leaseT0(t))
	if c.ID != r.ID {
		t.Fatalf("claimed run %s, want the new run %s", c.ID, r.ID)
	}
	return c
}

// appendEntries appends entries in batches of batch.
func appendEntries(t *testing.T, s industrydata.Store, c industrydata.JobClaim, entries []industrydata.UserReportEntry, batch int) {
	t.Helper()
	for from := 0; from < len(entries); from += batch {
		if err := s.AppendReportEntries(t.Context(), c, entries[from:min(from+batch, len(entries))]); err != nil {
			t.Fatalf("AppendReportEntries from seq %d: %v", entries[from].Seq, err)
		}
	}
}

// finishWithReport finishes c's run with a report of summary and returns
// the report as FinishRun left it.
func finishWithReport(t *testing.T, s industrydata.Store, c industrydata.JobClaim, summary industrydata.UserReportSummary) industrydata.UserReport {
	t.Helper()
	rep := &industrydata.UserReport{CreatedDateTime: leaseT0(t).Add(30*time.Second + 1234567), Summary: summary}
	out := outcome(industrydata.RunCompletedWithWarnings, leaseT0(t).Add(time.Minute))
	out.Report = rep
	if err := s.FinishRun(t.Context(), c, out); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	return *rep
}

// reportRun makes a finished run of tenant whose report has entries.
func reportRun(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, entries []industrydata.UserReportEntry) (industrydata.JobClaim, industrydata.UserReport) {
	t.Helper()
	c := claimRun(t, s, tenant)
	appendEntries(t, s, c, entries, 7)
	return c, finishWithReport(t, s, c, sampleSummary())
}

func listEntries(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) []industrydata.UserReportEntry {
	t.Helper()
	es, err := s.ListReportEntries(t.Context(), tenant, runID, q)
	if err != nil {
		t.Fatalf("ListReportEntries(%+v): %v", q, err)
	}
	return es
}

// checkEntries fails unless the run's report lists exactly want.
func checkEntries(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID string, want []industrydata.UserReportEntry) {
	t.Helper()
	got := listEntries(t, s, tenant, runID, industrydata.ListQuery{})
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListReportEntries (-want +got):\n%s", diff)
	}
	if n, err := s.CountReportEntries(t.Context(), tenant, runID, industrydata.ListQuery{}); err != nil || n != int64(len(want)) {
		t.Errorf("CountReportEntries = %d, %v; want %d", n, err, len(want))
	}
}

// wantNoReport fails unless the tenant's run runID shows no report.
func wantNoReport(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, runID string) {
	t.Helper()
	_, err := s.GetUserReport(t.Context(), tenant, runID)
	wantErrIs(t, "GetUserReport", err, industrydata.ErrNotFound)
	_, err = s.ListReportEntries(t.Context(), tenant, runID, industrydata.ListQuery{})
	wantErrIs(t, "ListReportEntries", err, industrydata.ErrNotFound)
	_, err = s.CountReportEntries(t.Context(), tenant, runID, industrydata.ListQuery{})
	wantErrIs(t, "CountReportEntries", err, industrydata.ErrNotFound)
}

func testReportRoundTrip(t *testing.T, s industrydata.Store) {
	entries := reportEntries(1, 40)
	c, rep := reportRun(t, s, tenantA, entries)
	if rep.ID != c.ID || rep.ProcessID != c.ProcessID {
		t.Errorf("report %s of process %s, want the run's: %s of %s", rep.ID, rep.ProcessID, c.ID, c.ProcessID)
	}
	checkNewETag(t, rep.ETag)
	checkUTC(t, rep.CreatedDateTime)
	if diff := cmp.Diff(sampleSummary(), rep.Summary); diff != "" {
		t.Errorf("FinishRun changed the summary (-want +got):\n%s", diff)
	}
	got, err := s.GetUserReport(t.Context(), tenantA, c.ID)
	if err != nil {
		t.Fatalf("GetUserReport: %v", err)
	}
	if diff := cmp.Diff(rep, got); diff != "" {
		t.Errorf("GetUserReport (-want +got):\n%s", diff)
	}
	checkEntries(t, s, tenantA, c.ID, entries)

	// Pages of 6 following the cursor of each page's last entry.
	var walked []industrydata.UserReportEntry
	q := industrydata.ListQuery{Limit: 6}
	for range len(entries) {
		page := listEntries(t, s, tenantA, c.ID, q)
		walked = append(walked, page...)
		if len(page) < q.Limit {
			break
		}
		q.After = afterSeq(page[len(page)-1].Seq)
	}
	if diff := cmp.Diff(entries, walked, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("pages put together (-want +got):\n%s", diff)
	}
}

func testReportEmpty(t *testing.T, s industrydata.Store) {
	c := claimRun(t, s, tenantA)
	rep := finishWithReport(t, s, c, industrydata.UserReportSummary{})
	got, err := s.GetUserReport(t.Context(), tenantA, c.ID)
	if err != nil {
		t.Fatalf("GetUserReport: %v", err)
	}
	if diff := cmp.Diff(rep, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("GetUserReport (-want +got):\n%s", diff)
	}
	checkEntries(t, s, tenantA, c.ID, nil)
}

func testReportEntriesFenced(t *testing.T, s industrydata.Store) {
	entries := reportEntries(1, 12)
	old := claimRun(t, s, tenantA)
	appendEntries(t, s, old, entries[:5], 5)
	taken := mustClaim(t, s, "another", old.Expires)
	if taken.ID != old.ID {
		t.Fatalf("claimed run %s after expiry, want %s", taken.ID, old.ID)
	}
	err := s.AppendReportEntries(t.Context(), old, entries[5:7])
	wantErrIs(t, "AppendReportEntries of the old claim", err, industrydata.ErrLeaseLost)
	err = s.ResetReportEntries(t.Context(), old)
	wantErrIs(t, "ResetReportEntries of the old claim", err, industrydata.ErrLeaseLost)

	// The claim that took the run over starts the report again.
	if err := s.ResetReportEntries(t.Context(), taken); err != nil {
		t.Fatalf("ResetReportEntries: %v", err)
	}
	appendEntries(t, s, taken, entries, 4)
	finishWithReport(t, s, taken, sampleSummary())
	checkEntries(t, s, tenantA, taken.ID, entries)

	err = s.AppendReportEntries(t.Context(), taken, reportEntries(13, 1))
	wantErrIs(t, "AppendReportEntries after FinishRun", err, industrydata.ErrLeaseLost)
	err = s.ResetReportEntries(t.Context(), taken)
	wantErrIs(t, "ResetReportEntries after FinishRun", err, industrydata.ErrLeaseLost)
	checkEntries(t, s, tenantA, taken.ID, entries)
}

func testReportEntrySeqs(t *testing.T, s industrydata.Store) {
	all := reportEntries(1, 8)
	c := claimRun(t, s, tenantA)
	withGap := append(append([]industrydata.UserReportEntry(nil), all[3]), all[5])
	refused := []struct {
		name    string
		entries []industrydata.UserReportEntry
	}{
		{"first seq is not 1", all[1:3]},
		{"first seq is 0", reportEntries(0, 2)},
	}
	for _, tc := range refused {
		if err := s.AppendReportEntries(t.Context(), c, tc.entries); err == nil {
			t.Errorf("%s: AppendReportEntries succeeded", tc.name)
		}
	}
	appendEntries(t, s, c, all[:3], 3)
	refused = []struct {
		name    string
		entries []industrydata.UserReportEntry
	}{
		{"gap after the stored ones", all[4:6]},
		{"overlap with the stored ones", all[2:5]},
		{"from the start again", all[:2]},
		{"gap inside the batch", withGap},
	}
	for _, tc := range refused {
		if err := s.AppendReportEntries(t.Context(), c, tc.entries); err == nil {
			t.Errorf("%s: AppendReportEntries succeeded", tc.name)
		}
	}
	if err := s.AppendReportEntries(t.Context(), c, nil); err != nil {
		t.Errorf("AppendReportEntries of nothing: %v", err)
	}
	appendEntries(t, s, c, all[3:], 2)
	finishWithReport(t, s, c, sampleSummary())
	checkEntries(t, s, tenantA, c.ID, all)
}

func testReportReset(t *testing.T, s industrydata.Store) {
	c := claimRun(t, s, tenantA)
	appendEntries(t, s, c, reportEntries(1, 10), 10)
	if err := s.ResetReportEntries(t.Context(), c); err != nil {
		t.Fatalf("ResetReportEntries: %v", err)
	}
	again := reportEntries(1, 4)
	for i := range again {
		again[i].Username += " again"
	}
	appendEntries(t, s, c, again, 3)
	finishWithReport(t, s, c, sampleSummary())
	checkEntries(t, s, tenantA, c.ID, again)
}

func testReportMissing(t *testing.T, s industrydata.Store) {
	wantNoReport(t, s, tenantA, newID())

	running := claimRun(t, s, tenantA)
	appendEntries(t, s, running, reportEntries(1, 5), 5)
	wantNoReport(t, s, tenantA, running.ID)

	// A run may end without a report; what it appended is not shown.
	if err := s.FinishRun(t.Context(), running, outcome(industrydata.RunFailed, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	wantNoReport(t, s, tenantA, running.ID)
}

func testReportTenantIsolation(t *testing.T, s industrydata.Store) {
	ca, _ := reportRun(t, s, tenantA, reportEntries(1, 6))
	wantNoReport(t, s, tenantB, ca.ID)
	cb, _ := reportRun(t, s, tenantB, reportEntries(1, 3))
	checkEntries(t, s, tenantA, ca.ID, reportEntries(1, 6))
	checkEntries(t, s, tenantB, cb.ID, reportEntries(1, 3))
	wantNoReport(t, s, tenantA, cb.ID)
}

func testReportDeleteProcess(t *testing.T, s industrydata.Store) {
	c, _ := reportRun(t, s, tenantA, reportEntries(1, 6))
	kept, keptReport := reportRun(t, s, tenantA, reportEntries(1, 2))
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), c.ProcessID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	wantNoReport(t, s, tenantA, c.ID)
	got, err := s.GetUserReport(t.Context(), tenantA, kept.ID)
	if err != nil || !cmp.Equal(keptReport, got) {
		t.Errorf("report of another process = %+v, %v; want it kept", got, err)
	}
	checkEntries(t, s, tenantA, kept.ID, reportEntries(1, 2))
}

// entryCollection is the entries of one run's report.
func entryCollection(runID string) collection[industrydata.UserReportEntry] {
	return collection[industrydata.UserReportEntry]{
		typ:      schema.UserReportEntry,
		key:      "sourcedId",
		seq:      func(e *industrydata.UserReportEntry) int64 { return e.Seq },
		typeName: func(*industrydata.UserReportEntry) string { return "" },
		list: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
			return s.ListReportEntries(ctx, tenant, runID, q)
		},
		count: func(ctx context.Context, s industrydata.Store, tenant industrydata.TenantID, q industrydata.ListQuery) (int64, error) {
			return s.CountReportEntries(ctx, tenant, runID, q)
		},
	}
}

// entryQueries are $filter texts over userReportEntry and $orderby keys.
var entryQueries = []struct {
	filter  string
	orderBy []industrydata.OrderKey
}{
	{"", nil},
	{"", keys(asc("username"))},
	{"", keys(desc("role"), asc("username"))},
	{"", keys(desc("isActive"), desc("sourcedId"))},
	{"issues/any(i: i eq 'missingEmail')", nil},
	{"orgSourcedIds/any(o: o eq 'org-2')", keys(asc("sourcedId"))},
	{"isActive eq false", nil},
	{"isActive", keys(desc("username"))},
	{"role eq 'teacher' and not (issues/any())", nil},
	{"issues/any()", keys(asc("role"))},
	{"not (orgSourcedIds/any())", nil},
	{"orgSourcedIds/any(o: startswith(o, 'org-1'))", nil},
	{"issues/any(i: i eq 'unknownOrg' or i eq 'noOrg') and isActive", nil},
	{"issues/any(i: i in ('duplicateUsername', 'invalidEmail'))", keys(asc("username"), desc("isActive"))},
	{"role in ('teacher', 'administrator', '')", nil},
	{"startswith(username, 'Zo')", nil},
	{"contains(username, 'ë') or contains(username, '''')", nil},
	{"sourcedId gt 'u-50'", keys(asc("sourcedId"))},
	{"username eq ''", nil},
	{"not (username lt 'b')", keys(asc("username"))},
	{"orgSourcedIds/any(o: o eq 'Org-2' or o eq 'o''x')", nil},
}

func testReportQueries(t *testing.T, s industrydata.Store) {
	runs := map[industrydata.TenantID]string{}
	data := map[industrydata.TenantID][]industrydata.UserReportEntry{
		tenantA: reportEntries(1, 45),
		tenantB: reportEntries(1, 13),
	}
	for tenant, entries := range data {
		c, _ := reportRun(t, s, tenant, entries)
		runs[tenant] = c.ID
	}
	// Another report of tenant A, never listed with the first.
	other := reportEntries(1, 9)
	for i := range other {
		other[i].SourcedID = "other-" + other[i].SourcedID
	}
	reportRun(t, s, tenantA, other)

	for _, eq := range entryQueries {
		qc := queryCase{name: fmt.Sprintf("filter %q order %v", eq.filter, eq.orderBy), orderBy: eq.orderBy}
		if eq.filter != "" {
			f, err := odata.ParseFilter(eq.filter, schema.UserReportEntry)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", eq.filter, err)
			}
			qc.filter = f
		}
		t.Run(qc.name, func(t *testing.T) {
			for _, tenant := range []industrydata.TenantID{tenantA, tenantB} {
				entryCollection(runs[tenant]).check(t, s, tenant, data[tenant], qc)
			}
		})
	}
}

// A report of thousands of entries, appended in uneven batches (a store
// that keeps entries in blocks or pages has boundaries everywhere), pages
// by cursor from anywhere, and filters, sorts, skips and counts exactly as
// the reference evaluator does.
func testReportLarge(t *testing.T, s industrydata.Store) {
	const n = 10_007
	all := reportEntries(1, n)
	c := claimRun(t, s, tenantA)
	appendEntries(t, s, c, all[:1], 1)
	appendEntries(t, s, c, all[1:], 3_331)
	finishWithReport(t, s, c, sampleSummary())
	coll := entryCollection(c.ID)
	inactive, err := odata.ParseFilter("not isActive and issues/any()", schema.UserReportEntry)
	if err != nil {
		t.Fatal(err)
	}

	for _, qc := range []queryCase{{name: "all"}, {name: "filtered", filter: inactive}} {
		want := coll.expected(all, qc)
		// Walk by cursor in pages of an odd size.
		var walked []industrydata.UserReportEntry
		q := industrydata.ListQuery{Filter: qc.filter, Limit: 997}
		for range len(want)/q.Limit + 2 {
			page := listEntries(t, s, tenantA, c.ID, q)
			walked = append(walked, page...)
			if len(page) < q.Limit {
				break
			}
			q.After = coll.cursor(nil, &page[len(page)-1])
		}
		if diff := cmp.Diff(want, walked, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: pages of 997 put together (-want +got):\n%s", qc.name, diff)
		}
		if got, err := s.CountReportEntries(t.Context(), tenantA, c.ID, industrydata.ListQuery{Filter: qc.filter}); err != nil || got != int64(len(want)) {
			t.Errorf("%s: count = %d, %v; want %d", qc.name, got, err, len(want))
		}
		// A cursor in the middle, with an offset.
		mid := len(want) / 2
		q = industrydata.ListQuery{Filter: qc.filter, After: coll.cursor(nil, &want[mid]), Offset: 5, Limit: 10}
		if diff := cmp.Diff(coll.ids(window(want, mid+6, 10)), coll.ids(listEntries(t, s, tenantA, c.ID, q))); diff != "" {
			t.Errorf("%s: 10 after entry %d and 5 more (-want +got):\n%s", qc.name, mid, diff)
		}
	}

	// Sorted: the first pages, a page from a cursor deep inside, the end.
	byName := queryCase{name: "by username", orderBy: keys(desc("username"), asc("sourcedId"))}
	want := coll.expected(all, byName)
	for _, q := range []industrydata.ListQuery{
		{OrderBy: byName.orderBy, Limit: 25},
		{OrderBy: byName.orderBy, Limit: 25, Offset: 40},
		{OrderBy: byName.orderBy, Limit: 25, After: coll.cursor(byName.orderBy, &want[6000])},
		{OrderBy: byName.orderBy, Limit: 25, After: coll.cursor(byName.orderBy, &want[n-10])},
	} {
		from := q.Offset
		if q.After != nil {
			from = slicesIndex(want, q.After.Seq) + 1
		}
		if diff := cmp.Diff(coll.ids(window(want, from, 25)), coll.ids(listEntries(t, s, tenantA, c.ID, q))); diff != "" {
			t.Errorf("sorted page from %d (-want +got):\n%s", from, diff)
		}
	}
}

// slicesIndex is the index of the entry with Seq seq in es.
func slicesIndex(es []industrydata.UserReportEntry, seq int64) int {
	for i := range es {
		if es[i].Seq == seq {
			return i
		}
	}
	return -1
}
