package sqlcore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"industrydata"
)

// Upload containers, their blobs and validated sets (migration 00009,
// industrydata.UploadStore). This file keeps the containers and validated
// sets; upload_blobs.go the blob operations; upload_content.go the bytes.

const (
	qGetUploadContainer = `SELECT seq, id, tenant, connector_id, created_ticks, expires_ticks
	FROM upload_containers WHERE id = ?`
	qConnectorContainers = `SELECT seq, id, created_ticks, expires_ticks FROM upload_containers
	WHERE tenant = ? AND connector_id = ? ORDER BY seq DESC`
	qInsertUploadContainer = `INSERT INTO upload_containers (id, tenant, connector_id, created_ticks, expires_ticks)
	VALUES (?, ?, ?, ?, ?)`
	qContainerExists = `SELECT 1 FROM upload_containers WHERE seq = ?`

	// Discarding container ?1: the row (its blobs and blocks cascade), the
	// contents no validated set or flow file holds (their piece lists
	// cascade), then the pieces no remaining content uses (their chunks
	// cascade), staging ones included.
	qDeleteContainer        = `DELETE FROM upload_containers WHERE seq = ?1`
	qDeleteContainerContent = `DELETE FROM upload_contents WHERE container = ?1
	AND NOT EXISTS (SELECT 1 FROM upload_validated v WHERE v.content = upload_contents.seq)
	AND NOT EXISTS (SELECT 1 FROM flow_files f WHERE f.content = upload_contents.seq)`
	qDeleteUnusedPieces = `DELETE FROM upload_pieces WHERE container = ?1
	AND NOT EXISTS (SELECT 1 FROM upload_content_pieces cp WHERE cp.piece = upload_pieces.seq)`

	qValidatedContents = `SELECT content FROM upload_validated WHERE tenant = ? AND connector_id = ?`
	qDeleteValidated   = `DELETE FROM upload_validated WHERE tenant = ? AND connector_id = ?`
	qTenantContent     = `SELECT seq FROM upload_contents WHERE tenant = ? AND id = ?`
	qInsertValidated   = `INSERT INTO upload_validated (tenant, connector_id, name, content) VALUES (?, ?, ?, ?)`
	// qDeleteOrphanContent deletes content ?1 when no validated set or
	// flow file holds it and its container is gone, and returns that
	// container.
	qDeleteOrphanContent = `DELETE FROM upload_contents WHERE seq = ?1
	AND NOT EXISTS (SELECT 1 FROM upload_validated v WHERE v.content = ?1)
	AND NOT EXISTS (SELECT 1 FROM flow_files f WHERE f.content = ?1)
	AND NOT EXISTS (SELECT 1 FROM upload_containers k WHERE k.seq = upload_contents.container)
	RETURNING container`
	qValidatedFiles = `SELECT v.name, c.id, c.size FROM upload_validated v
	JOIN upload_contents c ON c.seq = v.content
	WHERE v.tenant = ? AND v.connector_id = ? ORDER BY v.name`
)

// containerRow is a container as the blob operations need it.
type containerRow struct {
	seq int64
	industrydata.UploadContainer
}

// getContainer looks a container up by id on the reader pool.
func (s *Store) getContainer(ctx context.Context, id string) (containerRow, error) {
	var (
		c                containerRow
		tenant           string
		created, expires int64
	)
	err := s.b.QueryRow(ctx, qGetUploadContainer, id).Scan(&c.seq, &c.ID, &tenant, &c.ConnectorID, &created, &expires)
	if err != nil {
		return containerRow{}, s.translate(err)
	}
	c.Tenant = industrydata.TenantID(tenant)
	c.Created, c.Expires = industrydata.FromTicks(created), industrydata.FromTicks(expires)
	return c, nil
}

// GetUploadContainer returns a container by id, whatever its tenant.
func (s *Store) GetUploadContainer(ctx context.Context, id string) (industrydata.UploadContainer, error) {
	c, err := s.getContainer(ctx, id)
	if err != nil {
		return industrydata.UploadContainer{}, s.errorf("get upload container %s: %w", id, err)
	}
	return c.UploadContainer, nil
}

// qValidContainer is the connector's newest container valid at ?3.
const qValidContainer = `SELECT id, created_ticks, expires_ticks FROM upload_containers
	WHERE tenant = ?1 AND connector_id = ?2 AND expires_ticks > ?3 ORDER BY seq DESC LIMIT 1`

// UploadContainerOf returns the connector's container valid at now, or
// ErrNotFound (see industrydata.UploadStore).
func (s *Store) UploadContainerOf(ctx context.Context, tenant industrydata.TenantID, connectorID string, now time.Time) (industrydata.UploadContainer, error) {
	_, nowTicks, err := encodeTime("now", now)
	if err != nil {
		return industrydata.UploadContainer{}, s.errorf("upload container of %s: %w", connectorID, err)
	}
	out := industrydata.UploadContainer{Tenant: tenant, ConnectorID: connectorID}
	var c, e int64
	if err := s.b.QueryRow(ctx, qValidContainer, string(tenant), connectorID, nowTicks).Scan(&out.ID, &c, &e); err != nil {
		return industrydata.UploadContainer{}, s.errorf("upload container of %s: %w", connectorID, s.translate(err))
	}
	out.Created, out.Expires = industrydata.FromTicks(c), industrydata.FromTicks(e)
	return out, nil
}

// CurrentUploadContainer returns the connector's valid container, or
// creates one discarding the others (see industrydata.UploadStore).
func (s *Store) CurrentUploadContainer(ctx context.Context, tenant industrydata.TenantID, connectorID string, now time.Time, ttl time.Duration, reset bool) (industrydata.UploadContainer, bool, error) {
	if ttl <= 0 {
		return industrydata.UploadContainer{}, false, s.errorf("upload container: ttl %s must be positive", ttl)
	}
	created, createdTicks, err := encodeTime("created", now)
	if err != nil {
		return industrydata.UploadContainer{}, false, s.errorf("upload container: %w", err)
	}
	expires, expiresTicks, err := encodeTime("expires", created.Add(ttl))
	if err != nil {
		return industrydata.UploadContainer{}, false, s.errorf("upload container: %w", err)
	}
	out := industrydata.UploadContainer{Tenant: tenant, ConnectorID: connectorID}
	var made bool
	err = s.b.Write(ctx, func(tx Tx) error {
		made, out.ID = false, ""
		// One write at a time looks at and replaces a connector's
		// containers, so a connector never ends up with two.
		if err := tx.Lock("container", string(tenant)+"/"+connectorID); err != nil {
			return err
		}
		var seqs []int64
		err := tx.Each(qConnectorContainers, []any{string(tenant), connectorID}, func(rows Scanner) error {
			var (
				seq, c, e int64
				id        string
			)
			if err := rows.Scan(&seq, &id, &c, &e); err != nil {
				return err
			}
			if len(seqs) == 0 && !reset && e > createdTicks {
				out.ID, out.Created, out.Expires = id, industrydata.FromTicks(c), industrydata.FromTicks(e)
			}
			seqs = append(seqs, seq)
			return nil
		})
		if err != nil {
			return err
		}
		if out.ID != "" {
			return nil
		}
		for _, seq := range seqs {
			if err := s.discardContainer(tx, seq); err != nil {
				return err
			}
		}
		out.ID, out.Created, out.Expires = uuid.NewString(), created, expires
		if _, err := tx.Exec(qInsertUploadContainer, out.ID, string(tenant), connectorID, createdTicks, expiresTicks); err != nil {
			return err
		}
		made = true
		return nil
	})
	if err != nil {
		return industrydata.UploadContainer{}, false, s.errorf("upload container of %s: %w", connectorID, err)
	}
	return out, made, nil
}

// discardContainer deletes container seq and everything of it nothing
// else keeps (see migration 00009).
func (s *Store) discardContainer(tx Tx, seq int64) error {
	for _, q := range []string{qDeleteContainer, qDeleteContainerContent, qDeleteUnusedPieces} {
		if _, err := tx.Exec(q, seq); err != nil {
			return fmt.Errorf("discard container %d: %w", seq, err)
		}
	}
	return nil
}

// SetValidatedFiles replaces the connector's validated set.
func (s *Store) SetValidatedFiles(ctx context.Context, tenant industrydata.TenantID, connectorID string, files []industrydata.ValidatedFile) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		return s.setValidatedFiles(tx, tenant, connectorID, files)
	})
	if err != nil {
		return s.errorf("set validated files of %s: %w", connectorID, err)
	}
	return nil
}

// ValidatedFiles returns the connector's validated set, by name.
func (s *Store) ValidatedFiles(ctx context.Context, tenant industrydata.TenantID, connectorID string) ([]industrydata.ValidatedFile, error) {
	out := []industrydata.ValidatedFile{}
	err := s.b.Each(ctx, qValidatedFiles, []any{string(tenant), connectorID}, func(row Scanner) error {
		var f industrydata.ValidatedFile
		err := row.Scan(&f.Name, &f.ContentID, &f.Size)
		out = append(out, f)
		return err
	})
	if err != nil {
		return nil, s.errorf("validated files of %s: %w", connectorID, err)
	}
	return out, nil
}

// newBlobETag returns a blob's entity tag in the form Azure's have
// ("0x" and 16 hex digits), which clients treat as opaque.
func newBlobETag() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read crashes instead)
	return "0x" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// setValidatedFiles is SetValidatedFiles inside tx, for the writes that
// make a validated set as part of more (FinishValidation).
func (s *Store) setValidatedFiles(tx Tx, tenant industrydata.TenantID, connectorID string, files []industrydata.ValidatedFile) error {
	var old []int64
	err := tx.Each(qValidatedContents, []any{string(tenant), connectorID}, func(rows Scanner) error {
		var c int64
		err := rows.Scan(&c)
		old = append(old, c)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(qDeleteValidated, string(tenant), connectorID); err != nil {
		return err
	}
	for _, f := range files {
		var c int64
		if err := tx.QueryRow(qTenantContent, string(tenant), f.ContentID).Scan(&c); err != nil {
			return fmt.Errorf("content %s of %s: %w", f.ContentID, f.Name, s.translate(err))
		}
		if _, err := tx.Exec(qInsertValidated, string(tenant), connectorID, f.Name, c); err != nil {
			return fmt.Errorf("%s: %w", f.Name, s.translate(err))
		}
	}
	// What the old set alone kept goes now.
	return s.releaseContents(tx, old)
}

// releaseContents deletes, of contents that something held until now
// (a validated set, a flow's file), those nothing keeps any more (see
// qDeleteOrphanContent), with the pieces of their discarded containers
// that no content uses.
func (s *Store) releaseContents(tx Tx, contents []int64) error {
	for _, c := range contents {
		var container int64
		err := tx.QueryRow(qDeleteOrphanContent, c).Scan(&container)
		if errors.Is(err, s.d.NoRows) {
			continue // still kept
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(qDeleteUnusedPieces, container); err != nil {
			return err
		}
	}
	return nil
}
