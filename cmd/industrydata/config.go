package main

import (
	"flag"
	"fmt"
	"strings"
)

// parseFlags parses args into fs, then fills every flag the command line did
// not set from its environment twin: --data-dir ⇔ INDUSTRYDATA_DATA_DIR.
// Precedence is flag, then environment, then the flag's default.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
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

// envName is the environment twin of a flag name.
func envName(flagName string) string {
	return "INDUSTRYDATA_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
