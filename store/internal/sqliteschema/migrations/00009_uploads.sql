-- +goose Up
-- Upload containers (industrydata.UploadStore): where schools upload their
-- OneRoster files through a fileUploadSession's sessionUrl, the blobs and
-- blocks in them, and each connector's validated set.
--
-- Bytes live in pieces: the body of one Put Blob or one Put Block, stored
-- in chunks over several write transactions while it streams in ('staging',
-- invisible), then made 'stored' in the transaction that uses it. A
-- committed blob's content is an ordered list of pieces, so Put Block List
-- commits blocks without copying their bytes.
--
-- A container is discarded (a new session, a reset) by deleting its row:
-- its blobs and uncommitted blocks go with it (cascade), and the same
-- transaction deletes its contents and pieces, except those a validated
-- set holds. Pieces and contents therefore name their container without a
-- foreign key. Every seq is AUTOINCREMENT, so that a reader streaming
-- something deleted meanwhile finds it gone rather than something else.

CREATE TABLE upload_containers (
    seq           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,
    tenant        TEXT    NOT NULL,
    connector_id  TEXT    NOT NULL,
    created_ticks INTEGER NOT NULL,
    expires_ticks INTEGER NOT NULL
) STRICT;

-- A connector's containers (one, but for a moment inside the transaction
-- that replaces it).
CREATE INDEX upload_containers_connector ON upload_containers (tenant, connector_id);

-- The bytes of one request body. md5 is computed while it streams in.
CREATE TABLE upload_pieces (
    seq       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant    TEXT    NOT NULL,
    container INTEGER NOT NULL,
    size      INTEGER NOT NULL DEFAULT 0,
    md5       BLOB,
    state     TEXT    NOT NULL CHECK (state IN ('staging', 'stored'))
) STRICT;

-- A container's pieces, for its discarding.
CREATE INDEX upload_pieces_container ON upload_pieces (container);

-- A piece's bytes in chunks numbered from 0, each of the store's chunk
-- size but the last (an empty piece has none), compressed (package zblob).
-- A rowid table, as for roster chunks: the rows are large blobs.
CREATE TABLE upload_chunks (
    piece INTEGER NOT NULL REFERENCES upload_pieces (seq) ON DELETE CASCADE,
    n     INTEGER NOT NULL,
    data  BLOB    NOT NULL,
    PRIMARY KEY (piece, n)
) STRICT;

-- Uncommitted blocks: one per (blob, block id), the latest Put Block.
CREATE TABLE upload_blocks (
    container INTEGER NOT NULL REFERENCES upload_containers (seq) ON DELETE CASCADE,
    blob      TEXT    NOT NULL,
    block_id  TEXT    NOT NULL,
    piece     INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    PRIMARY KEY (container, blob, block_id)
) STRICT, WITHOUT ROWID;

-- Committed content: immutable; id is the ContentID callers read it by.
CREATE TABLE upload_contents (
    seq           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,
    tenant        TEXT    NOT NULL,
    container     INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    created_ticks INTEGER NOT NULL
) STRICT;

CREATE INDEX upload_contents_container ON upload_contents (container);

-- A content's pieces in order (n from 0); block_id is the block the piece
-- was committed as (NULL for a Put Blob), the committed block list.
CREATE TABLE upload_content_pieces (
    content  INTEGER NOT NULL REFERENCES upload_contents (seq) ON DELETE CASCADE,
    n        INTEGER NOT NULL,
    piece    INTEGER NOT NULL,
    block_id TEXT,
    PRIMARY KEY (content, n)
) STRICT, WITHOUT ROWID;

-- "Does any content use this piece?" when pieces are deleted, and the
-- committed block lookup of Put Block List.
CREATE INDEX upload_content_pieces_piece ON upload_content_pieces (piece);
CREATE INDEX upload_content_pieces_block ON upload_content_pieces (content, block_id);

-- A container's committed blobs: each name's current content and the
-- properties it was committed with.
CREATE TABLE upload_blobs (
    container           INTEGER NOT NULL REFERENCES upload_containers (seq) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    content             INTEGER NOT NULL,
    etag                TEXT    NOT NULL,
    created_ticks       INTEGER NOT NULL,
    modified_ticks      INTEGER NOT NULL,
    content_type        TEXT    NOT NULL,
    content_encoding    TEXT    NOT NULL,
    content_language    TEXT    NOT NULL,
    content_disposition TEXT    NOT NULL,
    cache_control       TEXT    NOT NULL,
    content_md5         BLOB,
    PRIMARY KEY (container, name)
) STRICT, WITHOUT ROWID;

-- A connector's validated set: the contents a validation read. It keeps
-- them (and their pieces) whatever becomes of their container.
CREATE TABLE upload_validated (
    tenant       TEXT    NOT NULL,
    connector_id TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    content      INTEGER NOT NULL REFERENCES upload_contents (seq),
    PRIMARY KEY (tenant, connector_id, name)
) STRICT, WITHOUT ROWID;

CREATE INDEX upload_validated_content ON upload_validated (content);

-- +goose Down
DROP INDEX upload_validated_content;
DROP TABLE upload_validated;
DROP TABLE upload_blobs;
DROP INDEX upload_content_pieces_block;
DROP INDEX upload_content_pieces_piece;
DROP TABLE upload_content_pieces;
DROP INDEX upload_contents_container;
DROP TABLE upload_contents;
DROP TABLE upload_blocks;
DROP TABLE upload_chunks;
DROP INDEX upload_pieces_container;
DROP TABLE upload_pieces;
DROP INDEX upload_containers_connector;
DROP TABLE upload_containers;
