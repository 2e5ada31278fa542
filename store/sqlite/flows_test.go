package sqlite

import (
	"fmt"
	"testing"

	"industrydata"
)

// A process's deletion takes its runs' activities with the runs (a
// cascade), those of other runs staying.
func TestDeleteProcessDeletesActivities(t *testing.T) {
	ctx := t.Context()
	s := openMemory(t)
	for i, tenant := range []industrydata.TenantID{tenant, "other"} {
		p := industrydata.Process{ID: "p", Type: "microsoft.graph.industryData.process", ReadinessStatus: industrydata.ReadinessReady, CreatedAt: leaseT0}
		if err := s.CreateProcess(ctx, tenant, industrydata.Actor{}, &p); err != nil {
			t.Fatal(err)
		}
		r, op := industrydata.Run{ID: "r", ProcessID: p.ID, StartDateTime: leaseT0}, newOperation(fmt.Sprint("o", i))
		acts := []industrydata.RunActivity{{ID: "a1", Status: industrydata.ActivityInProgress}, {ID: "a2", Status: industrydata.ActivitySkipped}}
		if err := s.StartRun(ctx, tenant, industrydata.Actor{}, &r, &op, acts, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteProcess(ctx, tenant, industrydata.Actor{}, "p", nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM run_activities`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d activities left (%v), want the other tenant's 2", n, err)
	}
}
