-- +goose Up
-- The audit log: one row per entity a write created, changed or deleted,
-- appended in the transaction of the write (see audit.go). Version 5 is a Go
-- migration (migrate_blocks.go).
--
-- seq orders the log and is an exporter's cursor. No AUTOINCREMENT, which
-- would cost every write a sqlite_sequence update: rows are never deleted,
-- and a retention job, deleting the oldest but keeping the newest, would
-- never let a seq be reused either. time_ticks never decreases along seq (the insert
-- makes it so), which is how "since" finds its start without an index of
-- its own. principal, app and request_id are '' when unknown; system is 1
-- for a write the service made on its own account. changes is a JSON array
-- of {"property", "old", "new"} objects holding Graph JSON values.
CREATE TABLE audit (
    seq         INTEGER NOT NULL PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    time_ticks  INTEGER NOT NULL,
    principal   TEXT    NOT NULL,
    app         TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    system      INTEGER NOT NULL CHECK (system IN (0, 1)),
    action      TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete', 'start')),
    entity_type TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    parent_id   TEXT    NOT NULL,
    changes     TEXT    NOT NULL
) STRICT;

-- One tenant's records in order: a range scan from the cursor, no sort.
CREATE INDEX audit_tenant_seq ON audit (tenant, seq);

-- +goose Down
DROP INDEX audit_tenant_seq;
DROP TABLE audit;
