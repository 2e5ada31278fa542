package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandHelp: -h, -help and --help print the command's one-line
// summary first, then its flags, each on a line with its environment twin,
// and exit 0 without touching the data directory.
func TestCommandHelp(t *testing.T) {
	commands := []struct {
		name, summary string
		flags         []string // some of the flags its help must list
	}{
		{"serve", serveSummary, []string{"addr", "data-dir", "database-url", "shutdown-timeout", "lease-ttl", "trust-proxy-headers",
			"batch-max-bytes", "chaos", "chaos-seed", "chaos-allow-remote"}},
		{"token", tokenSummary, []string{"data-dir", "tenant", "scopes", "roles", "expires"}},
		{"audit", auditSummary, []string{"data-dir", "database-url", "tenant", "since", "output"}},
	}
	// Every command that calls the API, with the flags they share.
	for _, g := range apiGroups {
		for _, sub := range g.subs {
			if g.name == "roster" && sub.name == "validate" { // offline: no --data-dir (roster_test.go)
				continue
			}
			commands = append(commands, struct {
				name, summary string
				flags         []string
			}{g.name + " " + sub.name, sub.summary, []string{"url", "token", "data-dir", "tenant", "output"}})
		}
	}
	for _, cmd := range commands {
		for _, h := range []string{"-h", "-help", "--help"} {
			t.Run(cmd.name+" "+h, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "data")
				var stdout, stderr, report bytes.Buffer
				args := append(strings.Fields(cmd.name), "--data-dir", dir, h)
				err := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
				if status := exitStatus(err, &report); status != 0 || report.Len() > 0 {
					t.Errorf("exit status %d (error %v), reported %q; want 0 and nothing", status, err, report.String())
				}
				if stdout.Len() > 0 {
					t.Errorf("stdout %q, want nothing", stdout.String())
				}
				help := stderr.String()
				lines := strings.Split(help, "\n")
				if want := "industrydata " + cmd.name + " - " + cmd.summary; lines[0] != want {
					t.Errorf("first line %q, want %q", lines[0], want)
				}
				listed := map[string]bool{}
				for i, line := range lines {
					if !strings.HasPrefix(line, "  --") {
						continue
					}
					fields := strings.Fields(line)
					name := strings.TrimPrefix(fields[0], "--")
					listed[name] = true
					if env := fields[len(fields)-1]; env != envName(name) {
						t.Errorf("the line of --%s ends with %q, not its environment twin %s: %q", name, env, envName(name), line)
					}
					if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "      ") || strings.TrimSpace(lines[i+1]) == "" {
						t.Errorf("--%s has no description under it", name)
					}
				}
				for _, f := range cmd.flags {
					if !listed[f] {
						t.Errorf("--%s is not listed", f)
					}
				}
				if !strings.Contains(help, "  --data-dir ") || !strings.Contains(help, " INDUSTRYDATA_DATA_DIR\n") {
					t.Errorf("--data-dir and INDUSTRYDATA_DATA_DIR are not on one line:\n%s", help)
				}
				if t.Failed() {
					t.Logf("help:\n%s", help)
				}
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the data directory exists after -h (stat: %v)", err)
				}
			})
		}
	}
}

// TestBadFlagPointsToHelp: a bad flag or value is reported in two lines,
// the problem, then a pointer to the command's --help, with exit status 2;
// the help itself is not printed.
func TestBadFlagPointsToHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the first line
	}{
		{name: "unknown flag", args: []string{"serve", "--bogus"}, want: "serve: flag provided but not defined: -bogus"},
		{name: "malformed number", args: []string{"serve", "--workers", "x"}, want: `invalid value "x" for flag -workers`},
		{name: "value out of range", args: []string{"serve", "--log-level", "loud"}, want: "--log-level"},
		{name: "malformed environment", args: []string{"serve"}, env: map[string]string{"INDUSTRYDATA_SHUTDOWN_TIMEOUT": "soon"},
			want: "INDUSTRYDATA_SHUTDOWN_TIMEOUT"},
		{name: "stray argument", args: []string{"serve", "extra"}, want: `unexpected argument "extra"`},
		{name: "token unknown flag", args: []string{"token", "--bogus"}, want: "token: flag provided but not defined: -bogus"},
		{name: "token malformed duration", args: []string{"token", "--tenant", "7e7e7e7e-0000-4000-8000-000000000003", "--expires", "soon"}, want: "-expires"},
		{name: "token without tenant", args: []string{"token"}, want: "--tenant is required"},
		{name: "audit malformed time", args: []string{"audit", "--since", "yesterday"}, want: "--since"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := append([]string{tt.args[0], "--data-dir", dir}, tt.args[1:]...)
			var stdout, stderr, report bytes.Buffer
			err := run(context.Background(), args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
			if status := exitStatus(err, &report); status != 2 {
				t.Errorf("exit status %d (error %v), want 2", status, err)
			}
			if stdout.Len() > 0 || stderr.Len() > 0 {
				t.Errorf("run printed %q on stdout and %q on stderr, want nothing (main reports the error)", stdout.String(), stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(report.String(), "\n"), "\n")
			want := "Run 'industrydata " + tt.args[0] + " --help' for usage."
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "industrydata: ") || !strings.Contains(lines[0], tt.want) || lines[1] != want {
				t.Errorf("reported:\n%s\nwant two lines: the error, naming %q, then %q", report.String(), tt.want, want)
			}
		})
	}
}

// TestHelpAndBadFlagAsProgram: what the program itself prints and exits
// with.
func TestHelpAndBadFlagAsProgram(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "--", "serve", "--bogus")
	cmd.Env = childEnviron()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("serve --bogus: %v, want exit status 2", err)
	}
	if want := "industrydata: serve: flag provided but not defined: -bogus\nRun 'industrydata serve --help' for usage.\n"; string(out) != want {
		t.Errorf("serve --bogus printed:\n%s\nwant:\n%s", out, want)
	}

	cmd = exec.Command(exe, "--", "serve", "--help")
	cmd.Env = childEnviron()
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Errorf("serve --help: %v, want exit status 0", err)
	}
	if want := "industrydata serve - " + serveSummary + "\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("serve --help printed:\n%s\nwant it to start %q", out, want)
	}
}

// apiGroups are the commands made of subcommands.
var apiGroups = []commandGroup{rosterGroup, connectorsGroup, runsGroup, processesGroup, operationsGroup}

// Each group's help lists its commands with their summaries, and the
// program's usage lists each group.
func TestGroupHelp(t *testing.T) {
	for _, g := range apiGroups {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{g.name, "--help"}, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Fatalf("%s --help: %v", g.name, err)
		}
		for _, sub := range g.subs {
			if !strings.Contains(stdout.String(), "  "+strings.TrimSpace(sub.name+" "+sub.args)+"   ") ||
				!strings.Contains(stdout.String(), sub.summary+"\n") {
				t.Errorf("%s --help does not list %s:\n%s", g.name, sub.name, stdout.String())
			}
		}
		if !strings.Contains(usageText, "\n  "+g.name+" ") {
			t.Errorf("the program's usage does not list %s:\n%s", g.name, usageText)
		}
	}
}
