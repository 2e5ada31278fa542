-- +goose Up
-- The PostgreSQL store's schema: the SQLite store's (store/sqlite/migrations)
-- as it stands after its migration 12, in PostgreSQL's terms. Every text
-- column is COLLATE "C", so that strings compare and sort byte-wise as
-- SQLite's BINARY collation does (package sqlq relies on it), whatever the
-- database's default collation. Timestamps are ticks (bigint), as on SQLite.
-- seq columns are identity columns (sequences): the insertion order and
-- keyset paging key, never reused.

CREATE TABLE tenants (
    id                text COLLATE "C" NOT NULL PRIMARY KEY,
    provisioned_ticks bigint NOT NULL
);

CREATE TABLE operations (
    seq               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant            text COLLATE "C" NOT NULL,
    id                text COLLATE "C" NOT NULL,
    type              text COLLATE "C" NOT NULL,
    etag              text COLLATE "C" NOT NULL,
    created_ticks     bigint NOT NULL,
    last_action_ticks bigint,
    status            text COLLATE "C" NOT NULL,
    status_detail     text COLLATE "C",
    resource_location text COLLATE "C",
    -- a fileValidateOperation's findings as a JSON object; NULL for others
    validation        text COLLATE "C",
    UNIQUE (tenant, id)
);
CREATE INDEX operations_tenant_seq ON operations (tenant, seq);
CREATE INDEX operations_tenant_status_created ON operations (tenant, status, created_ticks, seq);
CREATE INDEX operations_tenant_created ON operations (tenant, created_ticks, seq);

-- singleton_key is the type name of a system process and NULL otherwise:
-- one system process of each type per tenant (NULLs are distinct).
CREATE TABLE processes (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant           text COLLATE "C" NOT NULL,
    id               text COLLATE "C" NOT NULL,
    type             text COLLATE "C" NOT NULL,
    etag             text COLLATE "C" NOT NULL,
    display_name     text COLLATE "C" NOT NULL,
    readiness_status text COLLATE "C" NOT NULL,
    created_ticks    bigint NOT NULL,
    singleton_key    text COLLATE "C",
    UNIQUE (tenant, id),
    UNIQUE (tenant, singleton_key)
);
CREATE INDEX processes_tenant_seq ON processes (tenant, seq);

CREATE TABLE runs (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant         text COLLATE "C" NOT NULL,
    id             text COLLATE "C" NOT NULL,
    process_id     text COLLATE "C" NOT NULL,
    operation_id   text COLLATE "C" NOT NULL,
    etag           text COLLATE "C" NOT NULL,
    display_name   text COLLATE "C" NOT NULL,
    start_ticks    bigint NOT NULL,
    end_ticks      bigint,
    status         text COLLATE "C" NOT NULL,
    blocking_error text COLLATE "C",
    UNIQUE (tenant, id)
);
CREATE INDEX runs_tenant_process_start ON runs (tenant, process_id, start_ticks, seq);
CREATE INDEX runs_tenant_start ON runs (tenant, start_ticks, seq);
-- A tenant has one run in progress at most: a partial unique index, the
-- guard that holds whatever replicas race.
CREATE UNIQUE INDEX runs_one_in_progress ON runs (tenant) WHERE status = 'running';

-- The activities of a run (run = the run's seq), seq from 1.
CREATE TABLE run_activities (
    run            bigint NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
    seq            bigint NOT NULL,
    id             text COLLATE "C" NOT NULL,
    flow_id        text COLLATE "C" NOT NULL,
    display_name   text COLLATE "C" NOT NULL,
    status         text COLLATE "C" NOT NULL,
    blocking_error text COLLATE "C",
    counts         text COLLATE "C",
    PRIMARY KEY (run, seq),
    UNIQUE (run, id)
);

-- The user report of a run (report = the run's seq), stored by FinishRun.
CREATE TABLE user_reports (
    report        bigint NOT NULL PRIMARY KEY,
    tenant        text COLLATE "C" NOT NULL,
    run_id        text COLLATE "C" NOT NULL,
    process_id    text COLLATE "C" NOT NULL,
    etag          text COLLATE "C" NOT NULL,
    created_ticks bigint NOT NULL,
    summary       text COLLATE "C" NOT NULL,
    UNIQUE (tenant, run_id)
);

-- The entries of a report in blocks of consecutive entries (package
-- entryblock, compressed already: stored as they are, not compressed by
-- TOAST again).
CREATE TABLE report_blocks (
    report    bigint NOT NULL,
    first_seq bigint NOT NULL,
    entries   integer NOT NULL CHECK (entries > 0),
    data      bytea NOT NULL,
    PRIMARY KEY (report, first_seq)
);
ALTER TABLE report_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The audit log. txn is the writing transaction's id (pg_current_xact_id):
-- the log is ordered by (txn, seq), and ListAudit shows only the records
-- of transactions below the oldest one still running, so that no record
-- can commit before one already shown.
CREATE TABLE audit (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txn         bigint NOT NULL,
    tenant      text COLLATE "C" NOT NULL,
    time_ticks  bigint NOT NULL,
    principal   text COLLATE "C" NOT NULL,
    app         text COLLATE "C" NOT NULL,
    request_id  text COLLATE "C" NOT NULL,
    system      boolean NOT NULL,
    action      text COLLATE "C" NOT NULL CHECK (action IN ('create', 'update', 'delete', 'start')),
    entity_type text COLLATE "C" NOT NULL,
    entity_id   text COLLATE "C" NOT NULL,
    parent_id   text COLLATE "C" NOT NULL,
    changes     text COLLATE "C" NOT NULL
);
CREATE INDEX audit_txn_seq ON audit (txn, seq);
CREATE INDEX audit_tenant_txn_seq ON audit (tenant, txn, seq);

CREATE TABLE resources (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant   text COLLATE "C" NOT NULL,
    set_name text COLLATE "C" NOT NULL,
    id       text COLLATE "C" NOT NULL,
    type     text COLLATE "C" NOT NULL,
    etag     text COLLATE "C" NOT NULL,
    doc      bytea NOT NULL,
    UNIQUE (tenant, set_name, id)
);
CREATE INDEX resources_tenant_set_seq ON resources (tenant, set_name, seq);

-- seq keeps a resource's references of one property in the order given.
CREATE TABLE resource_refs (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant   text COLLATE "C" NOT NULL,
    from_set text COLLATE "C" NOT NULL,
    from_id  text COLLATE "C" NOT NULL,
    property text COLLATE "C" NOT NULL,
    to_set   text COLLATE "C" NOT NULL,
    to_id    text COLLATE "C" NOT NULL
);
CREATE INDEX resource_refs_from ON resource_refs (tenant, from_set, from_id, property, seq);
CREATE INDEX resource_refs_to ON resource_refs (tenant, to_set, to_id);

CREATE TABLE upload_containers (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    tenant        text COLLATE "C" NOT NULL,
    connector_id  text COLLATE "C" NOT NULL,
    created_ticks bigint NOT NULL,
    expires_ticks bigint NOT NULL
);
CREATE INDEX upload_containers_connector ON upload_containers (tenant, connector_id);

CREATE TABLE upload_pieces (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant    text COLLATE "C" NOT NULL,
    container bigint NOT NULL,
    size      bigint NOT NULL DEFAULT 0,
    md5       bytea,
    state     text COLLATE "C" NOT NULL CHECK (state IN ('staging', 'stored'))
);
CREATE INDEX upload_pieces_container ON upload_pieces (container);

-- A piece's bytes in chunks (compressed by package zblob, so not by TOAST).
CREATE TABLE upload_chunks (
    piece bigint NOT NULL REFERENCES upload_pieces (seq) ON DELETE CASCADE,
    n     bigint NOT NULL,
    data  bytea NOT NULL,
    PRIMARY KEY (piece, n)
);
ALTER TABLE upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE upload_blocks (
    container bigint NOT NULL REFERENCES upload_containers (seq) ON DELETE CASCADE,
    blob      text COLLATE "C" NOT NULL,
    block_id  text COLLATE "C" NOT NULL,
    piece     bigint NOT NULL,
    size      bigint NOT NULL,
    PRIMARY KEY (container, blob, block_id)
);

CREATE TABLE upload_contents (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    tenant        text COLLATE "C" NOT NULL,
    container     bigint NOT NULL,
    size          bigint NOT NULL,
    created_ticks bigint NOT NULL
);
CREATE INDEX upload_contents_container ON upload_contents (container);

CREATE TABLE upload_content_pieces (
    content  bigint NOT NULL REFERENCES upload_contents (seq) ON DELETE CASCADE,
    n        bigint NOT NULL,
    piece    bigint NOT NULL,
    block_id text COLLATE "C",
    PRIMARY KEY (content, n)
);
CREATE INDEX upload_content_pieces_piece ON upload_content_pieces (piece);
CREATE INDEX upload_content_pieces_block ON upload_content_pieces (content, block_id);

CREATE TABLE upload_blobs (
    container           bigint NOT NULL REFERENCES upload_containers (seq) ON DELETE CASCADE,
    name                text COLLATE "C" NOT NULL,
    content             bigint NOT NULL,
    etag                text COLLATE "C" NOT NULL,
    created_ticks       bigint NOT NULL,
    modified_ticks      bigint NOT NULL,
    content_type        text COLLATE "C" NOT NULL,
    content_encoding    text COLLATE "C" NOT NULL,
    content_language    text COLLATE "C" NOT NULL,
    content_disposition text COLLATE "C" NOT NULL,
    cache_control       text COLLATE "C" NOT NULL,
    content_md5         bytea,
    PRIMARY KEY (container, name)
);

CREATE TABLE upload_validated (
    tenant       text COLLATE "C" NOT NULL,
    connector_id text COLLATE "C" NOT NULL,
    name         text COLLATE "C" NOT NULL,
    content      bigint NOT NULL REFERENCES upload_contents (seq),
    PRIMARY KEY (tenant, connector_id, name)
);
CREATE INDEX upload_validated_content ON upload_validated (content);

-- The job queue. A job is free when lease_expires_ticks is NULL.
CREATE TABLE jobs (
    seq                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant              text COLLATE "C" NOT NULL,
    kind                text COLLATE "C" NOT NULL CHECK (kind IN ('run', 'validation')),
    id                  text COLLATE "C" NOT NULL,
    subject             text COLLATE "C" NOT NULL,
    operation_id        text COLLATE "C" NOT NULL,
    payload             bytea,
    lease_owner         text COLLATE "C",
    lease_expires_ticks bigint,
    attempts            integer NOT NULL DEFAULT 0,
    UNIQUE (tenant, kind, id)
);
-- ClaimJob: free leases first (NULLS FIRST, as SQLite sorts them), then
-- the longest-expired, taken with FOR UPDATE SKIP LOCKED.
CREATE INDEX jobs_claim ON jobs (lease_expires_ticks NULLS FIRST, seq);
CREATE INDEX jobs_kind_claim ON jobs (kind, lease_expires_ticks NULLS FIRST, seq);
CREATE INDEX jobs_subject ON jobs (tenant, kind, subject);

CREATE TABLE flow_files (
    tenant   text COLLATE "C" NOT NULL,
    flow_id  text COLLATE "C" NOT NULL,
    run      bigint NOT NULL,
    activity bigint NOT NULL,
    name     text COLLATE "C" NOT NULL,
    content  bigint NOT NULL REFERENCES upload_contents (seq),
    state    text COLLATE "C" NOT NULL CHECK (state IN ('importing', 'current')),
    PRIMARY KEY (tenant, flow_id, run, activity, name)
);
CREATE INDEX flow_files_importing ON flow_files (run) WHERE state = 'importing';
CREATE INDEX flow_files_content ON flow_files (content);

CREATE TABLE flow_data (
    tenant         text COLLATE "C" NOT NULL,
    flow_id        text COLLATE "C" NOT NULL,
    run_id         text COLLATE "C" NOT NULL,
    imported_ticks bigint NOT NULL,
    counts         text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, flow_id)
);

-- Rows locked (upserted) to serialize the writes whose check no other row
-- carries: a set's size against its quota, a connector's container, a
-- connector's validation in progress (see lockKey).
CREATE TABLE locks (
    scope text COLLATE "C" NOT NULL,
    key   text COLLATE "C" NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE locks;
DROP TABLE flow_data;
DROP TABLE flow_files;
DROP TABLE jobs;
DROP TABLE upload_validated;
DROP TABLE upload_blobs;
DROP TABLE upload_content_pieces;
DROP TABLE upload_contents;
DROP TABLE upload_blocks;
DROP TABLE upload_chunks;
DROP TABLE upload_pieces;
DROP TABLE upload_containers;
DROP TABLE resource_refs;
DROP TABLE resources;
DROP TABLE audit;
DROP TABLE report_blocks;
DROP TABLE user_reports;
DROP TABLE run_activities;
DROP TABLE runs;
DROP TABLE processes;
DROP TABLE operations;
DROP TABLE tenants;
