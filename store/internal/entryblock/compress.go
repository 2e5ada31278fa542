package entryblock

import (
	"fmt"

	"industrydata"
	"industrydata/store/internal/zblob"
)

// The stored form of a block is compressed: a byte, then the plain block
// after its version byte compressed (package zblob). The byte says the
// version: 2 for version 1, 4 for version 2. Report entries compress
// about sixfold: ids share prefixes, roles and orgs repeat.
const (
	compressed1 = 2
	compressed2 = 4
)

// Encode returns the stored form of the block of entries, in format
// version 2. An issue code that is not one of UserReportIssues is an error.
func Encode(entries []industrydata.UserReportEntry) ([]byte, error) {
	raw, err := Append(nil, entries)
	if err != nil {
		return nil, err
	}
	return compress(compressed2, raw), nil
}

// EncodeV1 is Encode in format version 1, which drops the entries'
// FlowIDs (see AppendV1).
func EncodeV1(entries []industrydata.UserReportEntry) ([]byte, error) {
	raw, err := AppendV1(nil, entries)
	if err != nil {
		return nil, err
	}
	return compress(compressed1, raw), nil
}

func compress(marker byte, raw []byte) []byte {
	return zblob.Compress(append(make([]byte, 0, len(raw)/4), marker), raw[1:])
}

// Open reads a block in its stored form (or in a plain form Append or
// AppendV1 writes), of either version, whose first entry has Seq first and
// which holds count entries.
func Open(block []byte, first int64, count int) (*Reader, error) {
	var v byte
	switch {
	case len(block) > 0 && block[0] == compressed1:
		v = version1
	case len(block) > 0 && block[0] == compressed2:
		v = version2
	default:
		return NewReader(string(block), first, count)
	}
	raw, err := zblob.Decompress([]byte{v}, block[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return NewReader(string(raw), first, count)
}

// IsV1 reports whether a block in its stored or plain form is of format
// version 1, which has no flows.
func IsV1(block []byte) bool {
	return len(block) > 0 && (block[0] == version1 || block[0] == compressed1)
}
