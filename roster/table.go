package roster

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"unicode/utf8"

	"industrydata"
)

// readBuffer is the size of the buffer between the input and encoding/csv.
const readBuffer = 64 << 10

// readAhead is how many rows a table reads ahead of its caller. Their
// sourcedIds then go into the duplicate set in one tight loop of independent
// inserts, whose cache misses the CPU overlaps; one insert per row, between
// the parsing of two rows, costs as much as the parsing at a million rows.
const readAhead = 64

// table reads the rows of one OneRoster CSV file. It checks the header and
// the structure of every row (the errors of the package doc) and leaves the
// meaning of the fields to OrgReader and UserReader.
type table struct {
	file      string
	columns   []string // the OneRoster columns, in OneRoster's order
	idx       []int    // idx[k] is the position in a row of columns[k]
	header    []string // the header row as the file spells it
	in        *input
	br        *bufio.Reader
	csv       *csv.Reader
	bom       int64 // length of the byte order mark that was skipped
	maxRows   int
	rows      int
	endLine   int   // line where the last row read ends
	size      int64 // of the input, or 0 when unknown
	estimate  int   // of the rows (see guessRows)
	guessed   bool
	headerEnd int64    // input offset where the first row starts
	checked   bool     // Options.Checked
	keyed     bool     // the first column is a sourcedId, unique in the file
	ids       *HashSet // nil when checked or not keyed
	seed      maphash.Seed
	started   bool
	ahead     []row // rows read, ahead[pos:n] not yet returned
	pos, n    int
	cur       *row  // the row last returned
	line      int   // line where the row last returned starts
	err       error // sticky: what ends the stream once ahead is drained
	maxWarn   int
	onWarn    func(Problem) // Options.Warn
	warns     []Problem
	nwarn     int
}

// row is a row read ahead: its fields, or the problem it has.
type row struct {
	rec   []string // its own slice; the strings are encoding/csv's
	line  int      // line where the row starts
	lines []int    // line where each field starts, when the row spans lines
	hash  uint64   // of the sourcedId
	err   error
}

// lineOf returns the line where field i of r starts.
func (r *row) lineOf(i int) int {
	if i < len(r.lines) {
		return r.lines[i]
	}
	return r.line
}

func newTable(r io.Reader, opts Options, file string, columns []string, maxRows int) *table {
	if opts.File != "" {
		file = opts.File
	}
	if opts.MaxRows > 0 {
		maxRows = opts.MaxRows
	}
	maxWarn := opts.MaxWarnings
	if maxWarn == 0 {
		maxWarn = DefaultMaxWarnings
	} else if maxWarn < 0 {
		maxWarn = 0
	}
	in := &input{r: r}
	br := bufio.NewReaderSize(in, readBuffer)
	c := csv.NewReader(br) // uses br as it is: it is a large enough *bufio.Reader
	c.ReuseRecord = true
	c.FieldsPerRecord = 0 // the header's field count is every row's
	t := &table{
		file: file, columns: columns, idx: make([]int, len(columns)),
		in: in, br: br, csv: c, maxRows: maxRows, maxWarn: maxWarn,
		size: inputSize(r), checked: opts.Checked, onWarn: opts.Warn,
		keyed: columns[0] == "sourcedId",
		ahead: make([]row, readAhead),
	}
	t.estimate = int(min(t.size/128, int64(maxRows)))
	if !t.checked && t.keyed {
		t.ids = new(HashSet)
		t.seed = maphash.MakeSeed()
	}
	return t
}

// guessRows guesses, once the first rows are read, how many rows the file
// has: from the input's size, when known, and the length of those rows, with
// an eighth more for rows longer than those. Sets sized once to that take
// half the memory, and time, of sets doubled as they fill. Until then the
// guess assumes 128 bytes a row.
func (t *table) guessRows() {
	read := t.csv.InputOffset() - t.headerEnd
	if t.size == 0 || t.rows == 0 || read <= 0 {
		return
	}
	rows := (t.size - t.bom - t.headerEnd) * int64(t.rows) / read
	t.estimate = int(min(rows+rows/8+1, int64(t.maxRows)))
}

// next returns the next structurally valid row, or a *Problem about a row,
// or io.EOF, or what ended the stream. The row is valid until the next call.
func (t *table) next() ([]string, error) {
	if !t.started {
		t.started = true
		if err := t.start(); err != nil {
			t.err = err
		}
	}
	if t.pos == t.n {
		if t.err != nil {
			return nil, t.err
		}
		t.fill()
		if t.n == 0 {
			return nil, t.err
		}
	}
	r := &t.ahead[t.pos]
	t.pos++
	t.cur, t.line = r, r.line
	if r.err != nil {
		return nil, r.err
	}
	return r.rec, nil
}

// fill reads rows ahead until it has readAhead of them or the stream ends,
// then checks their sourcedIds for duplicates in one go.
func (t *table) fill() {
	t.pos, t.n = 0, 0
	limit := len(t.ahead)
	if t.ids == nil {
		limit = 1 // nothing to batch: a row at a time, as csv returns it
	}
	for t.n < limit && t.err == nil {
		if t.read(&t.ahead[t.n]) {
			t.n++
		}
	}
	if !t.guessed {
		t.guessed = true
		t.guessRows()
		if t.ids != nil {
			t.ids.Reserve(t.estimate)
		}
	}
	if t.ids == nil {
		return
	}
	for i := range t.ahead[:t.n] {
		r := &t.ahead[i]
		if r.err == nil && !t.ids.Add(r.hash) {
			at := t.idx[0]
			r.err = t.problem(r.lineOf(at), at+1, CodeDuplicateID,
				"sourcedId %q is the sourcedId of an earlier row of %s", short(strings.TrimSpace(r.rec[at])), t.file)
		}
	}
}

// read reads the next row into r and checks it but for duplicates. It
// returns false, with t.err set, when the stream ends instead.
func (t *table) read(r *row) bool {
	t.in.mark = t.csv.InputOffset() + t.bom
	rec, err := t.csv.Read()
	if err == io.EOF {
		t.err = io.EOF
		return false
	}
	if t.rows++; t.rows > t.maxRows {
		t.err = t.problem(t.endLine+1, 0, CodeTooManyRows,
			"the file has more than %d rows, the most this service reads from %s", t.maxRows, t.file)
		return false
	}
	r.rec, r.lines, r.err = r.rec[:0], r.lines[:0], nil
	if err != nil {
		r.err = t.readError(rec, err)
		r.line = t.endLine + 1
		return t.err == nil
	}
	if t.ids == nil {
		r.rec = rec // one row at a time (see fill): csv's slice will do
	} else {
		r.rec = append(r.rec, rec...)
	}
	r.line, _ = t.csv.FieldPos(0)
	last := len(rec) - 1
	lastLine, _ := t.csv.FieldPos(last)
	if lastLine != r.line { // the row spans lines
		for i := range rec {
			l, _ := t.csv.FieldPos(i)
			r.lines = append(r.lines, l)
		}
	}
	t.endLine = lastLine + strings.Count(rec[last], "\n")
	if t.checked {
		return true
	}
	// A field is no longer than the row it is in, quotes and commas
	// included, and no field of a row in valid input is invalid.
	if t.in.invalid || t.in.bomInside || t.csv.InputOffset()+t.bom-t.in.mark > MaxFieldBytes {
		for i, f := range rec {
			if len(f) > MaxFieldBytes {
				r.err = t.problem(r.lineOf(i), i+1, CodeFieldTooLong, "%s is longer than %d bytes", t.name(i), MaxFieldBytes)
				return true
			}
			if !utf8.ValidString(f) {
				r.err = t.problem(r.lineOf(i), i+1, CodeInvalidUTF8, "%s is not valid UTF-8", t.name(i))
				return true
			}
			if strings.Contains(f, bomRune) {
				r.err = t.problem(r.lineOf(i), i+1, CodeMisplacedBOM,
					"%s holds a byte order mark, which belongs only at the start of a file (were two files joined?)", t.name(i))
				return true
			}
		}
	}
	if !t.keyed {
		return true
	}
	// Both files have a sourcedId, and OneRoster requires it to be unique.
	at := t.idx[0]
	id := strings.TrimSpace(rec[at])
	if id == "" {
		r.err = t.problem(r.lineOf(at), at+1, CodeMissingSourcedID, "sourcedId is empty")
		return true
	}
	r.hash = maphash.String(t.seed, id)
	return true
}

// readError turns a failed csv read into a Problem about the row, or ends
// the stream (sets t.err).
func (t *table) readError(rec []string, err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRecordTooLong):
		t.err = t.problem(t.endLine+1, 0, CodeRecordTooLong,
			"the row starting at or after line %d is longer than %d bytes", t.endLine+1, MaxRecordBytes)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		col := len(rec) + 1 // the first missing field
		if len(rec) > len(t.header) {
			col = len(t.header) + 1 // the first extra field
		}
		return t.problem(pe.StartLine, col, CodeFieldCount,
			"the row has %d fields and the header row %d", len(rec), len(t.header))
	case errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)):
		what := `a field that does not start with a quote contains one (write "" inside a quoted field)`
		if errors.Is(pe.Err, csv.ErrQuote) {
			what = `a quoted field has a stray or missing quote`
		}
		return t.problem(pe.Line, len(rec)+1, CodeBadQuote, "%s: %s, at byte %d of the line", t.name(len(rec)), what, pe.Column)
	default:
		t.err = fmt.Errorf("read %s: %w", t.file, err)
	}
	return t.err
}

func (t *table) problem(line, col int, code, format string, args ...any) *Problem {
	return &Problem{File: t.file, Line: line, Column: col, Code: code, Message: fmt.Sprintf(format, args...)}
}

// warn records a warning (col is 1-based; 0 for the whole row). Only the
// first maxWarn are kept; all are counted.
func (t *table) warn(line, col int, code, format string, args ...any) {
	t.nwarn++
	if t.onWarn != nil {
		t.onWarn(*t.problem(line, col, code, format, args...))
		return
	}
	if len(t.warns) < t.maxWarn {
		t.warns = append(t.warns, *t.problem(line, col, code, format, args...))
	}
}

// fieldWarn records a warning about field k (an index in t.columns) of the
// row last returned.
func (t *table) fieldWarn(k int, code, format string, args ...any) {
	at := t.idx[k]
	t.warn(t.cur.lineOf(at), at+1, code, format, args...)
}

// fieldPos returns the line and the 1-based column of field k (an index in
// t.columns) of the row last returned.
func (t *table) fieldPos(k int) (line, col int) {
	at := t.idx[k]
	return t.cur.lineOf(at), at + 1
}

// short cuts an identifier quoted in a message to a readable length.
func short(s string) string { return industrydata.Shorten(s, 64) }
