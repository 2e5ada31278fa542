package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandHelp is what a command's --help prints: its one-line summary, its
// usage line, more words if it needs them, then every flag with its
// environment twin.
type commandHelp struct {
	summary string // what the command does, in one line
	usage   string // the command line, after "usage: "
	about   string // printed before the flags; optional
	after   string // printed after the flags; optional
}

// newFlagSet returns the flag set of the command name. It prints nothing
// itself: parseFlags prints the help that -h asks for, and main a bad
// flag's error followed by a line pointing to the help, rather than the
// whole of it.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs, then fills every flag the command line did
// not set from its environment twin: --data-dir ⇔ INDUSTRYDATA_DATA_DIR.
// Precedence is flag, then environment, then the flag's default. For -h it
// prints help to stderr and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, help commandHelp, stderr io.Writer) error {
	_, err := parseFlagsArgs(fs, args, 0, getenv, help, stderr)
	return err
}

// parseFlagsArgs is parseFlags for a command that takes up to most
// arguments besides its flags, before, between or after them; it returns
// them.
func parseFlagsArgs(fs *flag.FlagSet, args []string, most int, getenv func(string) string, help commandHelp, stderr io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				help.print(stderr, fs)
			}
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		if len(positional) == most {
			return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return positional, fillFromEnv(fs, getenv)
}

// fillFromEnv sets every flag of fs that the command line did not set from
// its environment twin, when that is set.
func fillFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %v", name, e)
			}
		}
	})
	return err
}

// print writes the help of the command whose flags are fs to w.
func (h commandHelp) print(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "industrydata %s - %s\n\nusage: %s\n", fs.Name(), h.summary, h.usage)
	if h.about != "" {
		fmt.Fprintf(w, "\n%s\n", h.about)
	}
	fmt.Fprintf(w, "\nflags, each beside its environment variable (used when the flag is not given):\n")
	type entry struct{ flag, env, usage string }
	var entries []entry
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		e := entry{flag: "--" + f.Name, env: envName(f.Name), usage: usage}
		if name != "" {
			e.flag += " " + name
		}
		if def := f.DefValue; def != "" && def != "0" && def != "0s" && def != "false" {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isString := g.Get().(string); isString {
					def = fmt.Sprintf("%q", def)
				}
			}
			e.usage += " (default " + def + ")"
		}
		width = max(width, len(e.flag))
		entries = append(entries, e)
	})
	for _, e := range entries {
		fmt.Fprintf(w, "  %-*s  %s\n      %s\n", width, e.flag, e.env, e.usage)
	}
	if h.after != "" {
		fmt.Fprintf(w, "\n%s\n", h.after)
	}
}

// envName is the environment twin of a flag name.
func envName(flagName string) string {
	return "INDUSTRYDATA_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
