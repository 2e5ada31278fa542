-- +goose Up
-- Runs of processes (SPEC §2, §4). The table is also the runner's queue: a
-- run in progress (status 'running') is leased to one runner at a time
-- through lease_owner and lease_expires_ticks, both NULL while no runner
-- holds it; attempts counts the claims and fences the lease (a runner whose
-- lease was taken over fails every later write).
--
-- A run belongs to a process of the same tenant: the store deletes a
-- process's runs in the transaction that deletes the process. Its operation
-- is an entity of its own, which the client may keep or delete.
-- blocking_error is microsoft.graph.publicError as a JSON object.
CREATE TABLE runs (
    seq                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant              TEXT    NOT NULL,
    id                  TEXT    NOT NULL,
    process_id          TEXT    NOT NULL,
    operation_id        TEXT    NOT NULL,
    etag                TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    start_ticks         INTEGER NOT NULL,
    end_ticks           INTEGER,
    status              TEXT    NOT NULL,
    blocking_error      TEXT,
    lease_owner         TEXT,
    lease_expires_ticks INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant, id)
) STRICT;

-- The runs of one process, newest first (GET processes/{id}/runs and
-- $expand=runs): one backward range scan, no sort.
CREATE INDEX runs_tenant_process_start ON runs (tenant, process_id, start_ticks, seq);

-- All the tenant's runs newest first (GET runs).
CREATE INDEX runs_tenant_start ON runs (tenant, start_ticks, seq);

-- SPEC §4: a process has at most one run in progress. The service checks
-- it first; this is the guard that holds whatever the service does.
CREATE UNIQUE INDEX runs_one_in_progress ON runs (tenant, process_id) WHERE status = 'running';

-- ClaimRun: the first run in progress, free leases (NULL) before expired
-- ones, is the first entry of status 'running'.
CREATE INDEX runs_claim ON runs (status, lease_expires_ticks);

-- +goose Down
DROP INDEX runs_claim;
DROP INDEX runs_one_in_progress;
DROP INDEX runs_tenant_start;
DROP INDEX runs_tenant_process_start;
DROP TABLE runs;
