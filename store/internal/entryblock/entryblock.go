// Package entryblock is the stored form of a run of consecutive user report
// entries: one compact binary value per block of entries instead of a row
// per entry. A million-user report is a few hundred blocks, so storing it
// costs a few hundred inserts instead of a million, and reading a page
// decodes one block. Both stores use it, so that the format is one.
//
// A block is the format version (one byte), then, in version 2 (byte 3),
// the inbound flows of its entries, run-length encoded:
//
//	flows                         a uvarint count of runs, then each run's
//	                              flowId (a uvarint byte length and the
//	                              bytes) and its number of entries (a
//	                              uvarint, at least 1); consecutive runs
//	                              name different flows, and the numbers add
//	                              up to the block's entries
//
// and then each entry in order:
//
//	sourcedId, username, role     each a uvarint byte length and the bytes
//	orgSourcedIds                 a uvarint count, then each string as above
//	flags                         one byte: bit 0 isActive
//	issues                        a uvarint count, then each issue's index in
//	                              industrydata.UserReportIssues, one byte
//
// Version 1 (byte 1) has no flows: its entries' FlowID is "". It is still
// read, since reports stored before flows existed are kept as they were.
//
// The flows are run-length encoded, not a string per entry, since a
// report lists each flow's users together (the flows in their creation
// order, each in users.csv order): a block of 4096 entries names one flow
// or two, a few dozen bytes where repeating a 36-character id would add
// 150 KB before compression, and Skip passes over entries without reading
// a flow.
//
// Entries carry no Seq: the store keeps the first entry's Seq and the count
// beside the block, and the others follow one by one.
package entryblock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"industrydata"
)

// The version bytes of the plain forms (see compress.go for the stored
// ones).
const (
	version1 = 1
	version2 = 3
)

const flagActive = 1

// issueIndex maps an issue code to its byte in a block.
var issueIndex = func() map[industrydata.UserReportIssue]byte {
	m := make(map[industrydata.UserReportIssue]byte, len(industrydata.UserReportIssues))
	for i, code := range industrydata.UserReportIssues {
		m[industrydata.UserReportIssue(code)] = byte(i)
	}
	return m
}()

// issues are the codes of UserReportIssues by index, typed once.
var issues = func() []industrydata.UserReportIssue {
	out := make([]industrydata.UserReportIssue, len(industrydata.UserReportIssues))
	for i, code := range industrydata.UserReportIssues {
		out[i] = industrydata.UserReportIssue(code)
	}
	return out
}()

// Append appends the block of entries to dst, in format version 2. An
// issue code that is not one of UserReportIssues is an error, and dst is
// then returned unchanged.
func Append(dst []byte, entries []industrydata.UserReportEntry) ([]byte, error) {
	start := len(dst)
	dst = slices.Grow(dst, Size(entries))
	dst = append(dst, version2)
	runs := 0
	for i := range entries {
		if i == 0 || entries[i].FlowID != entries[i-1].FlowID {
			runs++
		}
	}
	dst = binary.AppendUvarint(dst, uint64(runs))
	for i := 0; i < len(entries); {
		n := 1
		for i+n < len(entries) && entries[i+n].FlowID == entries[i].FlowID {
			n++
		}
		dst = appendString(dst, entries[i].FlowID)
		dst = binary.AppendUvarint(dst, uint64(n))
		i += n
	}
	dst, err := appendEntries(dst, entries)
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// AppendV1 appends the block of entries to dst in format version 1, which
// has no flows: their FlowIDs are dropped. It is for migrating a store
// down to a version that reads no other.
func AppendV1(dst []byte, entries []industrydata.UserReportEntry) ([]byte, error) {
	start := len(dst)
	dst = slices.Grow(dst, Size(entries))
	dst, err := appendEntries(append(dst, version1), entries)
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// appendEntries appends the entries themselves, the part both versions
// share.
func appendEntries(dst []byte, entries []industrydata.UserReportEntry) ([]byte, error) {
	for i := range entries {
		e := &entries[i]
		dst = appendString(dst, e.SourcedID)
		dst = appendString(dst, e.Username)
		dst = appendString(dst, e.Role)
		dst = binary.AppendUvarint(dst, uint64(len(e.OrgSourcedIDs)))
		for _, org := range e.OrgSourcedIDs {
			dst = appendString(dst, org)
		}
		var flags byte
		if e.IsActive {
			flags |= flagActive
		}
		dst = append(dst, flags)
		dst = binary.AppendUvarint(dst, uint64(len(e.Issues)))
		for _, code := range e.Issues {
			b, ok := issueIndex[code]
			if !ok {
				return dst, fmt.Errorf("entryblock: entry %q: unknown issue %q", e.SourcedID, code)
			}
			dst = append(dst, b)
		}
	}
	return dst, nil
}

// Size is a close upper bound of the size of the block of entries.
func Size(entries []industrydata.UserReportEntry) int {
	n := 1 + 3 // the version and the count of flow runs
	for i := range entries {
		e := &entries[i]
		if i == 0 || e.FlowID != entries[i-1].FlowID {
			n += 3 + len(e.FlowID) + 3
		}
		// Three strings, the org count, flags and the issue count, each
		// with a length of up to 3 bytes: blocks hold short strings.
		n += len(e.SourcedID) + len(e.Username) + len(e.Role) + 3*3 + 3 + 1 + 3 + len(e.Issues)
		for _, org := range e.OrgSourcedIDs {
			n += 3 + len(org)
		}
	}
	return n
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// errCorrupt is what a reader finds in a block that is not one.
var errCorrupt = errors.New("entryblock: corrupt block")

// Reader reads the entries of one block in order. The strings of the
// entries it decodes are substrings of the block, which they keep alive;
// clone them to keep an entry without its block.
type Reader struct {
	data string
	off  int
	next int64 // the Seq of the next entry
	left int   // entries not yet read
	// flows is the offset of the next flow run in a version 2 block's
	// header; flow is the current run's flow and flowLeft its entries not
	// yet read. NewReader checked the header whole.
	flows    int
	flow     string
	flowLeft int
	// orgs and codes are arenas the entries' slices are cut from, so that
	// decoding does not allocate per entry; a full arena is replaced, never
	// reused, since decoded entries may still use it.
	orgs  []string
	codes []industrydata.UserReportIssue
}

// NewReader reads block, in either plain form, whose first entry has Seq
// first and which holds count entries.
func NewReader(block string, first int64, count int) (*Reader, error) {
	if len(block) == 0 || block[0] != version1 && block[0] != version2 {
		return nil, fmt.Errorf("%w: not format version 1 or 2", errCorrupt)
	}
	r := &Reader{data: block, off: 1, next: first, left: count}
	if block[0] == version2 {
		if !r.header() {
			return nil, fmt.Errorf("%w: the flows do not fit the %d entries", errCorrupt, count)
		}
	} else {
		r.flowLeft = count // all of flow ""
	}
	return r, nil
}

// header checks a version 2 block's flow runs, each of a flow other than
// the one before and with entries, that together hold the block's
// entries; it leaves r.flows at the first run and r.off at the first entry.
func (r *Reader) header() bool {
	runs, ok := r.count()
	if !ok {
		return false
	}
	r.flows = r.off
	total := 0
	prev := ""
	for i := range runs {
		id, ok := r.string()
		if !ok {
			return false
		}
		n, ok := r.count()
		if !ok || n == 0 || i > 0 && id == prev || n > r.left-total {
			return false
		}
		total += n
		prev = id
	}
	return total == r.left
}

// nextFlow moves to the flow of the next entry, reading the next run of
// the header when the current one is used up, and counts the entry.
func (r *Reader) nextFlow() {
	if r.flowLeft == 0 {
		// header checked the runs: they read, and hold every entry.
		r.off, r.flows = r.flows, r.off
		r.flow, _ = r.string()
		r.flowLeft, _ = r.count()
		r.off, r.flows = r.flows, r.off
	}
	r.flowLeft--
}

// Next is the Seq of the entry Read or Skip would read next.
func (r *Reader) Next() int64 { return r.next }

// Len is the number of entries not yet read.
func (r *Reader) Len() int { return r.left }

// Read decodes the next entry into e; false when the block is read through.
func (r *Reader) Read(e *industrydata.UserReportEntry) (bool, error) {
	if r.left == 0 {
		return false, r.end()
	}
	r.nextFlow()
	*e = industrydata.UserReportEntry{Seq: r.next, FlowID: r.flow}
	var ok bool
	if e.SourcedID, ok = r.string(); !ok {
		return false, r.corrupt()
	}
	if e.Username, ok = r.string(); !ok {
		return false, r.corrupt()
	}
	if e.Role, ok = r.string(); !ok {
		return false, r.corrupt()
	}
	n, ok := r.count()
	if !ok {
		return false, r.corrupt()
	}
	if n > 0 {
		if cap(r.orgs)-len(r.orgs) < n {
			r.orgs = make([]string, 0, max(n, 1024))
		}
		from := len(r.orgs)
		for range n {
			org, ok := r.string()
			if !ok {
				return false, r.corrupt()
			}
			r.orgs = append(r.orgs, org)
		}
		e.OrgSourcedIDs = r.orgs[from:len(r.orgs):len(r.orgs)]
	}
	flags, ok := r.flags()
	if !ok {
		return false, r.corrupt()
	}
	e.IsActive = flags&flagActive != 0
	if n, ok = r.count(); !ok {
		return false, r.corrupt()
	}
	if n > 0 {
		if cap(r.codes)-len(r.codes) < n {
			r.codes = make([]industrydata.UserReportIssue, 0, max(n, 256))
		}
		from := len(r.codes)
		for _, b := range []byte(r.data[r.off : r.off+n]) {
			if int(b) >= len(issues) {
				return false, r.corrupt()
			}
			r.codes = append(r.codes, issues[b])
		}
		r.off += n
		e.Issues = r.codes[from:len(r.codes):len(r.codes)]
	}
	r.next++
	r.left--
	return true, nil
}

// Skip passes over the next entry without decoding it; false when the
// block is read through.
func (r *Reader) Skip() (bool, error) {
	if r.left == 0 {
		return false, r.end()
	}
	r.nextFlow()
	for range 3 {
		if _, ok := r.string(); !ok {
			return false, r.corrupt()
		}
	}
	n, ok := r.count()
	if !ok {
		return false, r.corrupt()
	}
	for range n {
		if _, ok := r.string(); !ok {
			return false, r.corrupt()
		}
	}
	if _, ok := r.flags(); !ok {
		return false, r.corrupt()
	}
	if n, ok = r.count(); !ok {
		return false, r.corrupt()
	}
	r.off += n
	r.next++
	r.left--
	return true, nil
}

// end checks that a block read through has nothing left over.
func (r *Reader) end() error {
	if r.off != len(r.data) {
		return fmt.Errorf("%w: %d bytes after the last entry", errCorrupt, len(r.data)-r.off)
	}
	return nil
}

func (r *Reader) corrupt() error {
	r.left = 0
	return fmt.Errorf("%w: entry %d is cut short or malformed", errCorrupt, r.next)
}

// flags reads the flags byte; a bit this version does not define is a
// corrupt block, so that every block has one reading.
func (r *Reader) flags() (byte, bool) {
	if r.off >= len(r.data) || r.data[r.off]&^flagActive != 0 {
		return 0, false
	}
	r.off++
	return r.data[r.off-1], true
}

// count reads a uvarint that counts items of at least one byte each.
func (r *Reader) count() (int, bool) {
	v, n := uvarint(r.data[min(r.off, len(r.data)):])
	if n <= 0 || v > uint64(len(r.data)-r.off-n) {
		return 0, false
	}
	r.off += n
	return int(v), true
}

func (r *Reader) string() (string, bool) {
	l, ok := r.count()
	if !ok {
		return "", false
	}
	s := r.data[r.off : r.off+l]
	r.off += l
	return s, true
}

// uvarint is binary.Uvarint over a string, which it does not copy, that
// also refuses a number not in its shortest form: a block has one reading.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 || i > 0 && b == 0 {
				return 0, -(i + 1) // overflow, or not the shortest form
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
