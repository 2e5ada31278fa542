-- +goose Up
-- One queue for every job in progress (industrydata.JobStore): runs of
-- processes and validations of data connectors. A row exists while its job
-- is in progress: the write that starts a job inserts it, the write that
-- finishes it deletes it, in their transactions. id is the job's own id
-- (the run's, or the validation operation's), subject what it acts on (the
-- process, or the connector), operation_id the operation that follows it,
-- payload what the job needs to know that nothing else keeps (a
-- validation's files and codes), opaque to the store.
--
-- A job is free when lease_expires_ticks is NULL and held by lease_owner
-- until lease_expires_ticks otherwise; attempts counts the claims and
-- fences the lease (a worker whose lease was taken over matches no row).
CREATE TABLE jobs (
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

-- A claim takes the first job whose lease is free or expired: never-claimed
-- jobs (NULL sorts first) before orphans, the longest-expired first; with
-- kinds named, among those kinds.
CREATE INDEX jobs_claim ON jobs (lease_expires_ticks, seq);
CREATE INDEX jobs_kind_claim ON jobs (kind, lease_expires_ticks, seq);

-- The runs in progress become jobs, leases and attempts kept.
INSERT INTO jobs (tenant, kind, id, subject, operation_id, lease_owner, lease_expires_ticks, attempts)
SELECT tenant, 'run', id, process_id, operation_id, lease_owner, lease_expires_ticks, attempts
FROM runs WHERE status = 'running' ORDER BY seq;

DROP INDEX runs_claim;
ALTER TABLE runs DROP COLUMN lease_owner;
ALTER TABLE runs DROP COLUMN lease_expires_ticks;
ALTER TABLE runs DROP COLUMN attempts;

-- +goose Down
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_ticks INTEGER;
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET (lease_owner, lease_expires_ticks, attempts) =
    (SELECT j.lease_owner, j.lease_expires_ticks, j.attempts FROM jobs AS j
     WHERE j.tenant = runs.tenant AND j.kind = 'run' AND j.id = runs.id)
WHERE status = 'running';
CREATE INDEX runs_claim ON runs (status, lease_expires_ticks);
DROP INDEX jobs_kind_claim;
DROP INDEX jobs_claim;
DROP TABLE jobs;
