package sqlcore

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// readFull reads as io.ReadFull does, from a reader that gives a byte or
// half of what is asked at a time, and hashes exactly what it read.
func TestReadFullHashesWhatItReads(t *testing.T) {
	data := bytes.Repeat([]byte("sourcedId,status\r\n"), 1000)
	for _, tc := range []struct {
		name string
		r    func() io.Reader
	}{
		{"one byte", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }},
		{"half", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }},
		{"data and EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }},
	} {
		for _, size := range []int{len(data) - 1, len(data), len(data) + 1} {
			h := md5.New()
			buf := make([]byte, size)
			r := tc.r()
			n, err := readFull(r, buf, h)
			wantN, wantErr := io.ReadFull(tc.r(), make([]byte, size))
			if n != wantN || !errors.Is(err, wantErr) {
				t.Errorf("%s, %d bytes: %d, %v; io.ReadFull %d, %v", tc.name, size, n, err, wantN, wantErr)
			}
			if want := md5.Sum(data[:n]); !bytes.Equal(h.Sum(nil), want[:]) {
				t.Errorf("%s, %d bytes: the hash is not of the %d bytes read", tc.name, size, n)
			}
		}
	}
	h := md5.New()
	if n, err := readFull(bytes.NewReader(nil), make([]byte, 8), h); n != 0 || err != io.EOF {
		t.Errorf("nothing to read: %d, %v, want 0, EOF", n, err)
	}
	boom := errors.New("boom")
	if _, err := readFull(iotest.ErrReader(boom), make([]byte, 8), h); !errors.Is(err, boom) {
		t.Errorf("a failing reader: %v, want %v", err, boom)
	}
}

// A pool gives back what it kept, and keeps no more than keptBuffers.
func TestBufferPoolKeeps(t *testing.T) {
	p := newBufferPool(16, 32)
	b := p.get()
	if len(*b) != 16 || cap(*b) != 32 {
		t.Fatalf("a new buffer has length %d and room %d, want 16 and 32", len(*b), cap(*b))
	}
	p.put(b)
	if p.get() != b {
		t.Error("the pool made a buffer rather than give back the one it kept")
	}
	for range keptBuffers + 3 {
		p.put(p.get())
		p.put(newBufferPool(1, 1).get())
	}
	if len(p.kept) != keptBuffers {
		t.Errorf("the pool keeps %d buffers, want %d", len(p.kept), keptBuffers)
	}
}
