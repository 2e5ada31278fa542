package roster

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"unicode/utf8"
)

// inputSize returns the size in bytes of what r reads, when r can tell it
// (an *os.File, a *bytes.Reader, an *io.SectionReader...), and 0 otherwise.
func inputSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Size() int64 }:
		return r.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

var errRecordTooLong = errors.New("record too long")

// input is what encoding/csv reads through. It does two things on the way:
//
//   - It fails once the current row has run past MaxRecordBytes, so that csv,
//     which buffers a whole row, never holds more than that. mark is the
//     offset where the current row starts; the read buffer in front of csv
//     may hold up to readBuffer bytes more.
//   - It checks that the bytes are UTF-8, a chunk at a time, which costs a
//     small part of checking every field of every row. Only once it has seen
//     a bad byte (invalid is set before csv can return a row holding it) does
//     the table check each field, to say which one it is.
type input struct {
	r       io.Reader
	n       int64 // bytes passed on so far
	mark    int64
	tail    [utf8.UTFMax]byte // the start of a rune cut by the end of a chunk
	ntail   int
	invalid bool
	// bomInside is set once a byte order mark is seen after the input's
	// first byte; last holds the end of the previous chunk, where one may
	// start.
	bomInside bool
	last      [2]byte
}

// bomRune is the byte order mark, U+FEFF, as UTF-8.
const bomRune = "\uFEFF"

func (in *input) Read(p []byte) (int, error) {
	if in.n-in.mark > MaxRecordBytes+readBuffer {
		return 0, errRecordTooLong
	}
	n, err := in.r.Read(p)
	if !in.bomInside && n > 0 {
		in.findBOM(p[:n])
	}
	in.n += int64(n)
	if !in.invalid {
		in.check(p[:n], err != nil)
	}
	return n, err
}

// findBOM looks for a byte order mark in the chunk b, which starts at
// offset in.n of the input, or across its start: one at offset 0 is the
// file's own, which the table skips.
func (in *input) findBOM(b []byte) {
	if in.n > 0 { // across the chunks: the previous one's last two bytes and this one's first two
		var edge [4]byte
		k := copy(edge[:], in.last[2-min(in.n, 2):])
		start := in.n - int64(k) // the input offset of edge[0]
		k += copy(edge[k:], b[:min(len(b), 2)])
		for i := 0; i+len(bomRune) <= k; i++ {
			if string(edge[i:i+len(bomRune)]) == bomRune && start+int64(i) > 0 {
				in.bomInside = true
				return
			}
		}
	}
	from := 0
	if in.n == 0 {
		from = 1
	}
	if from < len(b) && bytes.Contains(b[from:], []byte(bomRune)) {
		in.bomInside = true
		return
	}
	if len(b) >= 2 {
		in.last = [2]byte{b[len(b)-2], b[len(b)-1]}
	} else {
		in.last = [2]byte{in.last[1], b[0]}
	}
}

// check checks the next chunk of the input; end says there is no more.
func (in *input) check(b []byte, end bool) {
	// First complete the rune the last chunk cut.
	for in.ntail > 0 && len(b) > 0 {
		in.tail[in.ntail] = b[0]
		in.ntail++
		b = b[1:]
		if utf8.FullRune(in.tail[:in.ntail]) { // an invalid byte counts as a full rune
			if !utf8.Valid(in.tail[:in.ntail]) {
				in.invalid = true
				return
			}
			in.ntail = 0
		}
	}
	// Then hold back a rune that this chunk cuts, if any (its first byte is
	// one of the last three).
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i > len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(b[:cut]) {
		in.invalid = true
		return
	}
	in.ntail += copy(in.tail[in.ntail:], b[cut:])
	if end && in.ntail > 0 {
		in.invalid = true // the input ends inside a rune
	}
}
