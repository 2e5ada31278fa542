package httpapi

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata/service"
)

func TestParseETags(t *testing.T) {
	tests := []struct {
		name   string
		values []string // header values; nil: no header
		want   service.Precondition
	}{
		{"absent", nil, nil},
		{"strong", []string{`"abc"`}, service.Precondition{"abc"}},
		{"weak", []string{`W/"abc"`}, service.Precondition{"abc"}},
		{"bare value", []string{`abc`}, service.Precondition{"abc"}},
		{"wildcard", []string{`*`}, service.Precondition{"*"}},
		{"quoted wildcard", []string{`"*"`}, service.Precondition{"*"}},
		{"quoted wildcard with blanks", []string{` "*" `}, service.Precondition{"*"}},
		{"weak quoted wildcard", []string{`W/"*"`}, service.Precondition{"*"}},
		{"quoted wildcard in a list", []string{`"stale", "*"`}, service.Precondition{"stale", "*"}},
		{"list", []string{`"a", W/"b",c`}, service.Precondition{"a", "b", "c"}},
		{"comma inside quotes", []string{`"a,b"`}, service.Precondition{"a,b"}},
		{"two headers", []string{`"a"`, `"b"`}, service.Precondition{"a", "b"}},
		{"empty tag matches nothing", []string{`""`}, service.Precondition{}},
		{"only commas match nothing", []string{`, ,`}, service.Precondition{}},
		{"a star inside a tag is no wildcard", []string{`"a*"`}, service.Precondition{"a*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("If-Match", v)
			}
			got := parseETags(h, "If-Match")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseETags(%q) (-want +got):\n%s", tt.values, diff)
			}
			if (got == nil) != (tt.want == nil) {
				t.Errorf("parseETags(%q) = %#v, want %#v (nil is no header)", tt.values, got, tt.want)
			}
		})
	}
}
