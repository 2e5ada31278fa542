// Package zblob compresses what the stores keep as blobs (report entry
// blocks, the chunks of uploaded files) with zstd at its fastest level:
// report entries and OneRoster CSV shrink four- to sixfold, so a store writes, keeps and reads
// that much less, for about a quarter of a microsecond per hundred bytes to
// compress and less to decompress.
package zblob

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/klauspost/compress/zstd"
)

// MaxSize bounds what a blob may decompress to, so that a corrupt one
// cannot claim gigabytes: far above any blob the stores write (an upload
// chunk is 1 MiB, a block of report entries a few hundred KiB).
const MaxSize = 64 << 20

var (
	// Both are safe for concurrent use through EncodeAll and DecodeAll.
	// The encoder compresses as many blobs at once as there are Ps (with
	// one, concurrent uploads queued for it); each costs a few MB.
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxSize))
)

// ErrCorrupt is what Decompress returns for a blob that is not one.
var ErrCorrupt = errors.New("zblob: corrupt blob")

// Compress appends the compressed form of src to dst.
func Compress(dst, src []byte) []byte {
	return encoder.EncodeAll(src, dst)
}

// Decompress appends what blob decompresses to to dst.
func Decompress(dst, blob []byte) ([]byte, error) {
	out, err := decoder.DecodeAll(blob, dst)
	if err != nil {
		return dst, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return out, nil
}
