package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/google/uuid"

	"industrydata"
)

const (
	qInsertContent = `INSERT INTO upload_contents (id, tenant, container, size, created_ticks)
	VALUES (?, ?, ?, 0, ?)`
	qSetContentSize     = `UPDATE upload_contents SET size = ? WHERE seq = ?`
	qInsertContentPiece = `INSERT INTO upload_content_pieces (content, n, piece, block_id) VALUES (?, ?, ?, ?)`
	// qUpsertBlob points the name at new content, keeping its creation time.
	qUpsertBlob = `INSERT INTO upload_blobs (container, name, content, etag, created_ticks, modified_ticks,
	content_type, content_encoding, content_language, content_disposition, cache_control, content_md5)
	VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
	ON CONFLICT (container, name) DO UPDATE SET content = excluded.content, etag = excluded.etag,
	modified_ticks = excluded.modified_ticks, content_type = excluded.content_type,
	content_encoding = excluded.content_encoding, content_language = excluded.content_language,
	content_disposition = excluded.content_disposition, cache_control = excluded.cache_control,
	content_md5 = excluded.content_md5
	RETURNING created_ticks`
	// The blob's uncommitted blocks go: their pieces (unless a content
	// uses one), then the rows.
	qDropBlockPieces = `DELETE FROM upload_pieces WHERE seq IN
	(SELECT piece FROM upload_blocks WHERE container = ?1 AND blob = ?2)
	AND NOT EXISTS (SELECT 1 FROM upload_content_pieces cp WHERE cp.piece = upload_pieces.seq)`
	qDropBlocks  = `DELETE FROM upload_blocks WHERE container = ? AND blob = ?`
	qOtherBlocks = `SELECT count(*), coalesce(sum(size), 0) FROM upload_blocks WHERE container = ? AND blob = ? AND block_id <> ?`
	qBlockPiece  = `SELECT piece, size FROM upload_blocks WHERE container = ? AND blob = ? AND block_id = ?`
	qUpsertBlock = `INSERT INTO upload_blocks (container, blob, block_id, piece, size, staged_ticks) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (container, blob, block_id) DO UPDATE SET piece = excluded.piece, size = excluded.size,
	staged_ticks = excluded.staged_ticks`
	qDropPieceUnused = `DELETE FROM upload_pieces WHERE seq = ?1
	AND NOT EXISTS (SELECT 1 FROM upload_content_pieces cp WHERE cp.piece = ?1)`
	qBlobContent    = `SELECT content FROM upload_blobs WHERE container = ? AND name = ?`
	qCommittedBlock = `SELECT cp.piece, p.size FROM upload_content_pieces cp JOIN upload_pieces p ON p.seq = cp.piece
	WHERE cp.content = ? AND cp.block_id = ? LIMIT 1`
	qDeleteBlob = `DELETE FROM upload_blobs WHERE container = ? AND name = ?`

	blobColumns = `b.name, c.id, c.size, b.etag, b.created_ticks, b.modified_ticks, b.content_type,
	b.content_encoding, b.content_language, b.content_disposition, b.cache_control, b.content_md5
	FROM upload_blobs b JOIN upload_contents c ON c.seq = b.content`
	qListBlobs = `SELECT ` + blobColumns + ` WHERE b.container = ? ORDER BY b.name`
	qGetBlob   = `SELECT ` + blobColumns + ` WHERE b.container = ? AND b.name = ?`
)

// commitContent makes pieces, in order, the content of blob name of
// container c, with props, in tx: it creates the content, points the name
// at it and drops the blob's uncommitted blocks. next returns the pieces
// one by one (false at the end).
func (s *Store) commitContent(tx Tx, c containerRow, name string, props industrydata.BlobProps, next func() (p piece, blockID sql.NullString, ok bool, err error)) (industrydata.BlobInfo, error) {
	now, ticks, err := encodeTime("lastModified", s.clock.Now())
	if err != nil {
		return industrydata.BlobInfo{}, err
	}
	info := industrydata.BlobInfo{Name: name, ContentID: uuid.NewString(), ETag: newBlobETag(), LastModified: now, Props: props}
	content, err := tx.Insert(qInsertContent, info.ContentID, string(c.Tenant), c.seq, ticks)
	if err != nil {
		return industrydata.BlobInfo{}, err
	}
	for n := int64(0); ; n++ {
		p, blockID, ok, err := next()
		if err != nil {
			return industrydata.BlobInfo{}, err
		}
		if !ok {
			break
		}
		if _, err := tx.Exec(qInsertContentPiece, content, n, p.seq, blockID); err != nil {
			return industrydata.BlobInfo{}, err
		}
		info.Size += p.size
	}
	if _, err := tx.Exec(qSetContentSize, info.Size, content); err != nil {
		return industrydata.BlobInfo{}, err
	}
	var created int64
	err = tx.QueryRow(qUpsertBlob, c.seq, name, content, info.ETag, ticks, props.ContentType, props.ContentEncoding,
		props.ContentLanguage, props.ContentDisposition, props.CacheControl, nullBytes(props.ContentMD5)).Scan(&created)
	if err != nil {
		return industrydata.BlobInfo{}, err
	}
	info.Created = industrydata.FromTicks(created)
	return info, s.dropBlocks(tx, c.seq, name)
}

// blobKey names blob name of container seq for Tx.Lock.
func blobKey(container int64, name string) string {
	return strconv.FormatInt(container, 10) + "/" + name
}

// dropBlocks deletes blob name's uncommitted blocks.
func (s *Store) dropBlocks(tx Tx, container int64, name string) error {
	if _, err := tx.Exec(qDropBlockPieces, container, name); err != nil {
		return err
	}
	_, err := tx.Exec(qDropBlocks, container, name)
	return err
}

// PutBlob streams r into the blob name (see industrydata.UploadStore). A
// body shorter than a group of chunks (4 MiB: most roster files) is stored
// and committed in one transaction, one fsync; a longer one is staged a
// group at a time and committed with its last group.
func (s *Store) PutBlob(ctx context.Context, containerID, name string, r io.Reader, lim industrydata.UploadLimits, props industrydata.BlobProps) (industrydata.BlobInfo, error) {
	c, err := s.getContainer(ctx, containerID)
	if err != nil {
		return industrydata.BlobInfo{}, s.errorf("put blob %s: %w", name, err)
	}
	var info industrydata.BlobInfo
	err = s.streamPiece(ctx, c, r, lim.MaxBlobBytes, putBlobS2Below, func(tx Tx, p piece) error {
		var err error
		info, err = s.commitStaged(tx, c, name, p, props)
		return err
	})
	if err != nil {
		return industrydata.BlobInfo{}, s.errorf("put blob %s: %w", name, err)
	}
	return info, nil
}

// commitStaged makes staged piece p stored and the blob name's content,
// in tx. A Put Blob's Content-MD5 property, unless the client set one, is
// the MD5 of what was read.
func (s *Store) commitStaged(tx Tx, c containerRow, name string, p piece, props industrydata.BlobProps) (industrydata.BlobInfo, error) {
	if len(props.ContentMD5) == 0 {
		props.ContentMD5 = p.md5
	}
	if err := s.storePiece(tx, p); err != nil {
		return industrydata.BlobInfo{}, err
	}
	done := false
	return s.commitContent(tx, c, name, props, func() (piece, sql.NullString, bool, error) {
		if done {
			return piece{}, sql.NullString{}, false, nil
		}
		done = true
		return p, sql.NullString{}, true, nil
	})
}

// PutBlock streams r into an uncommitted block of blob name.
func (s *Store) PutBlock(ctx context.Context, containerID, name, blockID string, r io.Reader, lim industrydata.UploadLimits) ([]byte, error) {
	c, err := s.getContainer(ctx, containerID)
	if err != nil {
		return nil, s.errorf("put block of %s: %w", name, err)
	}
	// Refused before any byte is read when the blob has too many blocks
	// already; checked again when the block is added.
	var count, total int64
	if err := s.b.QueryRow(ctx, qOtherBlocks, c.seq, name, blockID).Scan(&count, &total); err != nil {
		return nil, s.errorf("put block of %s: %w", name, err)
	}
	if lim.MaxBlocks > 0 && count >= int64(lim.MaxBlocks) {
		return nil, s.errorf("put block of %s: %d uncommitted blocks: %w", name, count, industrydata.ErrTooManyBlocks)
	}
	var sum []byte
	err = s.streamPiece(ctx, c, r, lim.MaxBlockBytes, putBlockS2Below, func(tx Tx, p piece) error {
		// The blob's blocks change one write at a time, so the counts
		// below hold until this one commits.
		if err := tx.Lock("blob", blobKey(c.seq, name)); err != nil {
			return err
		}
		if err := s.storePiece(tx, p); err != nil {
			return err
		}
		var count, total int64
		if err := tx.QueryRow(qOtherBlocks, c.seq, name, blockID).Scan(&count, &total); err != nil {
			return err
		}
		if lim.MaxBlocks > 0 && count >= int64(lim.MaxBlocks) {
			return fmt.Errorf("%d uncommitted blocks: %w", count, industrydata.ErrTooManyBlocks)
		}
		if lim.MaxBlobBytes > 0 && total+p.size > lim.MaxBlobBytes {
			return fmt.Errorf("uncommitted blocks of more than %d bytes: %w", lim.MaxBlobBytes, industrydata.ErrTooLarge)
		}
		var old, oldSize int64
		err := tx.QueryRow(qBlockPiece, c.seq, name, blockID).Scan(&old, &oldSize)
		if err != nil && !errors.Is(err, s.d.NoRows) {
			return err
		}
		if _, err := tx.Exec(qUpsertBlock, c.seq, name, blockID, p.seq, p.size, industrydata.Ticks(s.clock.Now())); err != nil {
			return err
		}
		if old != 0 {
			if _, err := tx.Exec(qDropPieceUnused, old); err != nil {
				return err
			}
		}
		sum = p.md5
		return nil
	})
	if err != nil {
		return nil, s.errorf("put block of %s: %w", name, err)
	}
	return sum, nil
}

// CommitBlockList commits blocks as the blob's new content.
func (s *Store) CommitBlockList(ctx context.Context, containerID, name string, blocks []industrydata.BlockRef, lim industrydata.UploadLimits, props industrydata.BlobProps) (industrydata.BlobInfo, error) {
	if lim.MaxBlocks > 0 && len(blocks) > lim.MaxBlocks {
		return industrydata.BlobInfo{}, s.errorf("commit %s: %d blocks: %w", name, len(blocks), industrydata.ErrTooManyBlocks)
	}
	var info industrydata.BlobInfo
	err := s.b.Write(ctx, func(tx Tx) error {
		c, err := s.containerInTx(tx, containerID)
		if err != nil {
			return err
		}
		if err := tx.Lock("blob", blobKey(c.seq, name)); err != nil {
			return err
		}
		var current sql.NullInt64
		if err := tx.QueryRow(qBlobContent, c.seq, name).Scan(&current); err != nil && !errors.Is(err, s.d.NoRows) {
			return err
		}
		i, total := 0, int64(0)
		info, err = s.commitContent(tx, c, name, props, func() (piece, sql.NullString, bool, error) {
			if i == len(blocks) {
				return piece{}, sql.NullString{}, false, nil
			}
			b := blocks[i]
			i++
			p, err := s.findBlock(tx, c.seq, name, current, b)
			if err != nil {
				return piece{}, sql.NullString{}, false, err
			}
			if total += p.size; lim.MaxBlobBytes > 0 && total > lim.MaxBlobBytes {
				return piece{}, sql.NullString{}, false, fmt.Errorf("more than %d bytes: %w", lim.MaxBlobBytes, industrydata.ErrTooLarge)
			}
			return p, sql.NullString{String: b.ID, Valid: true}, true, nil
		})
		return err
	})
	if err != nil {
		return industrydata.BlobInfo{}, s.errorf("commit %s: %w", name, err)
	}
	return info, nil
}

// findBlock looks block b of blob name up in the list it names.
func (s *Store) findBlock(tx Tx, container int64, name string, current sql.NullInt64, b industrydata.BlockRef) (piece, error) {
	var p piece
	if b.From != industrydata.BlockCommitted {
		err := tx.QueryRow(qBlockPiece, container, name, b.ID).Scan(&p.seq, &p.size)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, s.d.NoRows) {
			return piece{}, err
		}
	}
	if b.From != industrydata.BlockUncommitted && current.Valid {
		err := tx.QueryRow(qCommittedBlock, current.Int64, b.ID).Scan(&p.seq, &p.size)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, s.d.NoRows) {
			return piece{}, err
		}
	}
	return piece{}, fmt.Errorf("block %s: %w", industrydata.Shorten(b.ID, 100), industrydata.ErrInvalidBlockList)
}

// containerInTx looks container id up inside a write: ErrNotFound once it
// is discarded.
func (s *Store) containerInTx(tx Tx, id string) (containerRow, error) {
	var (
		c                containerRow
		tenant           string
		created, expires int64
	)
	if err := tx.QueryRow(qGetUploadContainer, id).Scan(&c.seq, &c.ID, &tenant, &c.ConnectorID, &created, &expires); err != nil {
		return containerRow{}, s.translate(err)
	}
	c.Tenant = industrydata.TenantID(tenant)
	c.Created, c.Expires = industrydata.FromTicks(created), industrydata.FromTicks(expires)
	return c, nil
}

// ListBlobs returns the container's committed blobs by name.
func (s *Store) ListBlobs(ctx context.Context, containerID string) ([]industrydata.BlobInfo, error) {
	c, err := s.getContainer(ctx, containerID)
	if err != nil {
		return nil, s.errorf("list blobs: %w", err)
	}
	out := []industrydata.BlobInfo{}
	err = s.b.Each(ctx, qListBlobs, []any{c.seq}, func(row Scanner) error {
		b, err := scanBlob(row)
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, s.errorf("list blobs: %w", err)
	}
	return out, nil
}

// GetBlob returns one committed blob.
func (s *Store) GetBlob(ctx context.Context, containerID, name string) (industrydata.BlobInfo, error) {
	c, err := s.getContainer(ctx, containerID)
	if err != nil {
		return industrydata.BlobInfo{}, s.errorf("get blob %s: %w", name, err)
	}
	b, err := scanBlob(s.b.QueryRow(ctx, qGetBlob, c.seq, name))
	if err != nil {
		return industrydata.BlobInfo{}, s.errorf("get blob %s: %w", name, s.translate(err))
	}
	return b, nil
}

func scanBlob(r Scanner) (industrydata.BlobInfo, error) {
	var (
		b                 industrydata.BlobInfo
		created, modified int64
	)
	err := r.Scan(&b.Name, &b.ContentID, &b.Size, &b.ETag, &created, &modified, &b.Props.ContentType,
		&b.Props.ContentEncoding, &b.Props.ContentLanguage, &b.Props.ContentDisposition, &b.Props.CacheControl,
		&b.Props.ContentMD5)
	b.Created, b.LastModified = industrydata.FromTicks(created), industrydata.FromTicks(modified)
	return b, err
}

// DeleteBlob deletes the blob name and its uncommitted blocks.
func (s *Store) DeleteBlob(ctx context.Context, containerID, name string) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		c, err := s.containerInTx(tx, containerID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(qDeleteBlob, c.seq, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, industrydata.ErrNotFound)
		}
		return s.dropBlocks(tx, c.seq, name)
	})
	if err != nil {
		return s.errorf("delete blob %s: %w", name, err)
	}
	return nil
}

// nullBytes is NULL for an empty slice.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
