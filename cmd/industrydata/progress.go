package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/schollz/progressbar/v3"

	"industrydata/client"
)

// progress shows a long-running operation as it goes (--wait): on a
// terminal, a bar for each step, filled where the statusDetail gives a
// count ("Checked 120 of 296 users"), a spinner where it does not; on
// anything else (a pipe, a file, a CI log) one plain line per change,
// "status: statusDetail", which reads well in a log and diffs well.
type progress struct {
	w    io.Writer
	tty  bool
	cols int // the terminal's width; 0 when unknown
	bar  *progressbar.ProgressBar
	max  int64 // the bar's total; -1 for a spinner
}

// newProgress shows progress on w, drawn when tty says w is a terminal of
// cols columns (0: unknown).
func newProgress(w io.Writer, tty bool, cols int) *progress {
	return &progress{w: w, tty: tty, cols: cols}
}

// countOf finds a count in a statusDetail: "N of M". The last one is the
// step in progress ("Imported 1 of 1 inbound flows. Checked 120 of 296
// users.").
var countOf = regexp.MustCompile(`(\d+) of (\d+)`)

// barRoom is what a bar takes besides its description: the bar, the
// percentage and the count.
const barRoom = 30 + 30

// show is WaitForOperation's onProgress: op has changed.
func (p *progress) show(op client.Operation) {
	line := string(op.Status)
	if d := op.Detail(); d != "" {
		line += ": " + d
	}
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	n, total := int64(-1), int64(-1)
	if all := countOf.FindAllStringSubmatch(op.Detail(), -1); all != nil {
		m := all[len(all)-1]
		n, _ = strconv.ParseInt(m[1], 10, 64)
		total, _ = strconv.ParseInt(m[2], 10, 64)
	}
	// A description wider than the terminal would wrap, and the bar
	// could no longer be drawn over itself.
	if r := []rune(line); p.cols > barRoom+10 && len(r) > p.cols-barRoom {
		line = string(r[:p.cols-barRoom-1]) + "…"
	}
	// A new kind of step (another total, or a count coming or going)
	// gets a bar of its own on a new line; the old one stays as it ended.
	if p.bar == nil || total != p.max {
		p.end()
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetElapsedTime(false),
			// No ticker: the spinner turns with each reading, and no
			// goroutine outlives the wait.
			progressbar.OptionSetSpinnerChangeInterval(0),
			progressbar.OptionSetDescription(line),
		}
		if total >= 0 {
			opts = append(opts, progressbar.OptionShowCount())
		}
		p.bar = progressbar.NewOptions64(total, opts...)
		p.max = total
	}
	p.bar.Describe(line)
	if n >= 0 {
		_ = p.bar.Set64(n)
	} else {
		_ = p.bar.Add64(1)
	}
}

// end leaves the current bar as it is and moves to the next line.
func (p *progress) end() {
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}
