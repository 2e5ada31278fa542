package entryblock

import (
	"fmt"

	"github.com/klauspost/compress/zstd"

	"industrydata"
)

// The stored form of a block is compressed: a byte, 2, then the block
// after its version byte as one zstd frame. Report entries compress about
// sixfold (ids share prefixes, roles and orgs repeat), which a store
// writes, keeps and reads six times less of; zstd's fastest level costs
// about a quarter of a microsecond an entry to write and less to read.
const compressed = 2

// maxBlockSize bounds what a stored block may decompress to, so that a
// corrupt frame cannot claim gigabytes: far above any real block (a
// block of 4,096 entries is a few hundred KiB).
const maxBlockSize = 64 << 20

var (
	// Both are safe for concurrent use through EncodeAll and DecodeAll.
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxBlockSize))
)

// Encode returns the stored form of the block of entries. An issue code
// that is not one of UserReportIssues is an error.
func Encode(entries []industrydata.UserReportEntry) ([]byte, error) {
	raw, err := Append(nil, entries)
	if err != nil {
		return nil, err
	}
	return encoder.EncodeAll(raw[1:], append(make([]byte, 0, len(raw)/4), compressed)), nil
}

// Open reads a block in its stored form (or in the plain form Append
// writes) whose first entry has Seq first and which holds count entries.
func Open(block []byte, first int64, count int) (*Reader, error) {
	if len(block) == 0 || block[0] != compressed {
		return NewReader(string(block), first, count)
	}
	raw, err := decoder.DecodeAll(block[1:], []byte{version})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return NewReader(string(raw), first, count)
}
