package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"industrydata/client"
)

// printJSON writes v as one line of JSON, as roster validate --output json
// does: one document a command, for jq and scripts.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table is columns aligned with spaces, a header row first.
type table struct {
	bw   *bufio.Writer
	tw   *tabwriter.Writer
	rows int
}

func newTable(w io.Writer, header ...string) *table {
	bw := bufio.NewWriter(w)
	t := &table{bw: bw, tw: tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row adds a row; tabs and line ends in a cell become spaces, so that a
// value cannot break the columns.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	t.rows++
}

func (t *table) flush() error { return errors.Join(t.tw.Flush(), t.bw.Flush()) }

// fields prints name: value lines, the values aligned.
func fields(w io.Writer, kv ...string) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 1, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
	}
	return errors.Join(tw.Flush(), bw.Flush())
}

// isTerminal reports whether w is a terminal, where progress is drawn as a
// bar rather than written as lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is the width of the terminal w is, 0 when unknown.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// when formats a time for a table, in UTC to the second; "" for none.
func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// shortType is an @odata.type without its namespace:
// "#microsoft.graph.industryData.fileValidateOperation" → fileValidateOperation.
func shortType(t string) string {
	return t[strings.LastIndexByte(t, '.')+1:]
}

// problemsTable prints a validation's errors and warnings, one a row.
func problemsTable(w io.Writer, op client.Operation) error {
	t := newTable(w, "FILE", "LINE", "COLUMN", "SEVERITY", "CODE", "MESSAGE")
	add := func(severity string, ps []client.PublicError) {
		for _, p := range ps {
			file, line, col, ok := p.Place()
			if !ok {
				t.row(p.Target, "", "", severity, p.Code, p.Message)
				continue
			}
			t.row(file, fmt.Sprint(line), fmt.Sprint(col), severity, p.Code, p.Message)
		}
	}
	add("error", op.Errors)
	add("warning", op.Warnings)
	return t.flush()
}
