package postgres

import (
	"github.com/jackc/pgx/v5"

	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"

	"industrydata"
	"industrydata/store/internal/zblob"
)

// The bytes of uploads are streamed into pieces: chunks of uploadChunkSize,
// compressed, uploadChunksPerWrite to a write transaction, so a 2 GiB
// upload neither holds a transaction open for long nor sits in memory (a
// staging upload holds one buffer of 4 MiB). Readers fetch one chunk per
// query, so any replica streams any content.
const (
	uploadChunkSize      = 1 << 20
	uploadChunksPerWrite = 4
)

const (
	qInsertPiece = `INSERT INTO upload_pieces (tenant, container, state)
	SELECT tenant, seq, 'staging' FROM upload_containers WHERE seq = ? RETURNING seq`
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

// piece is a staged request body.
type piece struct {
	seq  int64
	size int64
	md5  []byte
}

// stagePiece reads src to its end into a new staging piece of container
// c. More than max bytes (when max > 0) is ErrTooLarge. On failure what
// was staged is deleted. The caller makes the piece stored (storePiece) in
// the transaction that uses it, or drops it.
func (s *Store) stagePiece(ctx context.Context, c containerRow, src io.Reader, max int64) (piece, error) {
	var p piece
	err := s.write(ctx, func(tx *txn) error {
		// No row: the container was discarded.
		return translate(tx.QueryRow(qInsertPiece, c.seq).Scan(&p.seq))
	})
	if err != nil {
		return piece{}, err
	}
	if err := s.fillPiece(ctx, &p, src, max); err != nil {
		s.dropPiece(ctx, p.seq)
		return piece{}, err
	}
	return p, nil
}

// fillPiece streams src into piece p's chunks.
func (s *Store) fillPiece(ctx context.Context, p *piece, src io.Reader, max int64) error {
	if max > 0 {
		src = io.LimitReader(src, max+1)
	}
	h := md5.New()
	buf := make([]byte, uploadChunkSize*uploadChunksPerWrite)
	next := int64(0) // the number of the next chunk
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := io.ReadFull(src, buf)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return fmt.Errorf("read upload: %w", err)
		}
		if max > 0 && p.size+int64(k) > max {
			return fmt.Errorf("more than %d bytes: %w", max, industrydata.ErrTooLarge)
		}
		if k > 0 {
			h.Write(buf[:k])
			chunks := compressChunks(buf[:k])
			first := next
			err := s.write(ctx, func(tx *txn) error {
				// Gone when its container was discarded meanwhile.
				var one int
				if err := tx.QueryRow(qStagingPiece, p.seq).Scan(&one); err != nil {
					return translate(err)
				}
				for i, c := range chunks {
					if _, err := tx.Exec(qInsertUploadChunk, p.seq, first+int64(i), c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("store upload: %w", err)
			}
			next += int64(len(chunks))
			p.size += int64(k)
		}
		if last {
			p.md5 = h.Sum(nil)
			return nil
		}
	}
}

// compressChunks cuts data into chunks of uploadChunkSize, compressed.
func compressChunks(data []byte) [][]byte {
	var chunks [][]byte
	for len(data) > 0 {
		c := data[:min(uploadChunkSize, len(data))]
		chunks = append(chunks, zblob.Compress(nil, c))
		data = data[len(c):]
	}
	return chunks
}

// storePiece makes staged piece p stored, in the transaction that uses it:
// ErrNotFound when its container was discarded meanwhile.
func storePiece(tx *txn, p piece) error {
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
	err := s.write(context.WithoutCancel(ctx), func(tx *txn) error {
		_, err := tx.Exec(qDeletePiece, seq)
		return err
	})
	if err != nil {
		s.log.Warn("postgres: delete a staged upload after a failed put", "piece", seq, "err", err)
	}
}

// OpenContent streams one committed content of the tenant.
func (s *Store) OpenContent(ctx context.Context, tenant industrydata.TenantID, contentID string) (io.ReadCloser, error) {
	r := &contentReader{s: s, ctx: ctx, id: contentID}
	if err := s.queryRow(ctx, qOpenContent, string(tenant), contentID).Scan(&r.seq, &r.size); err != nil {
		return nil, fmt.Errorf("postgres: open content %s: %w", contentID, translate(err))
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

	chunk  []byte // reused
	raw    []byte // reused: the compressed chunk
	rest   []byte
	closed bool
}

// Read implements io.Reader.
func (r *contentReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, fmt.Errorf("postgres: read content %s: reader closed", r.id)
	}
	for len(r.rest) == 0 {
		if r.fetched == r.size {
			return 0, io.EOF
		}
		if err := r.fetch(); err != nil {
			return 0, fmt.Errorf("postgres: read content %s: %w", r.id, err)
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
		err := r.s.queryRow(r.ctx, qContentPiece, r.seq, r.nextPiece).Scan(&r.piece, &r.pieceSize)
		if errors.Is(err, pgx.ErrNoRows) {
			return errContentGone
		}
		if err != nil {
			return err
		}
		r.nextPiece++
		r.pieceRead, r.nextChunk = 0, 0
	}
	// Scanned into the reused buffer, then decompressed into the other.
	err := r.s.queryRow(r.ctx, qUploadChunk, r.piece, r.nextChunk).Scan(&r.raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return errContentGone
	}
	if err != nil {
		return err
	}
	if r.chunk, err = zblob.Decompress(r.chunk[:0], r.raw); err != nil {
		return fmt.Errorf("piece %d chunk %d: %w", r.piece, r.nextChunk, err)
	}
	if len(r.chunk) == 0 || len(r.chunk) > uploadChunkSize || r.pieceRead+int64(len(r.chunk)) > r.pieceSize ||
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
	r.closed, r.chunk, r.rest, r.raw = true, nil, nil, nil
	return nil
}
