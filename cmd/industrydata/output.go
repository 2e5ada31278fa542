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

// maxProblemRows bounds the problems a wait prints: a large roster's
// validation keeps up to 1,000 of each code, more than a screen wants.
const maxProblemRows = 100

// problemsTable prints a validation's errors, then its warnings, one a
// row, at most limit of them (0: all), and says how many it left out.
func problemsTable(w io.Writer, op client.Operation, limit int) error {
	t := newTable(w, "FILE", "LINE", "COLUMN", "SEVERITY", "CODE", "MESSAGE")
	left := 0
	add := func(severity string, ps []client.PublicError) {
		for _, p := range ps {
			if limit > 0 && t.rows > limit {
				left++
				continue
			}
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
	if err := t.flush(); err != nil {
		return err
	}
	if left > 0 {
		_, err := fmt.Fprintf(w, "(%d more: 'industrydata operations get %s' lists them all)\n", left, op.ID)
		return err
	}
	return nil
}
