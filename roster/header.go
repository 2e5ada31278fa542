package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// utf8BOM is the byte order mark some spreadsheet programs write first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// start reads the header row and finds every OneRoster column in it.
func (t *table) start() error {
	if what := notText(t.br); what != "" {
		return t.problem(1, 0, CodeNotText, "%s is not CSV text: it looks like %s; save it as CSV (UTF-8)", t.file, what)
	}
	if b, _ := t.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = t.br.Discard(len(utf8BOM))
		t.bom = int64(len(utf8BOM))
	}
	t.in.mark = t.bom
	rec, err := t.csv.Read()
	switch {
	case err == io.EOF:
		return t.problem(1, 0, CodeMissingHeader, "%s is empty: it must start with a header row", t.file)
	case errors.Is(err, errRecordTooLong):
		return t.problem(1, 0, CodeRecordTooLong, "the header row is longer than %d bytes", MaxRecordBytes)
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return t.problem(pe.Line, len(rec)+1, CodeBadHeader, "the header row cannot be read: %v", pe.Err)
		}
		return fmt.Errorf("read %s: %w", t.file, err)
	}
	line, _ := t.csv.FieldPos(0)
	t.header = append([]string(nil), rec...)
	for k := range t.idx {
		t.idx[k] = -1
	}
	for i, h := range rec {
		if !utf8.ValidString(h) {
			return t.problem(line, i+1, CodeBadHeader, "column %d of the header row is not valid UTF-8", i+1)
		}
		name := strings.TrimSpace(h)
		k := t.column(name)
		if k < 0 {
			t.warn(line, i+1, CodeUnknownColumn,
				"column %q is not a OneRoster v1.1 column of %s; it is ignored", short(name), t.file)
			continue
		}
		if t.idx[k] >= 0 {
			return t.problem(line, i+1, CodeDuplicateColumn,
				"the header row names column %s twice, as columns %d and %d", t.columns[k], t.idx[k]+1, i+1)
		}
		t.idx[k] = i
	}
	var missing []string
	for k, at := range t.idx {
		if at < 0 {
			missing = append(missing, t.columns[k])
		}
	}
	if len(missing) > 0 {
		return t.problem(line, 0, CodeMissingColumn,
			"the header row lacks the column(s) %s; OneRoster v1.1 requires all of %s",
			strings.Join(missing, ", "), strings.Join(t.columns, ", "))
	}
	t.endLine = line
	t.headerEnd = t.csv.InputOffset()
	return nil
}

// column returns the index in t.columns of a header name, or -1.
func (t *table) column(name string) int {
	for k, c := range t.columns {
		if strings.EqualFold(c, name) {
			return k
		}
	}
	return -1
}

// name is the OneRoster name of the column at position i of a row.
func (t *table) name(i int) string {
	for k, at := range t.idx {
		if at == i {
			return t.columns[k]
		}
	}
	return fmt.Sprintf("column %d", i+1)
}

// sniffBytes is how much of a file notText looks at.
const sniffBytes = 1024

// notText says what a file is when its first bytes show that it is not text
// at all, or "": a file that is not text gives this one error rather than
// one for each of its "rows". Text is anything but the control bytes other
// than tab, line feed, form feed and carriage return; Latin-1 and other
// legacy encodings pass here and get invalidUtf8 for the fields at fault.
func notText(br *bufio.Reader) string {
	b, _ := br.Peek(sniffBytes)
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return "a zip archive (unzip it and send the CSV files it holds)"
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "a gzip archive"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "UTF-16 text"
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' {
			return "binary data (it holds control bytes)"
		}
	}
	return ""
}
