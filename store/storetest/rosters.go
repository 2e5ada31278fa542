package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// rosterTests check the rosters runs read (SPEC §10): stored byte for byte,
// one current per tenant, kept while a run in progress reads them, and
// untouched by a put that fails.
var rosterTests = []test{
	{"files of a few MiB round-trip byte for byte", testRosterRoundTrip},
	{"empty files round-trip", testRosterEmptyFiles},
	{"a tenant without a roster has no current one", testRosterNone},
	{"a second put becomes current and the first is gone", testRosterSecondPut},
	{"a run reads the roster current when it started, until it finishes", testRosterPinnedByRun},
	{"deleting a process releases the roster its run read", testRosterReleasedByDeleteProcess},
	{"a failed read leaves the current roster as it was", testRosterFailedRead},
	{"an ended context leaves the current roster as it was", testRosterContextEnded},
	{"another tenant's roster is not found", testRosterTenantIsolation},
}

// rosterBytes returns n bytes of deterministic noise (every byte value,
// NULs and invalid UTF-8 included), different for each seed.
func rosterBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// rosterFiles is the content of a roster's two files.
type rosterFiles struct{ users, orgs []byte }

func putRoster(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, f rosterFiles) industrydata.Roster {
	t.Helper()
	r, err := s.PutRoster(t.Context(), tenant, bytes.NewReader(f.users), bytes.NewReader(f.orgs))
	if err != nil {
		t.Fatalf("PutRoster: %v", err)
	}
	if r.ID == "" || r.UsersBytes != int64(len(f.users)) || r.OrgsBytes != int64(len(f.orgs)) {
		t.Fatalf("PutRoster = %+v, want an id and sizes %d and %d", r, len(f.users), len(f.orgs))
	}
	checkUTC(t, r.CreatedDateTime)
	return r
}

// readRosterFile reads one file of the roster whole.
func readRosterFile(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string, file industrydata.RosterFile) []byte {
	t.Helper()
	rc, err := s.OpenRosterFile(t.Context(), tenant, id, file)
	if err != nil {
		t.Fatalf("OpenRosterFile(%s, %s): %v", id, file, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s of roster %s: %v", file, id, err)
	}
	return b
}

// checkRoster fails unless the tenant's roster r holds files f.
func checkRoster(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, r industrydata.Roster, f rosterFiles) {
	t.Helper()
	for file, want := range map[industrydata.RosterFile][]byte{industrydata.RosterUsers: f.users, industrydata.RosterOrgs: f.orgs} {
		if got := readRosterFile(t, s, tenant, r.ID, file); !bytes.Equal(got, want) {
			t.Errorf("%s of roster %s: got %d bytes, want %d other bytes", file, r.ID, len(got), len(want))
		}
	}
}

// checkCurrentRoster fails unless r is the tenant's current roster.
func checkCurrentRoster(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, r industrydata.Roster) {
	t.Helper()
	got, err := s.CurrentRoster(t.Context(), tenant)
	if err != nil {
		t.Fatalf("CurrentRoster: %v", err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("CurrentRoster (-want +got):\n%s", diff)
	}
}

// wantRosterGone fails unless the tenant's roster id cannot be opened.
func wantRosterGone(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) {
	t.Helper()
	for _, file := range []industrydata.RosterFile{industrydata.RosterUsers, industrydata.RosterOrgs} {
		rc, err := s.OpenRosterFile(t.Context(), tenant, id, file)
		if err == nil {
			rc.Close()
		}
		wantErrIs(t, "OpenRosterFile("+string(file)+")", err, industrydata.ErrNotFound)
	}
}

// smallRoster is a roster of a few bytes, different for each seed.
func smallRoster(seed uint64) rosterFiles {
	return rosterFiles{users: rosterBytes(300+int(seed), seed), orgs: rosterBytes(40, seed+1000)}
}

func testRosterRoundTrip(t *testing.T, s industrydata.Store) {
	// Sizes no chunk or buffer size is likely to divide.
	f := rosterFiles{users: rosterBytes(5<<20/2+12345, 1), orgs: rosterBytes(1<<20+7, 2)}
	r := putRoster(t, s, tenantA, f)
	checkCurrentRoster(t, s, tenantA, r)
	checkRoster(t, s, tenantA, r, f)
	// Read calls of every size, across chunk boundaries.
	rc, err := s.OpenRosterFile(t.Context(), tenantA, r.ID, industrydata.RosterOrgs)
	if err != nil {
		t.Fatalf("OpenRosterFile: %v", err)
	}
	defer rc.Close()
	if err := iotest.TestReader(rc, f.orgs); err != nil {
		t.Errorf("orgs.csv reader: %v", err)
	}
}

func testRosterEmptyFiles(t *testing.T, s industrydata.Store) {
	for _, f := range []rosterFiles{{users: nil, orgs: nil}, {users: []byte("x"), orgs: nil}, {users: nil, orgs: []byte("y")}} {
		r := putRoster(t, s, tenantA, f)
		checkCurrentRoster(t, s, tenantA, r)
		checkRoster(t, s, tenantA, r, f)
	}
}

func testRosterNone(t *testing.T, s industrydata.Store) {
	_, err := s.CurrentRoster(t.Context(), tenantA)
	wantErrIs(t, "CurrentRoster", err, industrydata.ErrNotFound)
	wantRosterGone(t, s, tenantA, newID())
	// A run started without a roster reads none.
	startRun(t, s, tenantA, readyProcess(t, s, tenantA).ID, leaseT0(t))
	if c := mustClaim(t, s, "a", leaseT0(t)); c.RosterID != "" {
		t.Errorf("claim of a run started without a roster has roster %q", c.RosterID)
	}
}

func testRosterSecondPut(t *testing.T, s industrydata.Store) {
	f1, f2 := smallRoster(1), smallRoster(2)
	r1 := putRoster(t, s, tenantA, f1)
	r2 := putRoster(t, s, tenantA, f2)
	if r2.ID == r1.ID {
		t.Fatalf("second roster has the first's id %s", r1.ID)
	}
	checkCurrentRoster(t, s, tenantA, r2)
	checkRoster(t, s, tenantA, r2, f2)
	wantRosterGone(t, s, tenantA, r1.ID) // no run reads it
}

func testRosterPinnedByRun(t *testing.T, s industrydata.Store) {
	f1, f2, f3 := smallRoster(1), smallRoster(2), smallRoster(3)
	r1 := putRoster(t, s, tenantA, f1)
	p1, p2 := readyProcess(t, s, tenantA), readyProcess(t, s, tenantA)
	run1, _ := startRun(t, s, tenantA, p1.ID, leaseT0(t))
	c1 := mustClaim(t, s, "a", leaseT0(t))
	if c1.ID != run1.ID || c1.RosterID != r1.ID {
		t.Fatalf("claim %+v, want run %s reading roster %s", c1, run1.ID, r1.ID)
	}

	r2 := putRoster(t, s, tenantA, f2)
	checkCurrentRoster(t, s, tenantA, r2)
	checkRoster(t, s, tenantA, r1, f1) // still read by run1
	run2, _ := startRun(t, s, tenantA, p2.ID, leaseT0(t))
	c2 := mustClaim(t, s, "b", leaseT0(t))
	if c2.ID != run2.ID || c2.RosterID != r2.ID {
		t.Fatalf("claim %+v, want run %s reading roster %s", c2, run2.ID, r2.ID)
	}

	// r3 replaces r2, which run2 still reads; r1 is read by run1 alone.
	r3 := putRoster(t, s, tenantA, f3)
	checkRoster(t, s, tenantA, r1, f1)
	checkRoster(t, s, tenantA, r2, f2)
	if err := s.FinishRun(t.Context(), c1, outcome(industrydata.RunCompleted, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	wantRosterGone(t, s, tenantA, r1.ID)
	checkRoster(t, s, tenantA, r2, f2)
	if err := s.FinishRun(t.Context(), c2, outcome(industrydata.RunFailed, leaseT0(t))); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	wantRosterGone(t, s, tenantA, r2.ID)
	checkCurrentRoster(t, s, tenantA, r3)
	checkRoster(t, s, tenantA, r3, f3)

	// A finished run does not keep the current roster from going either.
	run3, _ := startRun(t, s, tenantA, p1.ID, leaseT0(t))
	finishRun(t, s, run3.ID, leaseT0(t))
	putRoster(t, s, tenantA, smallRoster(4))
	wantRosterGone(t, s, tenantA, r3.ID)
}

func testRosterReleasedByDeleteProcess(t *testing.T, s industrydata.Store) {
	r1 := putRoster(t, s, tenantA, smallRoster(1))
	r, _ := oneRun(t, s)
	if c := mustClaim(t, s, "a", leaseT0(t)); c.RosterID != r1.ID {
		t.Fatalf("claim reads roster %q, want %s", c.RosterID, r1.ID)
	}
	r2 := putRoster(t, s, tenantA, smallRoster(2))
	checkRoster(t, s, tenantA, r1, smallRoster(1))
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), r.ProcessID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	wantRosterGone(t, s, tenantA, r1.ID)
	checkCurrentRoster(t, s, tenantA, r2)
}

// errRead is what failingReader's Read returns.
var errRead = errors.New("connection reset by the test")

// failingReader returns b and then errRead instead of EOF.
func failingReader(b []byte) io.Reader {
	return io.MultiReader(bytes.NewReader(b), iotest.ErrReader(errRead))
}

func testRosterFailedRead(t *testing.T, s industrydata.Store) {
	f := smallRoster(1)
	r := putRoster(t, s, tenantA, f)
	big := rosterBytes(3<<20, 9)
	tests := []struct {
		name        string
		users, orgs io.Reader
	}{
		{"users fails at once", iotest.ErrReader(errRead), bytes.NewReader(f.orgs)},
		{"users fails after MiBs", failingReader(big), bytes.NewReader(f.orgs)},
		{"orgs fails after users was read", bytes.NewReader(big), failingReader(f.orgs)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.PutRoster(t.Context(), tenantA, tc.users, tc.orgs)
			wantErrIs(t, "PutRoster", err, errRead)
			checkCurrentRoster(t, s, tenantA, r)
			checkRoster(t, s, tenantA, r, f)
		})
	}
}

// cancellingReader reads r and cancels a context on the way.
type cancellingReader struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

func testRosterContextEnded(t *testing.T, s industrydata.Store) {
	f := smallRoster(1)
	r := putRoster(t, s, tenantA, f)
	_, err := s.PutRoster(cancelled(t), tenantA, bytes.NewReader(f.users), bytes.NewReader(f.orgs))
	if err == nil {
		t.Fatal("PutRoster with an ended context succeeded")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = s.PutRoster(ctx, tenantA, &cancellingReader{r: bytes.NewReader(rosterBytes(2<<20, 5)), cancel: cancel}, bytes.NewReader(f.orgs))
	wantErrIs(t, "PutRoster whose context ends while reading", err, context.Canceled)
	checkCurrentRoster(t, s, tenantA, r)
	checkRoster(t, s, tenantA, r, f)
}

func testRosterTenantIsolation(t *testing.T, s industrydata.Store) {
	fa, fb := smallRoster(1), smallRoster(2)
	ra := putRoster(t, s, tenantA, fa)
	wantRosterGone(t, s, tenantB, ra.ID)
	_, err := s.CurrentRoster(t.Context(), tenantB)
	wantErrIs(t, "CurrentRoster of tenant B", err, industrydata.ErrNotFound)
	rb := putRoster(t, s, tenantB, fb)
	checkCurrentRoster(t, s, tenantA, ra) // B's put replaces only B's
	checkCurrentRoster(t, s, tenantB, rb)
	checkRoster(t, s, tenantA, ra, fa)
	wantRosterGone(t, s, tenantA, rb.ID)
	// A run of tenant B reads B's roster.
	startRun(t, s, tenantB, readyProcess(t, s, tenantB).ID, leaseT0(t))
	if c := mustClaim(t, s, "a", leaseT0(t)); c.RosterID != rb.ID {
		t.Errorf("tenant B's run reads roster %q, want %s", c.RosterID, rb.ID)
	}
}
