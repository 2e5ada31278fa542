package sqlcore

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"industrydata/store/internal/chunk"
	"io"
	"sync"

	"industrydata"
)

// The bytes of uploads are streamed into pieces (migration 00009) the way
// PutRoster streams rosters: chunks of chunk.Size, compressed (S2 or
// zstd: see streamPiece), uploadChunksPerWrite to a write transaction, so a 2 GiB
// upload neither holds the writer for long nor sits in memory (a staging
// upload holds a group of chunks, and the group before while it commits).
// Readers fetch one chunk per query.
const uploadChunksPerWrite = 4

const (
	qInsertPiece = `INSERT INTO upload_pieces (tenant, container, state)
	SELECT tenant, seq, 'staging' FROM upload_containers WHERE seq = ?`
	qStagingPiece      = `SELECT 1 FROM upload_pieces WHERE seq = ? AND state = 'staging'`
	qInsertUploadChunk = `INSERT INTO upload_chunks (piece, n, data) VALUES (?, ?, ?)`
	qDeletePiece       = `DELETE FROM upload_pieces WHERE seq = ?`
	// qStorePiece makes a staging piece stored, while its container exists.
	qStorePiece = `UPDATE upload_pieces SET state = 'stored', size = ?, md5 = ?
	WHERE seq = ? AND state = 'staging' AND EXISTS (SELECT 1 FROM upload_containers k WHERE k.seq = upload_pieces.container)`

	qOpenContent  = `SELECT seq, size FROM upload_contents WHERE tenant = ? AND id = ?`
	qContentPiece = `SELECT cp.piece, p.size FROM upload_content_pieces cp
	JOIN upload_pieces p ON p.seq = cp.piece WHERE cp.content = ? AND cp.n = ?`
	qUploadChunk = `SELECT data FROM upload_chunks WHERE piece = ? AND n = ?`
)

// piece is a request body, staged or stored.
type piece struct {
	seq  int64
	size int64
	md5  []byte
}

// Which codec a body's chunks get (package chunk): S2, four to six times
// faster than zstd's fastest level and keeping 1.7 to 3.7 times its
// bytes, for a body whose reader says it is shorter than its request's
// bound; zstd otherwise. A Put Blob is a whole file, sent alone: up to
// 32 MiB (a roster of 100,000 users and less), its time is the client's
// wait, and S2 took the server's CPU for users.csv at 100,000 users
// (17 MB) from 140-150 ms to about 105 ms. Larger files come in blocks, four
// at a time from the SDK, whose compression overlaps the others'
// transfers and commits, and their bytes are what a validation reads
// back: a block gets S2 only when shorter than a group (4 MiB), one
// transaction with nothing to overlap.
const (
	putBlobS2Below  = 32 << 20
	putBlockS2Below = chunk.Size * uploadChunksPerWrite
)

// streamPiece reads src to its end into a new piece of container c, and
// end makes the piece stored and uses it (storePiece and more) in the
// transaction that writes its last chunks: a body shorter than a group
// (4 MiB; most roster files) is one transaction, one fsync. A larger one
// is staged a group per transaction, each group read and compressed while
// the one before commits. More than max bytes (when max > 0) is
// ErrTooLarge. Its chunks are S2 when src says it is shorter than s2Below,
// zstd otherwise. On failure what was staged is deleted.
func (s *Store) streamPiece(ctx context.Context, c containerRow, src io.Reader, max, s2Below int64, end func(tx Tx, p piece) error) error {
	fast := false
	if l, ok := src.(interface{ Len() int }); ok {
		fast = int64(l.Len()) < s2Below
	}
	if max > 0 {
		src = io.LimitReader(src, max+1)
	}
	h := md5.New()
	var (
		p       piece            // p.seq once a committed write has made it
		next    int64            // the number of the next chunk
		pending chan stagedGroup // the staging write in flight, if any
	)
	// wait waits for the staging write in flight, whose error it returns.
	wait := func() error {
		if pending == nil {
			return nil
		}
		w := <-pending
		pending = nil
		if w.err != nil {
			return fmt.Errorf("store upload: %w", w.err)
		}
		p.seq = w.seq
		return nil
	}
	fail := func(err error) error {
		_ = wait()
		if p.seq != 0 {
			s.dropPiece(ctx, p.seq)
		}
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		g, err := readGroup(src, h, fast)
		if err != nil {
			return fail(err)
		}
		if max > 0 && p.size+g.size > max {
			g.release()
			return fail(fmt.Errorf("more than %d bytes: %w", max, industrydata.ErrTooLarge))
		}
		if err := wait(); err != nil {
			g.release()
			return fail(err)
		}
		first := next
		next += int64(len(g.chunks))
		p.size += g.size
		if g.last {
			p.md5 = h.Sum(nil)
			last := p
			err := s.b.Write(ctx, func(tx Tx) error {
				q := last // a failed try leaves last as it was, for the next
				var err error
				if q.seq, err = s.writeGroup(tx, c, q.seq, first, g.chunks); err != nil {
					return err
				}
				return end(tx, q)
			})
			g.release()
			if err != nil {
				return fail(err)
			}
			return nil
		}
		pending = make(chan stagedGroup, 1)
		go func(seq int64) {
			var w stagedGroup
			w.err = s.b.Write(ctx, func(tx Tx) error {
				var err error
				w.seq, err = s.writeGroup(tx, c, seq, first, g.chunks)
				return err
			})
			g.release()
			pending <- w
		}(p.seq)
	}
}

// stagedGroup is the outcome of a staging write: the piece's seq, made by
// the first.
type stagedGroup struct {
	seq int64
	err error
}

// writeGroup writes chunks as piece seq's chunks numbered from first, in
// tx, making the piece first when seq is 0, and returns its seq.
// ErrNotFound when its container was discarded (with its staging pieces)
// meanwhile.
func (s *Store) writeGroup(tx Tx, c containerRow, seq, first int64, chunks [][]byte) (int64, error) {
	if seq == 0 {
		// No row: the container was discarded.
		var err error
		if seq, err = tx.Insert(qInsertPiece, c.seq); err != nil {
			return 0, s.translate(err)
		}
	} else {
		var one int
		if err := tx.QueryRow(qStagingPiece, seq).Scan(&one); err != nil {
			return 0, s.translate(err)
		}
	}
	for i, chunk := range chunks {
		if _, err := tx.Exec(qInsertUploadChunk, seq, first+int64(i), chunk); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// group is up to uploadChunksPerWrite chunks of a body, compressed, in
// buffers of zBuffers that release gives back.
type group struct {
	chunks [][]byte
	bufs   [uploadChunksPerWrite]*[]byte
	size   int64 // the bytes read
	last   bool  // src ended in this group
}

// The buffers a chunk is read into and compressed into are kept from
// request to request, up to keptBuffers of each: a buffer the heap hands
// out again is cleared first, and one it maps afresh costs a page fault
// per 4 KiB (5-7 µs each on the machine of docs/BENCHMARKS.md: 2-3 ms for
// an upload of 1.7 MB). A sync.Pool would drop them at the collector's
// next cycle or the one after, which a validation's or a long upload's
// work brings every few milliseconds. Kept: a group being read and one
// committing, 12 to 18 MiB once a body of 4 MiB or more has come.
const keptBuffers = 2 * uploadChunksPerWrite

var (
	rawBuffers = newBufferPool(chunk.Size, chunk.Size)
	// A compressed chunk's buffer grows as needed: a roster chunk
	// compresses to a tenth to a quarter, and S2 asks room for its most.
	zBuffers = newBufferPool(0, chunk.Size/2)
)

// bufferPool keeps up to keptBuffers buffers.
type bufferPool struct {
	kept      chan *[]byte
	len, room int
}

func newBufferPool(len, room int) *bufferPool {
	return &bufferPool{kept: make(chan *[]byte, keptBuffers), len: len, room: room}
}

func (p *bufferPool) get() *[]byte {
	select {
	case b := <-p.kept:
		return b
	default:
		b := make([]byte, p.len, p.room)
		return &b
	}
}

func (p *bufferPool) put(b *[]byte) {
	select {
	case p.kept <- b:
	default:
	}
}

// readGroup reads the next group of src and hashes it into h. Each chunk
// is hashed as its bytes come (readFull) and compressed on a goroutine of
// its own once read, while this one reads the next: an upload's MD5 (a
// third of its CPU), its compression and the client's sending overlap
// where there is more than one core, instead of adding up.
func readGroup(src io.Reader, h hash.Hash, fast bool) (*group, error) {
	g := &group{}
	var (
		out [uploadChunksPerWrite][]byte
		raw [uploadChunksPerWrite]*[]byte
		wg  sync.WaitGroup
		n   int
		err error
	)
	for n < uploadChunksPerWrite {
		b := rawBuffers.get()
		var k int
		k, err = readFull(src, *b, h)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			g.last, err = true, nil
		}
		if k == 0 || err != nil {
			rawBuffers.put(b)
			break
		}
		data, z, i := (*b)[:k], zBuffers.get(), n
		raw[i], g.bufs[i] = b, z
		wg.Go(func() { out[i] = chunk.Compress((*z)[:0], data, fast) })
		g.size += int64(k)
		if n++; g.last {
			break
		}
	}
	wg.Wait()
	for i := range n {
		rawBuffers.put(raw[i])
		*g.bufs[i] = out[i][:0] // grown or not, for the next chunk
	}
	g.chunks = out[:n]
	if err != nil {
		g.release()
		return nil, fmt.Errorf("read upload: %w", err)
	}
	return g, nil
}

// readFull is io.ReadFull that hashes into h what each read brings, as it
// comes, rather than the whole buffer after the last: the hash keeps pace
// with the client instead of following it.
func readFull(src io.Reader, buf []byte, h hash.Hash) (n int, err error) {
	for n < len(buf) && err == nil {
		var k int
		k, err = src.Read(buf[n:])
		h.Write(buf[n : n+k])
		n += k
	}
	switch {
	case n == len(buf):
		return n, nil
	case n > 0 && errors.Is(err, io.EOF):
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// release gives g's buffers back; g's chunks are not to be used after.
func (g *group) release() {
	for i, b := range g.bufs {
		if b != nil {
			zBuffers.put(b)
			g.bufs[i] = nil
		}
	}
	g.chunks = nil
}

// storePiece makes staged piece p stored, in the transaction that uses it:
// ErrNotFound when its container was discarded meanwhile.
func (s *Store) storePiece(tx Tx, p piece) error {
	res, err := tx.Exec(qStorePiece, p.size, p.md5, p.seq)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, industrydata.ErrNotFound)
	}
	return nil
}

// dropPiece deletes a piece that will not be used, best effort: one left
// behind goes with its container.
func (s *Store) dropPiece(ctx context.Context, seq int64) {
	err := s.b.Write(context.WithoutCancel(ctx), func(tx Tx) error {
		_, err := tx.Exec(qDeletePiece, seq)
		return err
	})
	if err != nil {
		s.log.Warn(s.d.Name+": delete a staged upload after a failed put", "piece", seq, "err", err)
	}
}

// OpenContent streams one committed content of the tenant.
func (s *Store) OpenContent(ctx context.Context, tenant industrydata.TenantID, contentID string) (io.ReadCloser, error) {
	r := &contentReader{s: s, ctx: ctx, id: contentID}
	if err := s.b.QueryRow(ctx, qOpenContent, string(tenant), contentID).Scan(&r.seq, &r.size); err != nil {
		return nil, s.errorf("open content %s: %w", contentID, s.translate(err))
	}
	return r, nil
}

// contentReader streams a content: its pieces in order, each a chunk at a
// time, one point query per chunk.
type contentReader struct {
	s    *Store
	ctx  context.Context
	id   string
	seq  int64
	size int64

	fetched int64 // bytes fetched so far

	nextPiece int64 // the number of the next piece in the content
	piece     int64 // the current piece
	pieceSize int64
	pieceRead int64 // bytes of the current piece fetched
	nextChunk int64

	buf    *[]byte // of rawBuffers, once a chunk is read; given back by Close
	chunk  []byte
	rest   []byte
	closed bool
}

// Read implements io.Reader.
func (r *contentReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, r.s.errorf("read content %s: reader closed", r.id)
	}
	for len(r.rest) == 0 {
		if r.fetched == r.size {
			return 0, io.EOF
		}
		if err := r.fetch(); err != nil {
			return 0, r.s.errorf("read content %s: %w", r.id, err)
		}
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

var errContentGone = fmt.Errorf("the content was deleted while being read: %w", industrydata.ErrNotFound)

// fetch reads the next chunk, moving to the next piece when the current
// one is done.
func (r *contentReader) fetch() error {
	for r.pieceRead == r.pieceSize {
		err := r.s.b.QueryRow(r.ctx, qContentPiece, r.seq, r.nextPiece).Scan(&r.piece, &r.pieceSize)
		if errors.Is(err, r.s.d.NoRows) {
			return errContentGone
		}
		if err != nil {
			return err
		}
		r.nextPiece++
		r.pieceRead, r.nextChunk = 0, 0
	}
	found := false
	err := r.s.b.Each(r.ctx, qUploadChunk, []any{r.piece, r.nextChunk}, func(row Scanner) error {
		var data []byte // valid until the next row (see Dialect.RawBytes): decompressed into the reused buffer
		if err := row.Scan(r.s.d.RawBytes(&data)); err != nil {
			return err
		}
		found = true
		var err error
		if r.buf == nil {
			r.buf = rawBuffers.get()
		}
		if r.chunk, err = chunk.Decompress((*r.buf)[:0], data); err != nil {
			return fmt.Errorf("piece %d chunk %d: %w", r.piece, r.nextChunk, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !found {
		return errContentGone
	}
	if len(r.chunk) == 0 || len(r.chunk) > chunk.Size || r.pieceRead+int64(len(r.chunk)) > r.pieceSize ||
		r.fetched+int64(len(r.chunk)) > r.size {
		return fmt.Errorf("piece %d chunk %d of %d bytes does not fit", r.piece, r.nextChunk, len(r.chunk))
	}
	r.rest = r.chunk
	r.pieceRead += int64(len(r.chunk))
	r.fetched += int64(len(r.chunk))
	r.nextChunk++
	return nil
}

// Size is the content's size in bytes: what a reader sizes its tables by
// (package roster reserves its sourcedId sets from it, rather than
// doubling them as rows come, which held the old and the new table at
// once: a third more memory at the peak of a validation).
func (r *contentReader) Size() int64 { return r.size }

// Close implements io.Closer; it releases the buffer.
func (r *contentReader) Close() error {
	if r.buf != nil {
		rawBuffers.put(r.buf)
	}
	r.closed, r.buf, r.chunk, r.rest = true, nil, nil, nil
	return nil
}
