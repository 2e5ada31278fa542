package chunk

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/s2"
)

// compressible is n bytes of roster-like text: compressible, as uploads
// are.
func compressible(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "user-%d,active,student,org-%d,true\r\n", i, i%40)
	}
	return b.Bytes()[:n]
}

// A chunk reads back as written, zstd or S2, whether S2 compressed it or
// stored it as is (random bytes), and an S2 one is a stream the s2 package
// reads too; a chunk cut short or of another kind is an error.
func TestChunkRoundTrip(t *testing.T) {
	random := make([]byte, Size)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	for _, fast := range []bool{false, true} {
		for _, src := range [][]byte{nil, []byte("x"), compressible(1000), compressible(Size), random} {
			chunk := Compress([]byte("keep"), src, fast)
			if !bytes.HasPrefix(chunk, []byte("keep")) {
				t.Fatal("Compress lost dst")
			}
			chunk = chunk[4:]
			got, err := Decompress([]byte("pre"), chunk)
			if err != nil || !bytes.Equal(got, append([]byte("pre"), src...)) {
				t.Errorf("%d bytes, fast %t: read back %d, %v", len(src), fast, len(got)-3, err)
			}
			if !fast {
				continue
			}
			lib, err := io.ReadAll(s2.NewReader(bytes.NewReader(chunk)))
			if err != nil || !bytes.Equal(lib, src) {
				t.Errorf("%d bytes: the s2 package reads %d, %v", len(src), len(lib), err)
			}
			for _, bad := range [][]byte{chunk[:len(chunk)-1], append(bytes.Clone(chunk), 0), {0xff, 6, 0, 0}} {
				if _, err := Decompress(nil, bad); err == nil {
					t.Errorf("%d bytes: a chunk of %d bytes of %d read without error", len(src), len(bad), len(chunk))
				}
			}
		}
	}
}
