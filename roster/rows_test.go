package roster_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"industrydata/roster"
)

// TestNotText: a file that is not text gets one fatal notText at line 1,
// whatever follows, rather than an error for each of its "rows".
func TestNotText(t *testing.T) {
	for name, data := range map[string]string{
		"zip":    "PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00\x01,\"\n", 100),
		"gzip":   "\x1f\x8b\x08\x00" + strings.Repeat("x,y\n", 10),
		"utf16":  "\xff\xfes\x00o\x00u\x00",
		"binary": usersHeader + "\n" + "u1,\x00\x01\x02" + strings.Repeat("\n\x05", 50),
	} {
		t.Run(name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(data), iotest.OneByteReader(strings.NewReader(data))} {
				ur := roster.NewUserReader(r, roster.Options{})
				_, err := ur.Next()
				if got := outcome("", 0, err); got != "notText 1:0 fatal" {
					t.Errorf("Next = %s (%v), want notText 1:0 fatal", got, err)
				}
			}
		})
	}
}

// TestMisplacedBOM: a byte order mark after the file's first byte, as when
// two exports are joined, is an error about the field that holds it,
// wherever the reads cut it; the one at the start is skipped.
func TestMisplacedBOM(t *testing.T) {
	data := "\uFEFF" + csvFile(usersHeader, user("u1", "o1", "student", "a", ""), "\uFEFF"+user("u2", "o1", "student", "b", ""),
		user("u3", "o1", "student", "c\uFEFF", ""))
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(data),
		"one byte": iotest.OneByteReader(strings.NewReader(data)),
		"half":     iotest.HalfReader(strings.NewReader(data)),
	} {
		got := readAll(t, roster.NewUserReader(r, roster.Options{}), userID)
		want := []string{"user u1 @2", "misplacedBom 3:1", "misplacedBom 4:7"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

// TestRowReader: a file of the binding read as rows in OneRoster's order
// (the header's order aside), with positions, sourcedIds, status and dates
// checked, and warnings handed to Options.Warn.
func TestRowReader(t *testing.T) {
	data := "classSourcedId,sourcedId,status,dateLastModified,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
		"c1,e1,active,2024-01-01,s1,u1,student,true,,\n" +
		"c1,e2,gone,yesterday,s1,u2,teacher,false,,\n" +
		"c1,e1,,,s1,u3,student,,,\n"
	var warns []string
	rr := roster.NewRowReader(strings.NewReader(data), roster.FileEnrollments, roster.Options{Warn: func(p roster.Problem) {
		warns = append(warns, outcome("", 0, &p))
	}})
	var got []string
	for {
		f, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, outcome("", 0, err))
			continue
		}
		line, col := rr.Pos(3) // classSourcedId
		got = append(got, fmt.Sprintf("%s/%s %d:%d", f[0], f[3], line, col))
	}
	if want := "e1/c1 2:1|e2/c1 3:1|duplicateSourcedId 4:2"; strings.Join(got, "|") != want {
		t.Errorf("rows %q, want %s", got, want)
	}
	if want := "invalidStatus 3:3|invalidDateLastModified 3:4"; strings.Join(warns, "|") != want {
		t.Errorf("warnings %q, want %s", warns, want)
	}
	if rr.WarningCount() != 2 || len(rr.Warnings()) != 0 || rr.Rows() != 3 {
		t.Errorf("WarningCount %d, Warnings %d, Rows %d; want 2, 0, 3", rr.WarningCount(), len(rr.Warnings()), rr.Rows())
	}
	ids := rr.SourcedIDs()
	if !ids.Has(" e2 ") || ids.Has("e3") || ids.Len() != 2 {
		t.Errorf("SourcedIDs: has e2 %v, has e3 %v, len %d", ids.Has("e2"), ids.Has("e3"), ids.Len())
	}
	if got := roster.Columns("nope.csv"); got != nil {
		t.Errorf("Columns(nope.csv) = %q", got)
	}
	m := roster.NewRowReader(strings.NewReader("propertyName,value\nfile.users,bulk\nfile.users,bulk\n"), roster.FileManifest, roster.Options{})
	for n := 0; ; n++ {
		if _, err := m.Next(); err == io.EOF {
			if n != 2 || m.SourcedIDs() != nil {
				t.Errorf("manifest: %d rows, ids %v; want 2 rows and no id set", n, m.SourcedIDs())
			}
			break
		} else if err != nil {
			t.Fatalf("manifest: %v", err)
		}
	}
}
