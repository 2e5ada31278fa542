package blob

import (
	"io"
	"strings"
	"testing"
)

// A body tells how much of it is left, as it is read.
func TestBodyLen(t *testing.T) {
	b := &bodyReader{r: strings.NewReader("0123456789"), left: 10}
	for _, want := range []int{10, 6, 2, 0} {
		if got := b.Len(); got != want {
			t.Fatalf("Len() = %d, want %d", got, want)
		}
		if _, err := io.ReadFull(b, make([]byte, min(4, want))); err != nil {
			t.Fatal(err)
		}
	}
}
