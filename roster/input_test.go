package roster_test

import (
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"industrydata/roster"
)

// The reader checks UTF-8 on the raw input a chunk at a time; runes cut by
// a chunk boundary must neither pass when broken nor fail when whole.
func TestUTF8AcrossChunks(t *testing.T) {
	valid := csvFile(usersHeader,
		user("u1", "o1", "student", "zoë", "chloé@example.edu"),
		user("u2", "o1", "student", "€uro", ""),
		user("u3", "o1", "student", "😀", ""),
		user("u4", "o1", "student", "日本語", ""))
	invalid := csvFile(usersHeader,
		user("u1", "o1", "student", "zoë", ""),
		user("u2", "o1", "student", "ab\xe2\x82", ""), // a cut rune
		user("u3", "o1", "student", "\xf0\x9f\x98", ""),
		user("u4", "o1", "student", "\x80", ""),
		user("u5", "o1", "student", "ok", ""))
	wantValid := []string{"user u1 @2", "user u2 @3", "user u3 @4", "user u4 @5"}
	wantInvalid := []string{"user u1 @2", "invalidUtf8 3:7", "invalidUtf8 4:7", "invalidUtf8 5:7", "user u5 @6"}
	readers := map[string]func(string) io.Reader{
		"whole":     func(s string) io.Reader { return strings.NewReader(s) },
		"one byte":  func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":      func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
		"data+EOF":  func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) },
		"odd sizes": func(s string) io.Reader { return &choppy{data: []byte(s), rng: rand.New(rand.NewPCG(1, 2))} },
	}
	for name, open := range readers {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(wantValid, readAll(t, roster.NewUserReader(open(valid), roster.Options{}), userID)); diff != "" {
				t.Errorf("valid input (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantInvalid, readAll(t, roster.NewUserReader(open(invalid), roster.Options{}), userID)); diff != "" {
				t.Errorf("invalid input (-want +got):\n%s", diff)
			}
		})
	}
}

// choppy returns its data in reads of random sizes from 1 to 7 bytes.
type choppy struct {
	data []byte
	rng  *rand.Rand
}

func (c *choppy) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+c.rng.IntN(7))], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestHashSet(t *testing.T) {
	var s roster.HashSet
	if s.Has(0) || s.Has(42) || s.Len() != 0 {
		t.Fatal("the zero set is not empty")
	}
	if !s.Add(0) || s.Add(0) || !s.Has(0) {
		t.Error("hash 0 is not kept like any other")
	}
	want := map[uint64]bool{0: true}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		h := rng.Uint64() >> rng.IntN(64) // small values too, so that some repeat
		if got := s.Add(h); got == want[h] {
			t.Fatalf("Add(%d) = %v with %d in the set already: %v", h, got, h, want[h])
		}
		want[h] = true
	}
	if s.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", s.Len(), len(want))
	}
	for h := range want {
		if !s.Has(h) {
			t.Fatalf("Has(%d) = false", h)
		}
	}
	for range 1000 {
		if h := rng.Uint64(); s.Has(h) != want[h] {
			t.Fatalf("Has(%d) = %v", h, !want[h])
		}
	}
}

// A file of any size streams: what a reader holds does not grow with the
// rows read (but for the duplicate set, which Checked turns off).
func TestStreamsInConstantMemory(t *testing.T) {
	const rows = 50_000
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	r := roster.NewUserReader(&rowSource{rows: rows}, roster.Options{Checked: true})
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	held := int64(heap()) - int64(before)
	runtime.KeepAlive(r)
	if n != rows || r.Rows() != rows {
		t.Errorf("read %d users, Rows() = %d, want %d", n, r.Rows(), rows)
	}
	if held > 1<<20 {
		t.Errorf("the reader holds %d bytes after %d rows", held, rows)
	}
}

// rowSource generates a users.csv of rows users as it is read.
type rowSource struct {
	rows, i int
	buf     []byte
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.rows {
			return 0, io.EOF
		}
		if s.i == 0 {
			s.buf = append(s.buf, usersHeader+"\n"...)
		} else {
			id := strconv.Itoa(s.i)
			s.buf = append(s.buf, user("u"+id, "o1", "student", "n"+id, "")+"\n"...)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func TestEstimatedRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(usersHeader + "\n")
	for i := range 1000 {
		b.WriteString(user("u"+strconv.Itoa(i), "o1,o2", "student", "user"+strconv.Itoa(i), "x@example.edu") + "\n")
	}
	r := roster.NewUserReader(strings.NewReader(b.String()), roster.Options{})
	if got, want := r.EstimatedRows(), b.Len()/128; got != want {
		t.Errorf("before the first row: %d, want %d (128 bytes a row)", got, want)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if got := r.EstimatedRows(); got < 1000 || got > 1200 {
		t.Errorf("after the first rows: %d, want 1000 and an eighth at most", got)
	}
	unknown := roster.NewUserReader(io.MultiReader(strings.NewReader(b.String())), roster.Options{})
	if _, err := unknown.Next(); err != nil || unknown.EstimatedRows() != 0 {
		t.Errorf("size unknown: %d, %v", unknown.EstimatedRows(), err)
	}
}

func TestHashSetReserve(t *testing.T) {
	var s roster.HashSet
	s.Reserve(1000)
	rng := rand.New(rand.NewPCG(5, 6))
	keys := make([]uint64, 5000) // past the reservation: it grows
	for i := range keys {
		keys[i] = rng.Uint64()
		if !s.Add(keys[i]) {
			t.Fatalf("Add of a new hash reported a duplicate")
		}
	}
	for _, k := range keys {
		if s.Add(k) || !s.Has(k) {
			t.Fatalf("hash %d lost", k)
		}
	}
	if s.Len() != len(keys) {
		t.Errorf("Len() = %d", s.Len())
	}
}
