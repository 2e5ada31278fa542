package report_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"industrydata"
	"industrydata/report"
	"industrydata/roster"
)

func TestFinished(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	act := func(s industrydata.ActivityStatus) industrydata.RunActivity {
		return industrydata.RunActivity{Status: s}
	}
	clean := &report.Built{ProcessID: "p1", Summary: industrydata.UserReportSummary{TotalUsers: 3}, HadRoster: true}
	issues := &report.Built{ProcessID: "p1", Summary: industrydata.UserReportSummary{TotalUsers: 3, UsersWithIssues: 1}, HadRoster: true}
	noRoster := &report.Built{ProcessID: "p1"}
	tests := []struct {
		name       string
		acts       []industrydata.RunActivity
		built      *report.Built
		wantStatus industrydata.IndustryDataRunStatus
		wantDetail string
	}{
		{"report alone, no issue: completed", nil, clean,
			industrydata.RunCompleted, "Checked 3 of 3 users; 0 with issues."},
		{"report alone, a user with issues: completedWithErrors", nil, issues,
			industrydata.RunCompletedWithErrors, "Checked 3 of 3 users; 1 with issues."},
		{"report alone, no roster: completedWithWarnings", nil, noRoster,
			industrydata.RunCompletedWithWarnings, report.NoRosterDetail},
		{"an empty roster: completed", nil, &report.Built{ProcessID: "p1", HadRoster: true},
			industrydata.RunCompleted, "Checked 0 of 0 users; 0 with issues."},
		{"imports completed and a clean report: completed",
			[]industrydata.RunActivity{act(industrydata.ActivityCompleted), act(industrydata.ActivityCompleted)}, clean,
			industrydata.RunCompleted, "Imported 2 of 2 inbound flows (0 skipped, 0 failed). Checked 3 of 3 users; 0 with issues."},
		{"a skipped flow warns",
			[]industrydata.RunActivity{act(industrydata.ActivityCompleted), act(industrydata.ActivitySkipped)}, clean,
			industrydata.RunCompletedWithWarnings, "Imported 1 of 2 inbound flows (1 skipped, 0 failed). Checked 3 of 3 users; 0 with issues."},
		{"an import with warnings warns",
			[]industrydata.RunActivity{act(industrydata.ActivityCompletedWithWarnings)}, nil,
			industrydata.RunCompletedWithWarnings, "Imported 1 of 1 inbound flows (0 skipped, 0 failed)."},
		{"a failed import is an error, whatever else warns",
			[]industrydata.RunActivity{act(industrydata.ActivitySkipped), act(industrydata.ActivityFailed)}, noRoster,
			industrydata.RunCompletedWithErrors, "Imported 0 of 2 inbound flows (1 skipped, 1 failed). " + report.NoRosterDetail},
		{"imports without a process",
			[]industrydata.RunActivity{act(industrydata.ActivityCompleted)}, nil,
			industrydata.RunCompleted, "Imported 1 of 1 inbound flows (0 skipped, 0 failed)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := report.Finished(now, "r1", tt.acts, tt.built)
			if out.Status != tt.wantStatus || out.OperationStatus != industrydata.OperationSucceeded || out.BlockingError != nil {
				t.Errorf("status %s, operation %s, blockingError %v; want %s, succeeded, none",
					out.Status, out.OperationStatus, out.BlockingError, tt.wantStatus)
			}
			if out.StatusDetail == nil || *out.StatusDetail != tt.wantDetail {
				t.Errorf("statusDetail %v, want %q", out.StatusDetail, tt.wantDetail)
			}
			wantLocation := "/beta/industryData/runs/r1"
			if tt.built != nil {
				wantLocation = "/beta/industryData/processes/p1/runs/r1/userReport"
			}
			if out.ResourceLocation == nil || *out.ResourceLocation != wantLocation {
				t.Errorf("resourceLocation %v, want %s", out.ResourceLocation, wantLocation)
			}
			if (out.Report != nil) != (tt.built != nil) {
				t.Fatalf("report %+v stored for built %+v", out.Report, tt.built)
			}
			if out.Report != nil && (out.Report.Summary.TotalUsers != tt.built.Summary.TotalUsers || !out.Report.CreatedDateTime.Equal(now)) {
				t.Errorf("report %+v, want the summary, created now", out.Report)
			}
			if !out.EndDateTime.Equal(now) || !out.LastActionDateTime.Equal(now) {
				t.Errorf("end %v, last action %v; want now", out.EndDateTime, out.LastActionDateTime)
			}
		})
	}
}

func TestFailed(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	problem := &roster.Problem{File: "users.csv", Line: 7, Column: 6, Code: "invalidEnum", Message: "bad role"}
	tests := []struct {
		name         string
		err          error
		wantCode     string
		wantTarget   string
		wantInternal bool
	}{
		{"broken roster names file, line and column", fmt.Errorf("build: %w", problem),
			industrydata.RunErrorInvalidRoster, "users.csv", false},
		{"interrupted too often", industrydata.RunInterruptedError{Attempts: 5},
			industrydata.RunErrorInterrupted, "", false},
		{"roster gone", fmt.Errorf("open: %w", industrydata.ErrNotFound),
			industrydata.RunErrorRosterNotFound, "", false},
		{"anything else is the service's fault", errors.New("disk on fire"),
			industrydata.RunErrorInternal, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, internal := report.Failed(now, tt.err)
			be := out.BlockingError
			if be == nil || be.Code != tt.wantCode || be.Target != tt.wantTarget || internal != tt.wantInternal {
				t.Fatalf("blockingError %+v, internal %v; want code %s target %q internal %v", be, internal, tt.wantCode, tt.wantTarget, tt.wantInternal)
			}
			if out.Status != industrydata.RunFailed || out.OperationStatus != industrydata.OperationFailed || out.Report != nil || out.ResourceLocation != nil {
				t.Errorf("outcome %+v; want a failed run and operation, no report", out)
			}
			if out.StatusDetail == nil || *out.StatusDetail != "Failed: "+be.Message {
				t.Errorf("statusDetail %v, want the blockingError's message", out.StatusDetail)
			}
			if internal && be.Message == tt.err.Error() {
				t.Errorf("an internal error's details reach the tenant: %q", be.Message)
			}
		})
	}
	out, _ := report.Failed(now, fmt.Errorf("x: %w", problem))
	if want := "users.csv, line 7, column 6: bad role (invalidEnum)."; out.BlockingError.Message != want {
		t.Errorf("message %q, want %q", out.BlockingError.Message, want)
	}
}
