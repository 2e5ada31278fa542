package entryblock

import (
	"fmt"

	"industrydata"
	"industrydata/store/internal/zblob"
)

// The stored form of a block is compressed: a byte, 2, then the block
// after its version byte compressed (package zblob). Report entries
// compress about sixfold: ids share prefixes, roles and orgs repeat.
const compressed = 2

// Encode returns the stored form of the block of entries. An issue code
// that is not one of UserReportIssues is an error.
func Encode(entries []industrydata.UserReportEntry) ([]byte, error) {
	raw, err := Append(nil, entries)
	if err != nil {
		return nil, err
	}
	return zblob.Compress(append(make([]byte, 0, len(raw)/4), compressed), raw[1:]), nil
}

// Open reads a block in its stored form (or in the plain form Append
// writes) whose first entry has Seq first and which holds count entries.
func Open(block []byte, first int64, count int) (*Reader, error) {
	if len(block) == 0 || block[0] != compressed {
		return NewReader(string(block), first, count)
	}
	raw, err := zblob.Decompress([]byte{version}, block[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return NewReader(string(raw), first, count)
}
