package zblob

import (
	"bytes"
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, src := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("sourcedId,username,role\r\n"), 10_000)} {
		blob := Compress([]byte("head"), src)
		if !bytes.HasPrefix(blob, []byte("head")) {
			t.Fatal("Compress lost dst")
		}
		got, err := Decompress([]byte("pre"), blob[4:])
		if err != nil || !bytes.Equal(got, append([]byte("pre"), src...)) {
			t.Errorf("round trip of %d bytes: %d bytes, %v", len(src), len(got), err)
		}
	}
}

func TestCorrupt(t *testing.T) {
	good := Compress(nil, bytes.Repeat([]byte("abc"), 1000))
	for _, bad := range [][]byte{{1, 2, 3}, good[:len(good)/2], append(append([]byte{}, good[:8]...), 0xff, 0xff)} {
		if _, err := Decompress(nil, bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Decompress(%x…) = %v, want ErrCorrupt", bad[:min(len(bad), 8)], err)
		}
	}
}
