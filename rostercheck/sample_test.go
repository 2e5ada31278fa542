package rostercheck_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"industrydata/rostercheck"
)

// The sample roster in testdata/roster (a district, three schools, 296
// people, their courses, classes and enrollments for one school year) is
// valid, with exactly the deliberate problems the user report is there to
// show.
func TestSampleRoster(t *testing.T) {
	dir := filepath.Join("..", "testdata", "roster")
	open := func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, name)) }
	res, err := rostercheck.Validate(context.Background(), open, rostercheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"missingEmail": 1, "duplicateUsername": 2, "invalidEmail": 1, "unknownOrg": 1, "noOrg": 1, "unknownRole": 1}
	if !res.Valid() || len(res.Counts) != len(want) {
		t.Fatalf("sample roster: %s", res.Summary())
	}
	for code, n := range want {
		if res.Counts[code] != n {
			t.Errorf("%s: %d, want %d (%s)", code, res.Counts[code], n, res.Summary())
		}
	}
}
