package roster

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// A false alarm of the chunked UTF-8 check would cost only speed (the table
// then checks each field), so the public tests cannot see it: check here
// that valid input cut anywhere keeps the fast path.
func TestInputUTF8Chunks(t *testing.T) {
	for _, tc := range []struct {
		in    string
		valid bool
	}{
		{"plain ASCII", true},
		{"zoë, €, 😀, 日本語", true},
		{"\xf0\x9f\x98\x80\xf0\x9f\x98\x80", true},
		{"cut at the end \xe2\x82", false},
		{"lone continuation \x80 byte", false},
		{"overlong \xc0\xaf", false},
		{"surrogate \xed\xa0\x80", false},
		{"lead then ASCII \xe2x", false},
	} {
		for name, r := range map[string]io.Reader{
			"whole":    strings.NewReader(tc.in),
			"one byte": iotest.OneByteReader(strings.NewReader(tc.in)),
			"half":     iotest.HalfReader(strings.NewReader(tc.in)),
		} {
			in := &input{r: r}
			if _, err := io.ReadAll(in); err != nil {
				t.Fatal(err)
			}
			if in.invalid == tc.valid {
				t.Errorf("%q read %s: invalid = %v", tc.in, name, in.invalid)
			}
		}
	}
}
