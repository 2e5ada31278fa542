package entryblock

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

func sample() []industrydata.UserReportEntry {
	return []industrydata.UserReportEntry{
		{SourcedID: "u-1", Username: "ada", Role: "teacher", OrgSourcedIDs: []string{"org-1", "org-2"}, IsActive: true, FlowID: "flow-1"},
		{SourcedID: "", Username: "", Role: "", Issues: []industrydata.UserReportIssue{industrydata.IssueMissingUsername, industrydata.IssueNoOrg},
			FlowID: "flow-1"},
		{SourcedID: "u-3", Username: "Zoë \x00 \"q\"", Role: "student", OrgSourcedIDs: []string{""}, IsActive: true,
			Issues: []industrydata.UserReportIssue{industrydata.IssueUnknownRole}},
		{SourcedID: strings.Repeat("x", 300), Username: "b", Role: "aide", OrgSourcedIDs: []string{strings.Repeat("o", 200)},
			FlowID: strings.Repeat("f", 200)},
	}
}

// withSeqs numbers entries from first.
func withSeqs(entries []industrydata.UserReportEntry, first int64) []industrydata.UserReportEntry {
	for i := range entries {
		entries[i].Seq = first + int64(i)
	}
	return entries
}

// readAll reads a block, in either form, through.
func readAll(t *testing.T, block []byte, first int64, count int) []industrydata.UserReportEntry {
	t.Helper()
	r, err := Open(block, first, count)
	if err != nil {
		t.Fatal(err)
	}
	var out []industrydata.UserReportEntry
	for {
		var e industrydata.UserReportEntry
		ok, err := r.Read(&e)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, e)
	}
}

func TestRoundTrip(t *testing.T) {
	want := withSeqs(sample(), 41)
	block, err := Append([]byte("prefix"), want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(block), "prefix") {
		t.Fatalf("Append lost dst's bytes")
	}
	got := readAll(t, block[len("prefix"):], 41, len(want))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// The stored form reads back the same entries, in a fraction of the bytes.
func TestEncodeOpen(t *testing.T) {
	var want []industrydata.UserReportEntry
	for i := range 4096 {
		want = append(want, industrydata.UserReportEntry{SourcedID: fmt.Sprintf("user-%08d", i), Username: fmt.Sprintf("user.%d@school.example", i),
			Role: "student", OrgSourcedIDs: []string{fmt.Sprint("org-", i%40)}, IsActive: i%9 != 0})
	}
	withSeqs(want, 1)
	stored, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := Append(nil, want)
	if stored[0] != compressed2 || len(stored)*3 > len(raw) {
		t.Errorf("stored form is %d bytes starting %d; plain %d", len(stored), stored[0], len(raw))
	}
	for name, block := range map[string][]byte{"stored": stored, "plain": raw} {
		if diff := cmp.Diff(want, readAll(t, block, 1, len(want))); diff != "" {
			t.Errorf("%s form (-want +got):\n%s", name, diff)
		}
	}
	if _, err := Encode([]industrydata.UserReportEntry{{Issues: []industrydata.UserReportIssue{"madeUp"}}}); err == nil {
		t.Error("Encode accepted an unknown issue")
	}
	for _, bad := range [][]byte{{compressed2}, {compressed2, 1, 2, 3}, {compressed1, 1, 2, 3}, stored[:len(stored)/2]} {
		r, err := Open(bad, 1, 1)
		for err == nil {
			var e industrydata.UserReportEntry
			var ok bool
			if ok, err = r.Read(&e); !ok && err == nil {
				t.Fatalf("read %x… through without an error", bad[:min(len(bad), 8)])
			}
		}
		if !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("Open(%x…) = %v, want a corrupt block", bad[:min(len(bad), 8)], err)
		}
	}
}

// Empty collections read back nil, as every store reads them.
func TestEmptyCollectionsReadNil(t *testing.T) {
	block, err := Append(nil, []industrydata.UserReportEntry{{SourcedID: "u", OrgSourcedIDs: []string{}, Issues: []industrydata.UserReportIssue{}}})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, block, 1, 1)
	if got[0].OrgSourcedIDs != nil || got[0].Issues != nil {
		t.Errorf("read %#v, want nil collections", got[0])
	}
}

// Entries decoded later never change those decoded before: each takes its
// slices from the arena without sharing.
func TestArenaNeverOverwrites(t *testing.T) {
	var want []industrydata.UserReportEntry
	for i := range 3000 {
		want = append(want, industrydata.UserReportEntry{SourcedID: fmt.Sprint("u", i),
			OrgSourcedIDs: []string{fmt.Sprint("a", i), fmt.Sprint("b", i)},
			Issues:        []industrydata.UserReportIssue{industrydata.IssueNoOrg, industrydata.IssueUnknownRole}[:i%3%2+1]})
	}
	withSeqs(want, 1)
	block, err := Append(nil, want)
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, block, 1, len(want))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSkip(t *testing.T) {
	want := withSeqs(sample(), 1)
	block, _ := Append(nil, want)
	r, _ := NewReader(string(block), 1, len(want))
	for range 2 {
		if ok, err := r.Skip(); !ok || err != nil {
			t.Fatalf("Skip = %v, %v", ok, err)
		}
	}
	if r.Next() != 3 || r.Len() != 2 {
		t.Errorf("after two skips Next = %d, Len = %d; want 3, 2", r.Next(), r.Len())
	}
	var e industrydata.UserReportEntry
	if ok, err := r.Read(&e); !ok || err != nil || !cmp.Equal(e, want[2]) {
		t.Errorf("Read after Skip = %+v, %v, %v; want %+v", e, ok, err, want[2])
	}
	if ok, err := r.Skip(); !ok || err != nil {
		t.Fatalf("last Skip = %v, %v", ok, err)
	}
	if ok, err := r.Skip(); ok || err != nil {
		t.Errorf("Skip past the end = %v, %v; want false, nil", ok, err)
	}
}

func TestUnknownIssueRefused(t *testing.T) {
	dst := []byte("keep")
	out, err := Append(dst, []industrydata.UserReportEntry{{SourcedID: "u", Issues: []industrydata.UserReportIssue{"madeUp"}}})
	if err == nil || !strings.Contains(err.Error(), "madeUp") {
		t.Errorf("err = %v, want one naming the issue", err)
	}
	if string(out) != "keep" {
		t.Errorf("dst = %q, want it unchanged", out)
	}
}

// oneEntry is an entry of empty strings and collections, inactive.
const oneEntry = "\x00\x00\x00\x00\x00\x00"

func TestCorruptBlocks(t *testing.T) {
	good, _ := Append(nil, sample())
	cases := map[string]struct {
		block string
		count int
	}{
		"empty":            {"", 1},
		"wrong version":    {"\x02" + string(good[1:]), 4},
		"cut short":        {string(good[:len(good)-3]), 4},
		"count too large":  {string(good), 5},
		"trailing bytes":   {string(good) + "x", 4},
		"length past end":  {"\x01\xff\xff\x7f", 1},
		"overlong varint":  {"\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 1},
		"issue out of set": {"\x01\x00\x00\x00\x00\x00\x01\x63", 1},
		"unknown flag":     {"\x01\x00\x00\x00\x00\x02\x00", 1},
		// Version 2's flows: one entry of flow "f" is
		// "\x03\x01\x01f\x01" and then the entry.
		"flows hold fewer":    {"\x03\x01\x01f\x01" + oneEntry + oneEntry, 2},
		"flows hold more":     {"\x03\x01\x01f\x02" + oneEntry, 1},
		"run of no entries":   {"\x03\x02\x01f\x00\x01g\x01" + oneEntry, 1},
		"one flow twice":      {"\x03\x02\x01f\x01\x01f\x01" + oneEntry + oneEntry, 2},
		"flows cut short":     {"\x03\x02\x01f\x01", 2},
		"flows but no blocks": {"\x03\x00", 1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := NewReader(c.block, 1, c.count)
			for err == nil {
				var e industrydata.UserReportEntry
				var ok bool
				if ok, err = r.Read(&e); !ok && err == nil {
					t.Fatal("read through a corrupt block without an error")
				}
			}
			if !strings.Contains(err.Error(), "corrupt") {
				t.Errorf("err = %v, want a corrupt block", err)
			}
		})
	}
}

// A block of any bytes is read or refused, never a panic, and an entry
// read is what the bytes say: re-encoding it, in the block's version,
// gives the bytes back.
func FuzzReader(f *testing.F) {
	good, _ := Append(nil, sample())
	f.Add(good, 4)
	v1, _ := AppendV1(nil, sample())
	f.Add(v1, 4)
	f.Add([]byte{1, 0, 0, 0, 0, 1, 0}, 1)
	f.Add([]byte("\x03\x02\x01f\x01\x01g\x01"+oneEntry+oneEntry), 2)
	stored, _ := Encode(sample())
	f.Add(stored, 4)
	f.Fuzz(func(t *testing.T, block []byte, count int) {
		if count < 0 || count > 1<<16 {
			return
		}
		if len(block) > 0 && (block[0] == compressed1 || block[0] == compressed2) {
			// The stored form: read it through or fail, never panic.
			if r, err := Open(block, 1, count); err == nil {
				for {
					var e industrydata.UserReportEntry
					if ok, err := r.Read(&e); !ok || err != nil {
						return
					}
				}
			}
			return
		}
		r, err := NewReader(string(block), 1, count)
		if err != nil {
			return
		}
		var entries []industrydata.UserReportEntry
		for {
			var e industrydata.UserReportEntry
			ok, err := r.Read(&e)
			if err != nil {
				return
			}
			if !ok {
				break
			}
			entries = append(entries, e)
		}
		encode := Append
		if IsV1(block) {
			encode = AppendV1
		}
		again, err := encode(nil, entries)
		if err != nil || string(again) != string(block) {
			t.Fatalf("re-encoding %d entries gives %x, %v; read from %x", len(entries), again, err, block)
		}
	})
}

// Blocks of version 1, stored before flows existed, read as they were,
// with no flow; EncodeV1 writes them, dropping the flows.
func TestVersion1(t *testing.T) {
	want := withSeqs(sample(), 1)
	for i := range want {
		want[i].FlowID = ""
	}
	plain, err := AppendV1(nil, sample())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := EncodeV1(sample())
	if err != nil {
		t.Fatal(err)
	}
	if plain[0] != version1 || stored[0] != compressed1 || !IsV1(plain) || !IsV1(stored) {
		t.Fatalf("version 1 blocks start %d and %d", plain[0], stored[0])
	}
	v2, _ := Encode(sample())
	if IsV1(v2) {
		t.Error("a version 2 block is taken for version 1")
	}
	for name, block := range map[string][]byte{"stored": stored, "plain": plain} {
		if diff := cmp.Diff(want, readAll(t, block, 1, len(want))); diff != "" {
			t.Errorf("%s form (-want +got):\n%s", name, diff)
		}
	}
	if _, err := EncodeV1([]industrydata.UserReportEntry{{Issues: []industrydata.UserReportIssue{"madeUp"}}}); err == nil {
		t.Error("EncodeV1 accepted an unknown issue")
	}
}

// A block names each run of entries of one flow once: a block of two
// flows costs the two ids, not one per entry, and skipping entries keeps
// their flows in step.
func TestFlowRuns(t *testing.T) {
	flows := []string{"1d9c6a4e-7b1f-4c55-9f1e-3a1b2c3d4e5f", "8f0e5d4c-3b2a-4190-8e7d-6c5b4a392817"}
	var want []industrydata.UserReportEntry
	for i := range 1000 {
		want = append(want, industrydata.UserReportEntry{SourcedID: fmt.Sprint("u", i), FlowID: flows[i*2/1000]})
	}
	withSeqs(want, 1)
	block, err := Append(nil, want)
	if err != nil {
		t.Fatal(err)
	}
	noFlows, _ := AppendV1(nil, want)
	if extra := len(block) - len(noFlows); extra > 2*(len(flows[0])+4) {
		t.Errorf("the flows of a block of two runs take %d bytes", extra)
	}
	if diff := cmp.Diff(want, readAll(t, block, 1, len(want))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	r, _ := NewReader(string(block), 1, len(want))
	for range 600 {
		if ok, err := r.Skip(); !ok || err != nil {
			t.Fatalf("Skip = %v, %v", ok, err)
		}
	}
	var e industrydata.UserReportEntry
	if ok, err := r.Read(&e); !ok || err != nil || !cmp.Equal(e, want[600]) {
		t.Errorf("Read after 600 skips = %+v, %v, %v; want %+v", e, ok, err, want[600])
	}
}
