package runner

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// source hands out data a few bytes at a time, then fails with err (EOF
// unless set); it records its Close.
type source struct {
	data   []byte
	err    error
	closed bool
}

// sizedSource tells its size too, as the store's contents do.
type sizedSource struct {
	source
	size int64
}

func (s *sizedSource) Size() int64 { return s.size }

func (s *source) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1000)], s.data)
	s.data = s.data[n:]
	return n, nil
}

func (s *source) Close() error { s.closed = true; return nil }

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// What is read ahead is what the source has, whatever its length against
// the buffers', whether or not it tells its size (and then so does the
// reader), and Close closes the source.
func TestReadAheadReadsTheWholeSource(t *testing.T) {
	for _, n := range []int{0, 1, aheadSize - 1, aheadSize, aheadSize + 1, 3*aheadSize + 17} {
		for _, sized := range []bool{false, true} {
			want := randomBytes(n)
			var src io.ReadCloser = &source{data: bytes.Clone(want)}
			closed := &src.(*source).closed
			if sized {
				s := &sizedSource{source: source{data: bytes.Clone(want)}, size: int64(n)}
				src, closed = s, &s.closed
			}
			a := newReadAhead(src)
			if got, want := a.Size(), map[bool]int64{false: 0, true: int64(n)}[sized]; got != want {
				t.Errorf("%d bytes, sized %t: Size() = %d, want %d", n, sized, got, want)
			}
			got, err := io.ReadAll(a)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%d bytes, sized %t: read %d, %v", n, sized, len(got), err)
			}
			if err := a.Close(); err != nil || !*closed {
				t.Errorf("Close: %v, source closed %t", err, *closed)
			}
		}
	}
}

// A source's error comes after the bytes read before it, unchanged (the
// runner tells a discarded file by it).
func TestReadAheadPassesTheSourcesError(t *testing.T) {
	boom := errors.New("boom")
	want := randomBytes(aheadSize + 5)
	a := newReadAhead(&source{data: bytes.Clone(want), err: boom})
	defer a.Close()
	got, err := io.ReadAll(a)
	if !errors.Is(err, boom) || !bytes.Equal(got, want) {
		t.Fatalf("read %d of %d bytes, then %v; want all, then boom", len(got), len(want), err)
	}
}

// Closed before its end, with buffers filled and not read, it stops
// reading ahead and closes the source; reads after fail.
func TestReadAheadClosedEarly(t *testing.T) {
	src := &source{data: randomBytes(5 * aheadSize)}
	a := newReadAhead(src)
	if _, err := io.ReadFull(a, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil || !src.closed {
		t.Fatalf("Close: %v, source closed %t", err, src.closed)
	}
	if _, err := a.Read(make([]byte, 10)); err == nil {
		t.Fatal("a read after Close succeeded")
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
