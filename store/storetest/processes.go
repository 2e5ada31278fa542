package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

var processTests = []test{
	{"every field round-trips", testProcessRoundTrip},
	{"another tenant's process is not found", testProcessTenantIsolation},
	{"update stores apply's changes with a new eTag", testProcessUpdate},
	{"failed apply changes nothing", testProcessUpdateRejected},
	{"deleted process is not found", testProcessDelete},
	{"failed delete check keeps the process", testProcessDeleteRejected},
	{"second system process is ErrDuplicate until the first is deleted", testSystemProcessDuplicate},
	{"system processes of two tenants coexist", testSystemProcessTwoTenants},
	{"ordinary processes of one type are not limited", testOrdinaryProcessesUnlimited},
	{"update into a second system process is ErrDuplicate", testSystemProcessUpdateDuplicate},
}

func testProcessRoundTrip(t *testing.T, s industrydata.Store) {
	tests := []struct {
		name string
		p    industrydata.Process
	}{
		{"ordinary process", industrydata.Process{
			Type: typeProcess, DisplayName: "Nightly sync",
			ReadinessStatus: industrydata.ReadinessReady, CreatedAt: ts(t, "2024-05-06T07:08:09.1234567Z"),
		}},
		{"system process", industrydata.Process{
			Type: industrydata.TypeUserReportRefreshProcess, DisplayName: industrydata.DefaultUserReportRefreshProcessName,
			ReadinessStatus: industrydata.ReadinessDisabled, CreatedAt: ts(t, "2024-05-06T07:08:09Z"),
		}},
		{"empty display name", industrydata.Process{
			Type: typeSystemProcess, ReadinessStatus: industrydata.ReadinessUnknownFutureValue,
			CreatedAt: ts(t, "2024-05-06T07:08:09Z"),
		}},
		{"earliest timestamp", industrydata.Process{
			Type: typeProcess, DisplayName: "x", ReadinessStatus: industrydata.ReadinessExpired,
			CreatedAt: ts(t, "0001-01-01T00:00:00Z"),
		}},
		{"latest timestamp", industrydata.Process{
			Type: typeProcess, DisplayName: "« Zoë » \"quoted\" \U0001F600", ReadinessStatus: industrydata.ReadinessDeleted,
			CreatedAt: ts(t, "9999-12-31T23:59:59.9999999Z"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.p
			in.ID = newID()
			created := in
			if err := s.CreateProcess(t.Context(), tenantA, who(t.Context()), &created); err != nil {
				t.Fatalf("CreateProcess: %v", err)
			}
			checkNewETag(t, created.ETag)
			if created.Seq <= 0 {
				t.Errorf("Seq = %d, want > 0", created.Seq)
			}
			want := in
			want.ETag, want.Seq = created.ETag, created.Seq
			if diff := cmp.Diff(want, created); diff != "" {
				t.Errorf("created process (-want +got):\n%s", diff)
			}
			got := getProcess(t, s, tenantA, in.ID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetProcess (-want +got):\n%s", diff)
			}
			checkUTC(t, got.CreatedAt)
			list := listProcesses(t, s, tenantA, industrydata.ListQuery{After: afterSeq(created.Seq - 1), Limit: 1})
			if diff := cmp.Diff([]industrydata.Process{want}, list); diff != "" {
				t.Errorf("ListProcesses (-want +got):\n%s", diff)
			}
		})
	}
}

func testProcessTenantIsolation(t *testing.T, s industrydata.Store) {
	p := createProcess(t, s, tenantA, newSystemProcess(t))
	ctx := t.Context()
	_, err := s.GetProcess(ctx, tenantB, p.ID)
	wantErrIs(t, "GetProcess from tenant B", err, industrydata.ErrNotFound)
	_, err = s.UpdateProcess(ctx, tenantB, who(ctx), p.ID, func(q *industrydata.Process) error {
		t.Errorf("apply called with tenant A's process %+v", *q)
		return nil
	})
	wantErrIs(t, "UpdateProcess from tenant B", err, industrydata.ErrNotFound)
	err = s.DeleteProcess(ctx, tenantB, who(ctx), p.ID, func(q industrydata.Process, _ bool) error {
		t.Errorf("check called with tenant A's process %+v", q)
		return nil
	})
	wantErrIs(t, "DeleteProcess from tenant B", err, industrydata.ErrNotFound)
	if list := listProcesses(t, s, tenantB, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("tenant B lists %d processes of tenant A", len(list))
	}
	if diff := cmp.Diff(p, getProcess(t, s, tenantA, p.ID)); diff != "" {
		t.Errorf("tenant A's process changed (-want +got):\n%s", diff)
	}
}

func testProcessUpdate(t *testing.T, s industrydata.Store) {
	before := createProcess(t, s, tenantA, newProcess(t))
	got, err := s.UpdateProcess(t.Context(), tenantA, who(t.Context()), before.ID, func(p *industrydata.Process) error {
		if diff := cmp.Diff(before, *p); diff != "" {
			t.Errorf("apply saw (-want +got):\n%s", diff)
		}
		p.DisplayName = "Renamed"
		p.ReadinessStatus = industrydata.ReadinessReady
		p.CreatedAt = ts(t, "2021-02-03T04:05:06.7Z")
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateProcess: %v", err)
	}
	checkNewETag(t, got.ETag, before.ETag)
	want := before
	want.DisplayName, want.ReadinessStatus, want.CreatedAt, want.ETag = "Renamed", industrydata.ReadinessReady, ts(t, "2021-02-03T04:05:06.7Z"), got.ETag
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateProcess returned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, getProcess(t, s, tenantA, before.ID)); diff != "" {
		t.Errorf("GetProcess after update (-want +got):\n%s", diff)
	}
}

func testProcessUpdateRejected(t *testing.T, s industrydata.Store) {
	before := createProcess(t, s, tenantA, newProcess(t))
	_, err := s.UpdateProcess(t.Context(), tenantA, who(t.Context()), before.ID, func(p *industrydata.Process) error {
		p.DisplayName, p.ReadinessStatus, p.Type = "changed", industrydata.ReadinessFailed, industrydata.TypeUserReportRefreshProcess
		return errRejected
	})
	wantRejected(t, "UpdateProcess", err)
	if diff := cmp.Diff(before, getProcess(t, s, tenantA, before.ID)); diff != "" {
		t.Errorf("process changed by a failed apply (-want +got):\n%s", diff)
	}
}

func testProcessDelete(t *testing.T, s industrydata.Store) {
	p := createProcess(t, s, tenantA, newProcess(t))
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, func(got industrydata.Process, running bool) error {
		if running {
			t.Errorf("check told a run is in progress")
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("check saw (-want +got):\n%s", diff)
		}
		return nil
	}); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	_, err := s.GetProcess(t.Context(), tenantA, p.ID)
	wantErrIs(t, "GetProcess after delete", err, industrydata.ErrNotFound)
	err = s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, nil)
	wantErrIs(t, "second DeleteProcess", err, industrydata.ErrNotFound)
	if list := listProcesses(t, s, tenantA, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("ListProcesses after delete returned %d processes", len(list))
	}
}

func testProcessDeleteRejected(t *testing.T, s industrydata.Store) {
	p := createProcess(t, s, tenantA, newSystemProcess(t))
	err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, func(industrydata.Process, bool) error { return errRejected })
	wantRejected(t, "DeleteProcess", err)
	if diff := cmp.Diff(p, getProcess(t, s, tenantA, p.ID)); diff != "" {
		t.Errorf("process after failed delete (-want +got):\n%s", diff)
	}
}

func testSystemProcessDuplicate(t *testing.T, s industrydata.Store) {
	first := createProcess(t, s, tenantA, newSystemProcess(t))
	second := newSystemProcess(t)
	err := s.CreateProcess(t.Context(), tenantA, who(t.Context()), &second)
	wantErrIs(t, "second CreateProcess", err, industrydata.ErrDuplicate)
	_, err = s.GetProcess(t.Context(), tenantA, second.ID)
	wantErrIs(t, "GetProcess of the refused process", err, industrydata.ErrNotFound)
	if diff := cmp.Diff([]industrydata.Process{first}, listProcesses(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListProcesses (-want +got):\n%s", diff)
	}

	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), first.ID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	second = createProcess(t, s, tenantA, second)
	if diff := cmp.Diff([]industrydata.Process{second}, listProcesses(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("ListProcesses after re-create (-want +got):\n%s", diff)
	}
}

func testSystemProcessTwoTenants(t *testing.T, s industrydata.Store) {
	createProcess(t, s, tenantA, newSystemProcess(t))
	createProcess(t, s, tenantB, newSystemProcess(t))
}

func testOrdinaryProcessesUnlimited(t *testing.T, s industrydata.Store) {
	for range 3 {
		createProcess(t, s, tenantA, newProcess(t))
	}
	if n := len(listProcesses(t, s, tenantA, industrydata.ListQuery{})); n != 3 {
		t.Errorf("ListProcesses returned %d processes, want 3", n)
	}
}

func testSystemProcessUpdateDuplicate(t *testing.T, s industrydata.Store) {
	createProcess(t, s, tenantA, newSystemProcess(t))
	p := createProcess(t, s, tenantA, newProcess(t))
	_, err := s.UpdateProcess(t.Context(), tenantA, who(t.Context()), p.ID, func(q *industrydata.Process) error {
		q.Type = industrydata.TypeUserReportRefreshProcess
		return nil
	})
	wantErrIs(t, "UpdateProcess into a system type", err, industrydata.ErrDuplicate)
	if diff := cmp.Diff(p, getProcess(t, s, tenantA, p.ID)); diff != "" {
		t.Errorf("process after refused update (-want +got):\n%s", diff)
	}
}

var tenantTests = []test{
	{"provisioning happens once", testProvisionOnce},
	{"deleted provisioned process is not recreated", testProvisionAfterDelete},
	{"concurrent provisioning provisions once", testProvisionConcurrent},
	{"failed provisioning records nothing", testProvisionFailed},
}

func testProvisionOnce(t *testing.T, s industrydata.Store) {
	tmpl := []industrydata.Process{newSystemProcess(t), newProcess(t)}
	ok, err := s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), tmpl)
	if err != nil || !ok {
		t.Fatalf("first ProvisionTenant = %v, %v; want true, nil", ok, err)
	}
	got := listProcesses(t, s, tenantA, industrydata.ListQuery{})
	if len(got) != len(tmpl) {
		t.Fatalf("ListProcesses after provisioning returned %d processes, want %d", len(got), len(tmpl))
	}
	for i := range got {
		checkNewETag(t, got[i].ETag)
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("provisioned processes out of order: seq %d after %d", got[i].Seq, got[i-1].Seq)
		}
		want := tmpl[i]
		want.ETag, want.Seq = got[i].ETag, got[i].Seq
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("provisioned process %d (-want +got):\n%s", i, diff)
		}
	}

	ok, err = s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), []industrydata.Process{newSystemProcess(t)})
	if err != nil || ok {
		t.Fatalf("second ProvisionTenant = %v, %v; want false, nil", ok, err)
	}
	if diff := cmp.Diff(got, listProcesses(t, s, tenantA, industrydata.ListQuery{})); diff != "" {
		t.Errorf("second ProvisionTenant changed the processes (-want +got):\n%s", diff)
	}
	if list := listProcesses(t, s, tenantB, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("tenant B has %d processes after tenant A's provisioning", len(list))
	}
	if ok, err := s.ProvisionTenant(t.Context(), tenantB, who(t.Context()), nil); err != nil || !ok {
		t.Errorf("ProvisionTenant of tenant B = %v, %v; want true, nil", ok, err)
	}
}

func testProvisionAfterDelete(t *testing.T, s industrydata.Store) {
	p := newSystemProcess(t)
	if ok, err := s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), []industrydata.Process{p}); err != nil || !ok {
		t.Fatalf("ProvisionTenant = %v, %v; want true, nil", ok, err)
	}
	if err := s.DeleteProcess(t.Context(), tenantA, who(t.Context()), p.ID, nil); err != nil {
		t.Fatalf("DeleteProcess: %v", err)
	}
	if ok, err := s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), []industrydata.Process{newSystemProcess(t)}); err != nil || ok {
		t.Fatalf("ProvisionTenant after delete = %v, %v; want false, nil", ok, err)
	}
	if list := listProcesses(t, s, tenantA, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("deleted process came back: %+v", list)
	}
}

func testProvisionFailed(t *testing.T, s industrydata.Store) {
	// Two processes of one system type cannot both be inserted, so the
	// provisioning fails as a whole: no tenant, no first process.
	bad := []industrydata.Process{newSystemProcess(t), newSystemProcess(t)}
	_, err := s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), bad)
	wantErrIs(t, "ProvisionTenant with two system processes", err, industrydata.ErrDuplicate)
	if list := listProcesses(t, s, tenantA, industrydata.ListQuery{}); len(list) != 0 {
		t.Errorf("failed provisioning left %d processes", len(list))
	}
	if ok, err := s.ProvisionTenant(t.Context(), tenantA, who(t.Context()), bad[:1]); err != nil || !ok {
		t.Fatalf("ProvisionTenant after a failed one = %v, %v; want true, nil", ok, err)
	}
}
