package rostercheck_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"industrydata/roster"
	"industrydata/rostercheck"
)

// lazy is an io.Reader of n bytes: prefix, then fill repeated, produced as
// they are read, so a test can hand over gigabytes without holding them.
type lazy struct {
	prefix string
	fill   []byte
	n, off int64
}

func (l *lazy) Read(p []byte) (int, error) {
	if l.off >= l.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), l.n-l.off)]
	for i := range p {
		if o := l.off + int64(i); o < int64(len(l.prefix)) {
			p[i] = l.prefix[o]
		} else {
			p[i] = l.fill[(o-int64(len(l.prefix)))%int64(len(l.fill))]
		}
	}
	l.off += int64(len(p))
	return len(p), nil
}

// readBound is the most a file may be read past a row the readers give up
// on: the row limit and two read buffers.
const readBound = roster.MaxRecordBytes + 256<<10

// TestHostile: files built to hurt get the error they deserve, read no
// further than the reader's limits allow, and keep at most MaxPerCode
// problems of a kind however many there are.
func TestHostile(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name   string
		file   string
		reader func() io.Reader
		want   string // the first error, "code line:column"
		errors int    // the number of errors, kept or not
		most   int64  // the most bytes the validation may read of the file; 0 for all
	}{
		{name: "2 GB line", file: "users.csv", reader: func() io.Reader {
			return &lazy{prefix: usersHeader + "\n", fill: []byte("a"), n: 2 * gib}
		}, want: "recordTooLong 2:0", errors: 1, most: readBound},
		{name: "2 GB header", file: "orgs.csv", reader: func() io.Reader {
			return &lazy{fill: []byte("sourcedId"), n: 2 * gib}
		}, want: "recordTooLong 1:0", errors: 1, most: readBound},
		{name: "100 MB of commas", file: "users.csv", reader: func() io.Reader {
			return &lazy{fill: []byte(","), n: 100 << 20}
		}, want: "recordTooLong 1:0", errors: 1, most: readBound},
		{name: "a million rows of commas", file: "users.csv", reader: func() io.Reader {
			return &lazy{prefix: usersHeader + "\n", fill: []byte(",,,\n"), n: int64(len(usersHeader)+1) + 4*1_000_000}
		}, want: "wrongFieldCount 2:5", errors: 1_000_000},
		{name: "an unclosed quote, then 50 MB", file: "users.csv", reader: func() io.Reader {
			return &lazy{prefix: usersHeader + "\n" + `u1,"active`, fill: []byte("x,y\n"), n: 50 << 20}
		}, want: "recordTooLong 2:0", errors: 1, most: readBound},
		{name: "zip archive named users.csv", file: "users.csv", reader: func() io.Reader {
			return &lazy{prefix: "PK\x03\x04\x14\x00\x00\x00\x08\x00", fill: []byte("\x8b\x00,\"\n\xff"), n: 10 << 20}
		}, want: "notText 1:0", errors: 1, most: readBound},
		{name: "random bytes", file: "orgs.csv", reader: func() io.Reader {
			b := make([]byte, 1<<20)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return bytes.NewReader(b)
		}, want: "notText 1:0", errors: 1, most: readBound},
		{name: "UTF-16", file: "users.csv", reader: func() io.Reader {
			return strings.NewReader("\xff\xfes\x00o\x00u\x00r\x00")
		}, want: "notText 1:0", errors: 1},
		{name: "invalid UTF-8 on every row", file: "users.csv", reader: func() io.Reader {
			return &lazy{prefix: usersHeader + "\n", fill: []byte("u\xe9,,,,,,,,,,,,,,,,,\n"), n: int64(len(usersHeader)+1) + 20*5000}
		}, want: "invalidUtf8 2:1", errors: 5000},
		{name: "a BOM in the middle", file: "users.csv", reader: func() io.Reader {
			return strings.NewReader("\uFEFF" + usersHeader + "\n" + base["users.csv"][1] + "\n\uFEFF" + usersHeader + "\n")
		}, want: "misplacedBom 3:1", errors: 1},
		{name: "only a BOM", file: "orgs.csv", reader: func() io.Reader { return strings.NewReader("\uFEFF") },
			want: "missingHeader 1:0", errors: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fl := baseFiles()
			var r io.Reader
			res, err := rostercheck.Validate(context.Background(), opener(fl, map[string]func() io.Reader{tc.file: func() io.Reader {
				r = tc.reader()
				return r
			}}), rostercheck.Options{})
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			var mine []rostercheck.Problem
			for _, p := range res.Errors {
				if p.File == tc.file {
					mine = append(mine, p)
				}
			}
			if len(mine) == 0 || fmt.Sprintf("%s %d:%d", mine[0].Code, mine[0].Line, mine[0].Column) != tc.want {
				t.Fatalf("errors of %s: %v; want first %s", tc.file, mine, tc.want)
			}
			if n := res.Counts[mine[0].Code]; n != tc.errors {
				t.Errorf("%d %s, want %d", n, mine[0].Code, tc.errors)
			}
			if len(mine) > rostercheck.DefaultMaxPerCode {
				t.Errorf("%d errors kept, want at most %d", len(mine), rostercheck.DefaultMaxPerCode)
			}
			for _, f := range res.Files {
				if f.Name == tc.file && tc.most > 0 && f.Bytes > tc.most {
					t.Errorf("read %d bytes of %s, want at most %d", f.Bytes, tc.file, tc.most)
				}
			}
			for _, p := range append(res.Errors, res.Warnings...) {
				if !utf8.ValidString(p.Message) {
					t.Errorf("message of %v is not UTF-8", p)
				}
			}
		})
	}
}

// TestKeepsFirstOfEachKind: past MaxPerCode problems of a code, the others
// are counted only, and the summary says how many of each there are.
func TestKeepsFirstOfEachKind(t *testing.T) {
	rows := []string{usersHeader}
	for i := range 2500 {
		rows = append(rows, userRow(fmt.Sprintf("u%d", i), "maybe", "", "student", fmt.Sprintf("n%d", i), "A", "", ""))
	}
	res := validate(t, edited(edit{"users.csv", 0, strings.Join(rows, "\n")}, edit{"enrollments.csv", 0, "-"},
		edit{"demographics.csv", 0, "-"}, edit{"manifest.csv", 0, "-"}), rostercheck.Options{MaxPerCode: 1000})
	if res.Counts["noOrg"] != 2500 || len(res.Warnings) != 1000 || res.WarningCount != 2500 {
		t.Errorf("noOrg %d, %d warnings kept of %d; want 2500, 1000 of 2500", res.Counts["noOrg"], len(res.Warnings), res.WarningCount)
	}
	if res.ErrorCount != 2500 || len(res.Errors) != 1000 || res.Errors[999].Line != 1001 {
		t.Errorf("%d errors, %d kept, the last at line %d; want 2500, 1000, 1001", res.ErrorCount, len(res.Errors), res.Errors[len(res.Errors)-1].Line)
	}
	if got, want := res.Summary(), "2500 errors (invalidEnabledUser 2500); 2500 warnings (noOrg 2500)"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

// TestValidateStops: a failure to read, and a canceled context, stop the
// validation with an error rather than a Result.
func TestValidateStops(t *testing.T) {
	broken := errors.New("disk on fire")
	_, err := rostercheck.Validate(context.Background(), opener(baseFiles(), map[string]func() io.Reader{
		"users.csv": func() io.Reader { return io.MultiReader(strings.NewReader(usersHeader+"\n"), errReader{broken}) },
	}), rostercheck.Options{})
	if !errors.Is(err, broken) {
		t.Errorf("read failure: %v, want %v", err, broken)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rostercheck.Validate(ctx, opener(baseFiles(), nil), rostercheck.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
