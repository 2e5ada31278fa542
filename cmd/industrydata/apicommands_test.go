package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliEnv is the environment of the API commands in these tests: the
// in-process server's URL, its data directory (whose key mints the
// token) and the test tenant, as a user would export them.
func cliEnv(srv *inProcess) map[string]string {
	return map[string]string{
		"INDUSTRYDATA_URL":      "http://" + srv.addr,
		"INDUSTRYDATA_DATA_DIR": srv.dataDir,
		"INDUSTRYDATA_TENANT":   testTenant,
	}
}

// cli runs the command line args with env, as main would, and returns its
// stdout, its stderr (main's report of an error included) and its exit
// status.
func cli(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	status = exitStatus(err, &errOut)
	return out.String(), errOut.String(), status
}

// mustCLI is cli for a command that must succeed.
func mustCLI(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, errOut, status := cli(t, env, args...)
	if status != 0 {
		t.Fatalf("industrydata %s: exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), status, out, errOut)
	}
	return out
}

// idOf reads the id in the row of a table whose first cell is what, or
// the first id of the first column when what is "".
func idOf(t *testing.T, table, what string) string {
	t.Helper()
	pattern := `(?m)^([0-9a-f-]{36})\s`
	if what != "" {
		pattern = `(?m)^` + regexp.QuoteMeta(what) + `\s+([0-9a-f-]{36})\s`
	}
	m := regexp.MustCompile(pattern).FindStringSubmatch(table)
	if m == nil {
		t.Fatalf("no %s row in:\n%s", what, table)
	}
	return m[1]
}

// The README's command-line walkthrough against a real serve: a
// connector with its flow, the sample roster uploaded, validated and
// waited for, a run waited for, its statistics and its report.
func TestCLIWalkthrough(t *testing.T) {
	srv := serveInProcess(t, t.TempDir())
	env := cliEnv(srv)

	out := mustCLI(t, env, "connectors", "create", "CSV drop", "--vendor", "Contoso", "--flow", "Rostering", "--year", "2026")
	conn := idOf(t, out, "dataConnector")
	if !strings.Contains(out, "Rostering (notReady)") || !strings.Contains(out, "sourceSystem") {
		t.Errorf("connectors create:\n%s", out)
	}
	out = mustCLI(t, env, "connectors", "list")
	if !strings.Contains(out, conn+"  CSV drop      CSV drop       Rostering (notReady)") {
		t.Errorf("connectors list:\n%s", out)
	}

	out = mustCLI(t, env, "roster", "upload", "../../testdata/roster", "--connector", "CSV drop", "--validate", "--wait")
	for _, want := range []string{
		"uploaded users.csv (37765 bytes)\n",
		"succeeded: 7 warnings (duplicateUsername 2, invalidEmail 1, missingEmail 1, noOrg 1, unknownOrg 1, unknownRole 1)\n",
		"FILE       LINE  COLUMN  SEVERITY  CODE               MESSAGE\n",
		"users.csv  5     13      warning   missingEmail       a teacher or administrator has no email\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("roster upload does not print %q:\n%s", want, out)
		}
	}
	if out := mustCLI(t, env, "connectors", "list"); !strings.Contains(out, "Rostering (ready)") {
		t.Errorf("the flow is not ready after the validation:\n%s", out)
	}

	out = mustCLI(t, env, "runs", "start", "--wait")
	if !strings.Contains(out, "succeeded: Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 296 of 296 users; 7 with issues.\n") ||
		!regexp.MustCompile(`(?m)^status:\s+completedWithErrors$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^report:\s+http://.*/userReport$`).MatchString(out) {
		t.Errorf("runs start --wait:\n%s", out)
	}
	run := regexp.MustCompile(`run ([0-9a-f-]{36}) started`).FindStringSubmatch(out)
	if run == nil {
		t.Fatalf("runs start --wait names no run:\n%s", out)
	}
	if out := mustCLI(t, env, "runs", "list"); !strings.Contains(out, run[1]+"  completedWithErrors") {
		t.Errorf("runs list:\n%s", out)
	}
	out = mustCLI(t, env, "runs", "stats", run[1])
	if !regexp.MustCompile(`Rostering\s+completedWithWarnings\s+294 of 296\s+4 of 4\s+24 of 24\s+1088 of 1092\s+0\s+7`).MatchString(out) {
		t.Errorf("runs stats:\n%s", out)
	}
	out = mustCLI(t, env, "runs", "report")
	for _, want := range []string{"users:           296 (294 active, 2 inactive)", "usersWithIssues: 7", "sch-north  North High School                  98",
		"t-0004      kwirth     teacher     sch-north  true    missingEmail"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs report does not print %q:\n%s", want, out)
		}
	}
	csv := filepath.Join(t.TempDir(), "report.csv")
	mustCLI(t, env, "runs", "report", run[1], "--csv", csv, "--filter", "role eq 'teacher'")
	data, err := os.ReadFile(csv)
	if err != nil || strings.Count(string(data), "\n") != 25 || !strings.HasPrefix(string(data), "sourcedId,username,role,") {
		t.Errorf("report.csv of the teachers (%v):\n%s", err, data)
	}
}

// Processes and operations: read, update (only what the flags name), and
// a run of the process alone, waited for.
func TestCLIProcessesAndOperations(t *testing.T) {
	srv := serveInProcess(t, t.TempDir())
	env := cliEnv(srv)

	out := mustCLI(t, env, "processes", "list")
	proc := idOf(t, out, "")
	if !strings.Contains(out, "userReportRefreshProcess  User report refresh  ready") {
		t.Errorf("processes list:\n%s", out)
	}
	out = mustCLI(t, env, "processes", "update", "--display-name", "Nightly roster refresh")
	if !strings.Contains(out, "displayName:     Nightly roster refresh\n") || !strings.Contains(out, "readinessStatus: ready\n") {
		t.Errorf("processes update:\n%s", out)
	}
	out = mustCLI(t, env, "processes", "run", proc, "--wait")
	if !strings.Contains(out, "succeeded: No roster has been uploaded for this tenant") {
		t.Errorf("processes run --wait:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^operation:\s+succeeded$`).MatchString(out) {
		t.Errorf("processes run --wait:\n%s", out)
	}
	if out := mustCLI(t, env, "processes", "get"); !strings.Contains(out, "Nightly roster refresh") || !strings.Contains(out, "STARTED") {
		t.Errorf("processes get:\n%s", out)
	}

	out = mustCLI(t, env, "operations", "list")
	op := idOf(t, out, "")
	out = mustCLI(t, env, "operations", "update", op, "--status", "running", "--status-detail", "checked 120 of 500 users", "--last-action", "2024-05-01T08:30:00Z")
	if !strings.Contains(out, "status:           running\n") || !strings.Contains(out, "lastAction:       2024-05-01T08:30:00Z\n") {
		t.Errorf("operations update:\n%s", out)
	}
	out = mustCLI(t, env, "operations", "update", op, "--status-detail", "")
	if !strings.Contains(out, "statusDetail:     \n") || !strings.Contains(out, "status:           running\n") {
		t.Errorf("operations update --status-detail \"\" (null):\n%s", out)
	}
	if out := mustCLI(t, env, "operations", "get", op); !strings.Contains(out, "id:               "+op) {
		t.Errorf("operations get:\n%s", out)
	}
	if out := mustCLI(t, env, "operations", "list", "--filter", "status eq 'running'"); strings.Count(out, "\n") != 2 {
		t.Errorf("operations list --filter:\n%s", out)
	}
}

// --output json prints one JSON document on stdout, and --wait's progress
// goes to stderr then.
func TestCLIJSON(t *testing.T) {
	srv := serveInProcess(t, t.TempDir())
	env := cliEnv(srv)
	var made struct {
		DataConnector struct{ ID, DisplayName string } `json:"dataConnector"`
		InboundFlow   struct{ ID string }              `json:"inboundFlow"`
	}
	out := mustCLI(t, env, "connectors", "create", "Drop", "--flow", "Flow", "--output", "json")
	if err := json.Unmarshal([]byte(out), &made); err != nil || made.DataConnector.DisplayName != "Drop" || made.InboundFlow.ID == "" {
		t.Fatalf("connectors create --output json: %v\n%s", err, out)
	}
	out, errOut, status := cli(t, env, "roster", "upload", "../../testdata/roster", "--connector", made.DataConnector.ID,
		"--validate", "--wait", "--output", "json")
	var up struct {
		Files  []struct{ Name string }
		Result struct {
			Status   string
			Warnings []struct{ Code, Target string }
		}
	}
	if err := json.Unmarshal([]byte(out), &up); status != 0 || err != nil || len(up.Files) != 6 || up.Result.Status != "succeeded" || len(up.Result.Warnings) != 7 {
		t.Fatalf("roster upload --output json: status %d, %v\n%s\nstderr:\n%s", status, err, out, errOut)
	}
	if !strings.Contains(errOut, "uploaded users.csv") || !strings.Contains(errOut, "succeeded: 7 warnings") {
		t.Errorf("the progress is not on stderr:\n%s", errOut)
	}
	var started struct {
		Run       struct{ ID, Status string }
		Operation string
		Result    struct{ Status, ResourceLocation string }
	}
	out = mustCLI(t, env, "runs", "start", "--wait", "--output", "json")
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Run.Status != "completedWithErrors" || started.Result.Status != "succeeded" {
		t.Errorf("runs start --output json: %v\n%s", err, out)
	}
	var stats struct{ RunID string }
	out = mustCLI(t, env, "runs", "stats", "--output", "json")
	if err := json.Unmarshal([]byte(out), &stats); err != nil || stats.RunID != started.Run.ID {
		t.Errorf("runs stats --output json: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"runs", "list"}, {"operations", "list"}, {"processes", "list"}, {"connectors", "list"}} {
		var list []map[string]any
		out := mustCLI(t, env, append(args, "--output", "json")...)
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) == 0 {
			t.Errorf("%s --output json: %v\n%s", args, err, out)
		}
	}
}

// The exit statuses: 1 for a validation that failed (its errors printed as
// a table), 2 for a mistake on the line, 3 for a request refused or not
// delivered.
func TestCLIExitStatuses(t *testing.T) {
	srv := serveInProcess(t, t.TempDir())
	env := cliEnv(srv)
	mustCLI(t, env, "connectors", "create", "Drop")

	noUsers := t.TempDir()
	os.WriteFile(filepath.Join(noUsers, "orgs.csv"), []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ns1,active,,School,school,S1,\n"), 0o600)
	os.WriteFile(filepath.Join(noUsers, "notes.txt"), []byte("not a roster file"), 0o600)
	out, errOut, status := cli(t, env, "roster", "upload", noUsers, "--connector", "Drop", "--reset", "--validate", "--wait")
	if status != 1 || !strings.Contains(out, "skipped notes.txt: not a OneRoster v1.1 CSV file name\n") ||
		!strings.Contains(out, "users.csv  0     0       error     missingFile") ||
		!strings.Contains(errOut, "industrydata: roster upload: the operation failed: 1 error (missingFile 1)") {
		t.Errorf("a roster without users.csv: status %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
	}

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		status int
		want   string // in stderr
	}{
		{"no such operation", env, []string{"operations", "get", "nope"}, 3, "404 itemNotFound: The longRunningOperation 'nope' was not found."},
		{"no such connector", env, []string{"roster", "upload", noUsers, "--connector", "Nope"}, 3, `no data connector has the id or the name "Nope"`},
		{"server unreachable", with(env, "INDUSTRYDATA_URL", "http://127.0.0.1:1"), []string{"runs", "list"}, 3, "connection refused"},
		{"token refused", with(env, "INDUSTRYDATA_TOKEN", "not-a-token"), []string{"runs", "list"}, 3, "401 unauthenticated"},
		{"no token, no tenant", with(env, "INDUSTRYDATA_TENANT", ""), []string{"runs", "list"}, 2, "no token: give --token"},
		{"no key in the data directory", with(env, "INDUSTRYDATA_DATA_DIR", t.TempDir()), []string{"runs", "list"}, 2, "no signing key in --data-dir"},
		{"bad tenant", env, []string{"runs", "list", "--tenant", "acme"}, 2, `--tenant "acme" is not a tenant id`},
		{"bad output", env, []string{"runs", "list", "--output", "xml"}, 2, `--output "xml" must be table or json`},
		{"bad url", env, []string{"runs", "list", "--url", "127.0.0.1:8080"}, 2, "--url"},
		{"wait without validate", env, []string{"roster", "upload", noUsers, "--connector", "Drop", "--wait"}, 2, "--wait waits for the validation: it needs --validate"},
		{"upload without connector", env, []string{"roster", "upload", noUsers}, 2, "--connector is required"},
		{"nothing to update", env, []string{"operations", "update", "x"}, 2, "nothing to change"},
		{"unknown subcommand", env, []string{"runs", "stop"}, 2, `runs: unknown command "stop"`},
		{"stray argument", env, []string{"runs", "list", "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, status := cli(t, tt.env, tt.args...)
			if status != tt.status || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit status %d, want %d; stderr (want %q in it):\n%s\nstdout:\n%s", status, tt.status, tt.want, errOut, out)
			}
		})
	}
}

// with is env with key set to value.
func with(env map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range env {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// Flags beat the environment, and a given token is used as it is.
func TestCLITokenAndURLFlags(t *testing.T) {
	srv := serveInProcess(t, t.TempDir())
	var tok bytes.Buffer
	if err := runToken(context.Background(), []string{"--data-dir", srv.dataDir, "--tenant", testTenant, "--roles", "IndustryData-Run.Read.All"},
		func(string) string { return "" }, &tok, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"INDUSTRYDATA_URL": "http://127.0.0.1:1", "INDUSTRYDATA_TOKEN": "wrong"}
	mustCLI(t, env, "runs", "list", "--url", "http://"+srv.addr, "--token", strings.TrimSpace(tok.String()))
	// That token may read runs only.
	_, errOut, status := cli(t, env, "operations", "list", "--url", "http://"+srv.addr, "--token", strings.TrimSpace(tok.String()))
	if status != 3 || !strings.Contains(errOut, "403 accessDenied") {
		t.Errorf("operations list with a runs-only token: %d\n%s", status, errOut)
	}
}

// The program itself, as a child process against a child serve: its exit
// status, and plain progress lines on a stdout that is not a terminal.
func TestCLIAsProgram(t *testing.T) {
	dir := t.TempDir()
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(exe, append([]string{"--"}, args...)...)
		cmd.Env = append(childEnviron(), "INDUSTRYDATA_URL=http://"+srv.addr, "INDUSTRYDATA_DATA_DIR="+dir, "INDUSTRYDATA_TENANT="+testTenant)
		return cmd
	}
	out, err := command("runs", "start", "--wait").Output()
	if err != nil {
		t.Fatalf("runs start --wait: %v\n%s", err, out)
	}
	if strings.ContainsRune(string(out), '\r') || !strings.Contains(string(out), "\nsucceeded: ") {
		t.Errorf("runs start --wait into a pipe prints no plain lines:\n%q", out)
	}
	var exit *exec.ExitError
	out, err = command("operations", "get", "nope").CombinedOutput()
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(string(out), "404 itemNotFound") {
		t.Errorf("operations get nope: %v\n%s", err, out)
	}
}
