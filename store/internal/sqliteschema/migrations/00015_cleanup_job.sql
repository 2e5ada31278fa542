-- +goose Up
-- The cleanup is a job of the queue (industrydata.JobCleanup), of no
-- tenant: its row has tenant '' and operation_id '' (it follows no
-- operation), and the id 'cleanup', so that UNIQUE (tenant, kind, id)
-- holds one at most and replicas queueing it at once queue one job
-- (INSERT ... ON CONFLICT DO NOTHING). An empty tenant rather than NULL
-- keeps the claim's fence (tenant = ?) as it is for every kind. SQLite
-- cannot change a CHECK in place: the table is rebuilt, rows, leases and
-- seqs kept.
CREATE TABLE jobs_new (
    seq                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant              TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('run', 'validation', 'cleanup')),
    id                  TEXT    NOT NULL,
    subject             TEXT    NOT NULL,
    operation_id        TEXT    NOT NULL,
    payload             BLOB,
    lease_owner         TEXT,
    lease_expires_ticks INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant, kind, id),
    CHECK ((kind = 'cleanup') = (tenant = ''))
) STRICT;
INSERT INTO jobs_new (seq, tenant, kind, id, subject, operation_id, payload, lease_owner, lease_expires_ticks, attempts)
SELECT seq, tenant, kind, id, subject, operation_id, payload, lease_owner, lease_expires_ticks, attempts FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_claim ON jobs (lease_expires_ticks, seq);
CREATE INDEX jobs_kind_claim ON jobs (kind, lease_expires_ticks, seq);

-- +goose Down
DELETE FROM jobs WHERE kind = 'cleanup';
CREATE TABLE jobs_old (
    seq                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant              TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('run', 'validation')),
    id                  TEXT    NOT NULL,
    subject             TEXT    NOT NULL,
    operation_id        TEXT    NOT NULL,
    payload             BLOB,
    lease_owner         TEXT,
    lease_expires_ticks INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant, kind, id)
) STRICT;
INSERT INTO jobs_old (seq, tenant, kind, id, subject, operation_id, payload, lease_owner, lease_expires_ticks, attempts)
SELECT seq, tenant, kind, id, subject, operation_id, payload, lease_owner, lease_expires_ticks, attempts FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
CREATE INDEX jobs_claim ON jobs (lease_expires_ticks, seq);
CREATE INDEX jobs_kind_claim ON jobs (kind, lease_expires_ticks, seq);
