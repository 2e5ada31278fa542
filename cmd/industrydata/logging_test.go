package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// records is every complete JSON line of the log, decoded.
func (w *logWatcher) records(t *testing.T) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(w.String(), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			continue // the last line may still be partial
		}
		recs = append(recs, rec)
	}
	return recs
}

// withMsg is the records whose msg is msg.
func withMsg(recs []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// waitRecord polls the log (bounded by startDeadline) until a record with
// msg shows, and returns it.
func (w *logWatcher) waitRecord(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(startDeadline)
	for {
		if recs := withMsg(w.records(t), msg); len(recs) > 0 {
			return recs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log within %v; log:\n%s", msg, startDeadline, w)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogDurationsAsText: a time.Duration attribute is written as its
// String in both formats, wherever it is given (an argument, With, a
// group), not as JSON's count of nanoseconds.
func TestLogDurationsAsText(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log := newLogger(serveConfig{logLevel: "info", logFormat: format}, &buf)
			log.With("ttl", 30*time.Second).Info("m", "took", 1500*time.Millisecond,
				slog.Group("g", "short", 250*time.Microsecond), "count", 7)
			line := buf.String()
			for _, want := range []string{"30s", "1.5s", "250µs"} {
				if !strings.Contains(line, want) {
					t.Errorf("log line does not have %q: %s", want, line)
				}
			}
			if format != "json" {
				return
			}
			var rec struct {
				TTL   any `json:"ttl"`
				Took  any `json:"took"`
				Count any `json:"count"`
				G     struct {
					Short any `json:"short"`
				} `json:"g"`
			}
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.TTL != "30s" || rec.Took != "1.5s" || rec.G.Short != "250µs" || rec.Count != 7.0 {
				t.Errorf("ttl %#v, took %#v, g.short %#v, count %#v; want the durations as strings, the count a number: %s",
					rec.TTL, rec.Took, rec.G.Short, rec.Count, line)
			}
		})
	}
}

// TestServeLogsDurationsAsText: serve's own log writes the runner's lease
// as "30s".
func TestServeLogsDurationsAsText(t *testing.T) {
	s := startInProcess(t, "--lease-ttl", "30s", "--workers", "1")
	rec := s.log.waitRecord(t, "runner started")
	if rec["leaseTTL"] != "30s" {
		t.Errorf(`leaseTTL = %#v, want "30s": %v`, rec["leaseTTL"], rec)
	}
}

// TestMigrationsLoggedOnce: a new database logs one line for all the
// migrations applied to it, with their number and time taken; the next
// start, with nothing to apply, logs none.
func TestMigrationsLoggedOnce(t *testing.T) {
	dir := t.TempDir()
	about := func(recs []map[string]any) []map[string]any {
		var out []map[string]any
		for _, r := range recs {
			if msg, _ := r["msg"].(string); strings.Contains(msg, "migrat") {
				out = append(out, r)
			}
		}
		return out
	}

	first := serveInProcess(t, dir)
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	recs := about(first.log.records(t))
	if len(recs) != 1 {
		t.Fatalf("%d lines about migrations on a new database, want 1:\n%s", len(recs), first.log)
	}
	r := recs[0]
	version, _ := r["version"].(float64)
	migrations, _ := r["migrations"].(float64)
	took, _ := r["duration"].(string)
	if want := fmt.Sprintf("sqlite: migrated to version %d", int(version)); r["msg"] != want || r["level"] != "INFO" ||
		version < 1 || migrations < 1 || migrations > version {
		t.Errorf("migration line %v, want %q at INFO with a version and the number applied", r, want)
	}
	if _, err := time.ParseDuration(took); err != nil {
		t.Errorf("duration %q of the migrations: %v", took, err)
	}

	second := serveInProcess(t, dir)
	if err := second.stop(t); err != nil {
		t.Fatal(err)
	}
	if recs := about(second.log.records(t)); len(recs) != 0 {
		t.Errorf("lines about migrations with none to apply: %v", recs)
	}
}
