// Package chunk is the codec of the chunks of uploaded content: each
// chunk of at most Size bytes compressed on its own, so that a reader
// fetches and decompresses one at a time.
package chunk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"industrydata/store/internal/zblob"
	"slices"

	"github.com/klauspost/compress/s2"
)

// Size is the most bytes a chunk holds before compression.
const Size = 1 << 20

// A chunk is compressed with zstd (package zblob), as the store's other
// blobs are, unless fast is set: then it is an S2 stream of one block
// (github.com/klauspost/compress/s2, with a CRC-32C), which the upload
// store chooses for the bodies where compression is on the client's wait
// (see its streamPiece). On the 2-vCPU machine of docs/BENCHMARKS.md
// zstd's fastest level compressed users.csv at 170–260 MB/s and S2 at
// 530–670 MB/s, against about 450 MB/s for writing a file and fsyncing
// it; S2 keeps a quarter of it where zstd keeps a seventh (a tenth of
// enrollments.csv against a thirty-seventh). Decompress tells the two
// apart by their first bytes.
var (
	// s2Stream is how an S2 stream begins: its stream identifier.
	s2Stream   = []byte("\xff\x06\x00\x00S2sTwO")
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// Compress appends src, at most Size bytes, compressed to dst: a zstd
// frame, or an S2 stream of one block if fast. The S2 stream is framed
// here around s2.Encode, which encodes straight into dst, rather than by
// an s2.Writer, whose buffers of its own (two of about a MiB) a pool kept
// only until the collector's next cycle or the one after: most small
// uploads made them again, a page fault per 4 KiB.
func Compress(dst, src []byte, fast bool) []byte {
	if !fast {
		return zblob.Compress(dst, src)
	}
	dst = append(dst, s2Stream...)
	if len(src) == 0 {
		return dst // the stream of nothing
	}
	head := len(dst)
	dst = append(dst, make([]byte, 8)...) // block type, length, checksum
	max := s2.MaxEncodedLen(len(src))
	dst = slices.Grow(dst, max)
	block, kind := s2.Encode(dst[len(dst):len(dst)+max], src), byte(0x00)
	if len(block) >= len(src) {
		block, kind = append(dst[len(dst):], src...), 0x01 // stored as is
	}
	c := crc32.Checksum(src, castagnoli)
	n := len(block) + 4
	dst[head], dst[head+1], dst[head+2], dst[head+3] = kind, byte(n), byte(n>>8), byte(n>>16)
	binary.LittleEndian.PutUint32(dst[head+4:], c>>15|c<<17+0xa282ead8)
	return dst[:len(dst)+len(block)]
}

var errBadChunk = errors.New("not a chunk this store writes (an S2 stream of one block, or a zstd frame)")

// Decompress appends what chunk decompresses to, at most
// Size bytes, to dst. The stream is read here, rather than by
// an s2.Reader, which decodes into buffers of its own (two more MiB per
// file a validation has open) and copies out: its one block (type,
// length, masked CRC-32C of the data, then the block) goes straight to
// s2.Decode.
func Decompress(dst, chunk []byte) ([]byte, error) {
	if bytes.HasPrefix(chunk, zstdMagic) {
		return zblob.Decompress(dst, chunk)
	}
	rest, ok := bytes.CutPrefix(chunk, s2Stream)
	if ok && len(rest) == 0 {
		return dst, nil // the stream of nothing
	}
	if !ok || len(rest) < 8 || int(rest[1])|int(rest[2])<<8|int(rest[3])<<16 != len(rest)-4 {
		return dst, errBadChunk
	}
	sum, block, start := binary.LittleEndian.Uint32(rest[4:8]), rest[8:], len(dst)
	switch rest[0] {
	case 0x00: // compressed
		n, err := s2.DecodedLen(block)
		if err != nil || n > Size {
			return dst, errBadChunk
		}
		dst = slices.Grow(dst, n)
		if _, err := s2.Decode(dst[start:start+n], block); err != nil {
			return dst, fmt.Errorf("%w: %v", errBadChunk, err)
		}
		dst = dst[:start+n]
	case 0x01: // stored as is
		if len(block) > Size {
			return dst, errBadChunk
		}
		dst = append(dst, block...)
	default:
		return dst, errBadChunk
	}
	if c := crc32.Checksum(dst[start:], castagnoli); c>>15|c<<17+0xa282ead8 != sum {
		return dst[:start], errors.New("the chunk's checksum does not match its data")
	}
	return dst, nil
}
