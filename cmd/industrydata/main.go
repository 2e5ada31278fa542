// Command industrydata runs the industryData API service and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// The commands' one-line summaries: the program's usage lists them, and
// each command's --help starts with its own.
const (
	serveSummary  = "run the API service (embedded SQLite under ./data by default)"
	tokenSummary  = "print a signed access token for local use"
	auditSummary  = "print the audit log (who changed what) as JSON lines"
	rosterSummary = "check OneRoster v1.1 CSV files offline, or upload them to a connector (roster validate|upload)"
)

const usageText = `usage: industrydata <command> [flags]

commands:
  serve       ` + serveSummary + `
  token       ` + tokenSummary + `
  audit       ` + auditSummary + `
  cleanup     ` + cleanupSummary + `
  roster      ` + rosterSummary + `
  connectors  ` + connectorsSummary + `
  runs        ` + runsSummary + `
  processes   ` + processesSummary + `
  operations  ` + operationsSummary + `

The commands after roster validate call a running service: --url (INDUSTRYDATA_URL, http://127.0.0.1:8080
by default) and --token (INDUSTRYDATA_TOKEN), or a token minted for --tenant with --data-dir's key.

Run 'industrydata <command> --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitStatus(err, os.Stderr))
}

// exitStatus reports run's error on stderr and returns the process's exit
// status: 0 for no error and for -h (the help is printed already), the
// error's own ExitStatus when it has one (2 for a mistake on the command
// line or an address serve cannot listen on), 1 for anything else. A
// mistake on a command's line is followed by a line pointing to its --help.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "industrydata:", err)
	var usage usageError
	if errors.As(err, &usage) && usage.command != "" {
		fmt.Fprintf(stderr, "Run 'industrydata %s --help' for usage.\n", usage.command)
	}
	var s interface{ ExitStatus() int }
	if errors.As(err, &s) {
		return s.ExitStatus()
	}
	return 1
}

// run is the whole program; tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return usageError{msg: "no command given"}
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], getenv, stdout, stderr, serveOptions{})
	case "token":
		err = runToken(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		err = runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "cleanup":
		err = runCleanup(ctx, args[1:], getenv, stdout, stderr)
	case "roster":
		err = runRoster(ctx, args[1:], getenv, stdout, stderr)
	case "connectors":
		err = runConnectors(ctx, args[1:], getenv, stdout, stderr)
	case "runs":
		err = runRuns(ctx, args[1:], getenv, stdout, stderr)
	case "processes":
		err = runProcesses(ctx, args[1:], getenv, stdout, stderr)
	case "operations":
		err = runOperations(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	default:
		fmt.Fprint(stderr, usageText)
		return usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
	}
	// A mistake on a command's line is reported with a pointer to the
	// command's --help, not with the whole of it.
	if usage, ok := err.(usageError); ok {
		if usage.command == "" { // a command with subcommands names the one at fault
			usage.command = args[0]
		}
		return usage
	}
	return err
}
