package main

import (
	"bytes"
	"strings"
	"testing"

	"industrydata/client"
)

// steps is a run's operation as WaitForOperation shows it.
func steps() []client.Operation {
	op := func(status client.OperationStatus, detail string) client.Operation {
		o := client.Operation{Status: status}
		if detail != "" {
			o.StatusDetail = &detail
		}
		return o
	}
	return []client.Operation{
		op(client.OperationNotStarted, ""),
		op(client.OperationRunning, "Started."),
		op(client.OperationRunning, "Importing the inbound flow 'Rostering' (1 of 1): reading users.csv."),
		op(client.OperationRunning, "Checked 120 of 296 users."),
		op(client.OperationRunning, "Checked 250 of 296 users."),
		op(client.OperationSucceeded, "Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 296 of 296 users; 7 with issues."),
	}
}

// Off a terminal: one plain line a change, nothing drawn.
func TestProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, false, 0)
	for _, op := range steps() {
		p.show(op)
	}
	p.end()
	want := "notStarted\n" +
		"running: Started.\n" +
		"running: Importing the inbound flow 'Rostering' (1 of 1): reading users.csv.\n" +
		"running: Checked 120 of 296 users.\n" +
		"running: Checked 250 of 296 users.\n" +
		"succeeded: Imported 1 of 1 inbound flows (0 skipped, 0 failed). Checked 296 of 296 users; 7 with issues.\n"
	if b.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", b.String(), want)
	}
}

// On a terminal: a bar drawn in place for each step, filled with the
// count the statusDetail gives, a new line when the total changes.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true, 0)
	for _, op := range steps() {
		p.show(op)
	}
	p.end()
	out := b.String()
	if !strings.Contains(out, "\r") {
		t.Errorf("nothing is drawn in place:\n%q", out)
	}
	for _, want := range []string{"running: Checked 120 of 296 users.", "(120/296", "(250/296", "(1/1", "running: Started."} {
		if !strings.Contains(out, want) {
			t.Errorf("the bars do not show %q:\n%q", want, out)
		}
	}
	// notStarted and Started. share a spinner; the flow's count (1 of 1)
	// and the users' (of 296, the end included) get bars of their own.
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d lines, want 3 (the spinner's, then a bar each for the flows and the users):\n%q", n, out)
	}
	if !strings.Contains(out, "(296/296") || strings.Contains(out, "/-)") {
		t.Errorf("the last bar does not end full, or a spinner shows a count:\n%q", out)
	}
}

// A description wider than the terminal is cut, so that the bar fits on
// its line.
func TestProgressFitsTheTerminal(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true, 80)
	p.show(steps()[5])
	p.end()
	for _, line := range strings.Split(b.String(), "\r") {
		if n := len([]rune(strings.TrimRight(line, " \n"))); n > 80 {
			t.Errorf("a line of %d columns on a terminal of 80: %q", n, line)
		}
	}
}
