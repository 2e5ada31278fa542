package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/auth"
)

const auditSubject = "5f0c6a9e-0000-4000-8000-00000000c0de"

// send makes one request with the client's token and returns the status,
// the request-id the server answered with, and the body.
func (c *apiClient) send(t *testing.T, method, path, body string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("request-id"), data
}

// runCLI runs the command with no environment and returns its stdout.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), err
}

// parseAuditLines decodes the export, failing on anything but one JSON
// object a line with exactly the documented keys.
func parseAuditLines(t *testing.T, out string) []industrydata.AuditLine {
	t.Helper()
	var lines []industrydata.AuditLine
	for _, raw := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if raw == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		var l industrydata.AuditLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %q: %v", raw, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// Writes made through the server are exported oldest first, with who made
// them and what changed; the runner's progress is not in the log; the
// export runs while the server does.
func TestAuditExportsWrites(t *testing.T) {
	dir := t.TempDir()
	addr := serveInProcess(t, dir).addr
	api := newAPI(t, addr, dir)
	tok, err := runCLI(t, "token", "--data-dir", dir, "--tenant", testTenant, "--subject", auditSubject)
	if err != nil {
		t.Fatal(err)
	}
	api.token = strings.TrimSpace(tok)

	status, createReq, body := api.send(t, "POST", operationsPath, `{"statusDetail":"queued"}`)
	var op operation
	if status != http.StatusCreated || json.Unmarshal(body, &op) != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	status, patchReq, body := api.send(t, "PATCH", operationsPath+"/"+op.ID, `{"status":"running"}`)
	if status != http.StatusOK {
		t.Fatalf("patch: %d %s", status, body)
	}
	status, startReq, body := api.send(t, "POST", "/beta/industryData/runs/start", "")
	var started struct{ ID string }
	if status != http.StatusAccepted || json.Unmarshal(body, &started) != nil {
		t.Fatalf("start: %d %s", status, body)
	}
	// Let the runner finish the run: its writes must not show.
	deadline := time.Now().Add(stopDeadline)
	for {
		_, _, body := api.send(t, "GET", "/beta/industryData/runs/"+started.ID, "")
		var r struct{ Status string }
		if json.Unmarshal(body, &r) == nil && r.Status != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still running after %v: %s", started.ID, stopDeadline, body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	out, err := runCLI(t, "audit", "--data-dir", dir)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	lines := parseAuditLines(t, out)
	type entry struct {
		Principal, App, RequestID string
		System                    bool
		Action, EntityType        string
	}
	var got []entry
	for _, l := range lines {
		got = append(got, entry{l.Principal, l.App, l.RequestID, l.System, l.Action, l.EntityType})
	}
	const (
		opType      = "microsoft.graph.longRunningOperation"
		processType = "microsoft.graph.industryData.userReportRefreshProcess"
		runType     = "microsoft.graph.industryData.industryDataRun"
	)
	want := []entry{
		{"", "", createReq, true, "create", processType}, // provisioned on the tenant's first call
		{auditSubject, auth.CLIAppID, createReq, false, "create", opType},
		{auditSubject, auth.CLIAppID, patchReq, false, "update", opType},
		{auditSubject, auth.CLIAppID, startReq, false, "start", runType},
		{auditSubject, auth.CLIAppID, startReq, false, "create", opType},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("exported records (-want +got):\n%s\n%s", d, out)
	}
	for i, l := range lines {
		if l.Tenant != testTenant || l.Seq <= 0 || (i > 0 && l.Seq <= lines[i-1].Seq) {
			t.Errorf("line %d: tenant %q seq %d, want %q and growing seqs", i, l.Tenant, l.Seq, testTenant)
		}
		if _, err := time.Parse(time.RFC3339Nano, l.Time); err != nil || !strings.HasSuffix(l.Time, "Z") {
			t.Errorf("line %d: time %q is not RFC 3339 UTC", i, l.Time)
		}
	}
	patch := lines[2]
	if patch.EntityID != op.ID || len(patch.Changes) < 1 || patch.Changes[0].Property != "lastActionDateTime" ||
		patch.Changes[len(patch.Changes)-1].Property != "status" ||
		string(patch.Changes[len(patch.Changes)-1].Old) != `"notStarted"` || string(patch.Changes[len(patch.Changes)-1].New) != `"running"` {
		t.Errorf("PATCH record %+v, want lastActionDateTime and status notStarted → running of %s", patch, op.ID)
	}
	if lines[3].EntityID != started.ID || lines[3].ParentID != lines[0].EntityID {
		t.Errorf("start record names run %q of process %q, want %q of %q", lines[3].EntityID, lines[3].ParentID, started.ID, lines[0].EntityID)
	}

	// Filters and a file.
	var sincePatch []industrydata.AuditLine
	patchTime, _ := time.Parse(time.RFC3339Nano, lines[2].Time)
	for _, l := range lines {
		if at, _ := time.Parse(time.RFC3339Nano, l.Time); !at.Before(patchTime) {
			sincePatch = append(sincePatch, l)
		}
	}
	file := filepath.Join(t.TempDir(), "audit.jsonl")
	tests := []struct {
		name string
		args []string
		want []industrydata.AuditLine
	}{
		{"tenant", []string{"--tenant", testTenant}, lines},
		{"another tenant", []string{"--tenant", "fabfab00-0000-4000-8000-000000000002"}, nil},
		{"since the patch", []string{"--since", lines[2].Time}, sincePatch},
		{"since later", []string{"--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, nil},
		{"to a file", []string{"--output", file}, lines},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"audit", "--data-dir", dir}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "to a file" {
				if out != "" {
					t.Errorf("stdout %q, want nothing", out)
				}
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				out = string(data)
			}
			if d := cmp.Diff(tc.want, parseAuditLines(t, out)); d != "" {
				t.Errorf("lines (-want +got):\n%s", d)
			}
		})
	}
}

func TestAuditUsageErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		usage bool   // a usageError (exit status 2)
		want  string // in the message
	}{
		{"malformed since", []string{"--since", "yesterday"}, true, "--since"},
		{"malformed tenant", []string{"--tenant", "a b"}, true, "--tenant"},
		{"stray argument", []string{"extra"}, true, "extra"},
		{"postgres url without database", []string{"--database-url", "postgres://u@127.0.0.1"}, true, "database-url"},
		{"no database", nil, false, "no database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			_, err := runCLI(t, append([]string{"audit", "--data-dir", dir}, tc.args...)...)
			var usage usageError
			if err == nil || errors.As(err, &usage) != tc.usage || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("audit %q: %v, want an error naming %q (usage: %v)", tc.args, err, tc.want, tc.usage)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("audit created the data directory (stat: %v)", err)
			}
		})
	}
}

// auditLog is an in-memory AuditStore that counts the pages read; recs
// are in log order.
type auditLog struct {
	recs  []industrydata.AuditRecord
	pages int
}

func (l *auditLog) ListAudit(_ context.Context, q industrydata.AuditQuery) ([]industrydata.AuditRecord, error) {
	l.pages++
	var out []industrydata.AuditRecord
	for _, r := range l.recs {
		if r.Position().After(q.After) && len(out) < q.Limit {
			out = append(out, r)
		}
	}
	return out, nil
}

// The export reads the log a page at a time, each after the last record's
// position, to the end, and writes every record once. Positions order by
// transaction first, as with concurrent writers, so Seqs need not grow.
func TestExportAuditPages(t *testing.T) {
	log := &auditLog{}
	positions := []industrydata.AuditPosition{{Txn: 1, Seq: 20}, {Txn: 1, Seq: 50}, {Txn: 2, Seq: 40}, {Txn: 3, Seq: 10}, {Txn: 3, Seq: 30}}
	for i, p := range positions {
		log.recs = append(log.recs, industrydata.AuditRecord{Txn: p.Txn, Seq: p.Seq, Tenant: testTenant,
			Time: time.Date(2024, 5, 1, 0, 0, i, 0, time.UTC), Action: industrydata.AuditUpdate,
			Changes: []industrydata.PropertyChange{{Property: "statusDetail", Old: json.RawMessage(`"<a>"`), New: json.RawMessage(`null`)}}})
	}
	var out bytes.Buffer
	if err := exportAudit(t.Context(), log, industrydata.AuditQuery{Limit: 2}, &out); err != nil {
		t.Fatal(err)
	}
	lines := parseAuditLines(t, out.String())
	if len(lines) != 5 || log.pages != 3 {
		t.Fatalf("%d lines in %d pages, want 5 in 3:\n%s", len(lines), log.pages, out.String())
	}
	for i, l := range lines {
		if l.Seq != positions[i].Seq {
			t.Errorf("line %d has seq %d, want %d", i, l.Seq, positions[i].Seq)
		}
	}
	if !strings.Contains(out.String(), `"old":"<a>"`) {
		t.Errorf("values are not written as stored: %s", out.String())
	}
}
