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

func TestSucceeded(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		sum        industrydata.UserReportSummary
		hadRoster  bool
		wantStatus industrydata.IndustryDataRunStatus
		wantDetail string
	}{
		{"no issue: completed", industrydata.UserReportSummary{TotalUsers: 3}, true,
			industrydata.RunCompleted, "Checked 3 of 3 users; 0 with issues."},
		{"a user with issues: completedWithErrors", industrydata.UserReportSummary{TotalUsers: 3, UsersWithIssues: 1}, true,
			industrydata.RunCompletedWithErrors, "Checked 3 of 3 users; 1 with issues."},
		{"no roster: completedWithWarnings", industrydata.UserReportSummary{}, false,
			industrydata.RunCompletedWithWarnings, report.NoRosterDetail},
		{"an empty roster: completed", industrydata.UserReportSummary{}, true,
			industrydata.RunCompleted, "Checked 0 of 0 users; 0 with issues."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := report.Succeeded(now, "p1", "r1", tt.sum, tt.hadRoster)
			if out.Status != tt.wantStatus || out.OperationStatus != industrydata.OperationSucceeded || out.BlockingError != nil {
				t.Errorf("status %s, operation %s, blockingError %v; want %s, succeeded, none",
					out.Status, out.OperationStatus, out.BlockingError, tt.wantStatus)
			}
			if out.StatusDetail == nil || *out.StatusDetail != tt.wantDetail {
				t.Errorf("statusDetail %v, want %q", out.StatusDetail, tt.wantDetail)
			}
			if want := "/beta/industryData/processes/p1/runs/r1/userReport"; out.ResourceLocation == nil || *out.ResourceLocation != want {
				t.Errorf("resourceLocation %v, want the report's path %s", out.ResourceLocation, want)
			}
			if out.Report == nil || out.Report.Summary.TotalUsers != tt.sum.TotalUsers || !out.EndDateTime.Equal(now) || !out.LastActionDateTime.Equal(now) {
				t.Errorf("report %+v, end %v, last action %v; want the summary, ended now", out.Report, out.EndDateTime, out.LastActionDateTime)
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
