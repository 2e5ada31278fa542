package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// commandGroup is a command made of subcommands (roster validate, runs
// start): it prints their list for help, and dispatches to them.
type commandGroup struct {
	name string
	subs []subcommand
}

// subcommand is one command of a group.
type subcommand struct {
	name    string
	args    string // what follows the name in the group's list: "DIR", "[ID]"
	summary string
	run     func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// usage is the group's list of commands.
func (g commandGroup) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: industrydata %s <command> [flags]\n\ncommands:\n", g.name)
	width := 0
	for _, s := range g.subs {
		width = max(width, len(strings.TrimSpace(s.name+" "+s.args)))
	}
	for _, s := range g.subs {
		fmt.Fprintf(&b, "  %-*s   %s\n", width, strings.TrimSpace(s.name+" "+s.args), s.summary)
	}
	fmt.Fprintf(&b, "\nRun 'industrydata %s <command> --help' for a command's flags.\n", g.name)
	return b.String()
}

// run dispatches args to the subcommand they name. A usage error of a
// subcommand names it, so that main points to its --help.
func (g commandGroup) run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, g.usage())
		return usageError{msg: g.name + ": no command given"}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, g.usage())
		return nil
	}
	for _, s := range g.subs {
		if s.name != args[0] {
			continue
		}
		err := s.run(ctx, args[1:], getenv, stdout, stderr)
		if usage, ok := err.(usageError); ok {
			usage.command = g.name + " " + s.name
			return usage
		}
		return err
	}
	fmt.Fprint(stderr, g.usage())
	return usageError{msg: fmt.Sprintf("%s: unknown command %q", g.name, args[0])}
}
