package rostercheck_test

import (
	"os"
	"strings"
	"testing"

	"industrydata/rostercheck"
)

// TestDocsListEveryCode: docs/API.md §11.7 has a row for every code, with
// its severity.
func TestDocsListEveryCode(t *testing.T) {
	doc, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rostercheck.Codes {
		if row := "| `" + c.Code + "` | " + c.Severity + " |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/API.md has no row %q", row)
		}
	}
}
