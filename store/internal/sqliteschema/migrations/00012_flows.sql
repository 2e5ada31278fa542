-- +goose Up
-- Runs of activities and the current data of inbound flows (SPEC §12,
-- industrydata.FlowStore). A run executes one activity per inbound flow of
-- its tenant, importing the files of the flow's data connector, and a
-- tenant's roster is the current data of its flows: the rosters go.

-- A tenant has one run in progress at most (it was one per process), so
-- that a run reads a roster nothing changes under it. The runs in progress
-- beyond the oldest of a tenant end as failed, as FinishRun would end
-- them: their operations fail, their jobs leave the queue and the entries
-- they appended go. Then the guard can hold.
UPDATE operations SET status = 'failed', last_action_ticks = unixepoch() * 10000000 + 621355968000000000,
    status_detail = 'Stopped by an upgrade of the service, which runs one process at a time per tenant.',
    etag = lower(hex(randomblob(16)))
WHERE (tenant, id) IN (SELECT r.tenant, r.operation_id FROM runs AS r WHERE r.status = 'running'
    AND EXISTS (SELECT 1 FROM runs AS o WHERE o.tenant = r.tenant AND o.status = 'running' AND o.seq < r.seq));
DELETE FROM jobs WHERE kind = 'run' AND (tenant, id) IN (SELECT r.tenant, r.id FROM runs AS r WHERE r.status = 'running'
    AND EXISTS (SELECT 1 FROM runs AS o WHERE o.tenant = r.tenant AND o.status = 'running' AND o.seq < r.seq));
DELETE FROM report_blocks WHERE report IN (SELECT r.seq FROM runs AS r WHERE r.status = 'running'
    AND EXISTS (SELECT 1 FROM runs AS o WHERE o.tenant = r.tenant AND o.status = 'running' AND o.seq < r.seq));
UPDATE runs SET status = 'failed', end_ticks = unixepoch() * 10000000 + 621355968000000000,
    blocking_error = '{"code":"runInterrupted","message":"The service was upgraded to run one process at a time per tenant, and stopped this run, which had started while another was in progress; run the process again."}',
    etag = lower(hex(randomblob(16)))
WHERE status = 'running'
    AND EXISTS (SELECT 1 FROM runs AS o WHERE o.tenant = runs.tenant AND o.status = 'running' AND o.seq < runs.seq);

DROP INDEX runs_one_in_progress;
CREATE UNIQUE INDEX runs_one_in_progress ON runs (tenant) WHERE status = 'running';

DROP INDEX runs_roster_in_progress;
ALTER TABLE runs DROP COLUMN roster_id;
DROP TABLE roster_chunks;
DROP INDEX rosters_staging;
DROP INDEX rosters_tenant_state;
DROP INDEX rosters_one_current;
DROP TABLE rosters;

-- The activities of a run (run = the run's seq), inserted with it by
-- StartRun in the order they are executed: seq from 1, the keyset paging
-- key. blocking_error is a publicError as runs keep it, counts the
-- inboundActivityResults' figures as a JSON object (NULL until an import
-- counted). Deleting the run (with its process) deletes them. The rows
-- are small and read by run, so WITHOUT ROWID keeps them in the primary
-- key's B-tree alone.
CREATE TABLE run_activities (
    run            INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    id             TEXT    NOT NULL,
    flow_id        TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    blocking_error TEXT,
    counts         TEXT,
    PRIMARY KEY (run, seq),
    UNIQUE (run, id)
) STRICT, WITHOUT ROWID;

-- The files of inbound flows: contents of uploads (upload_contents), by
-- name. An activity's import pins its connector's validated set as
-- 'importing' (run, activity: the run's seq and the activity's); when it
-- ends, the files become the flow's 'current' data, in place of those
-- before, or go. Like a validated set, a row keeps its content (and its
-- pieces) whatever becomes of the content's container; the write that
-- drops the last row holding a content deletes it. A flow's rows go with
-- the flow (resources, set inboundFlows), and pinned rows with their run
-- when it ends or is deleted.
CREATE TABLE flow_files (
    tenant   TEXT    NOT NULL,
    flow_id  TEXT    NOT NULL,
    run      INTEGER NOT NULL,
    activity INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    content  INTEGER NOT NULL REFERENCES upload_contents (seq),
    state    TEXT    NOT NULL CHECK (state IN ('importing', 'current')),
    PRIMARY KEY (tenant, flow_id, run, activity, name)
) STRICT, WITHOUT ROWID;

-- The pins a run leaves behind, when it ends.
CREATE INDEX flow_files_importing ON flow_files (run) WHERE state = 'importing';

-- "Does a flow's file hold this content?" when contents are deleted.
CREATE INDEX flow_files_content ON flow_files (content);

-- What a flow's current data is besides its files: the run whose import
-- made it current, when, and what it counted (a JSON object). A flow has
-- current data while it has a row here.
CREATE TABLE flow_data (
    tenant         TEXT    NOT NULL,
    flow_id        TEXT    NOT NULL,
    run_id         TEXT    NOT NULL,
    imported_ticks INTEGER NOT NULL,
    counts         TEXT    NOT NULL,
    PRIMARY KEY (tenant, flow_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
-- The flows' data and the activities go, and so do the contents only
-- flows held, whose containers are gone (with their pieces); the rosters
-- come back empty (the tenants have none until they put one), and so does
-- the guard of one run in progress per process, which the runs in
-- progress satisfy.
CREATE TEMP TABLE flow_contents AS SELECT DISTINCT content FROM flow_files;
DROP TABLE flow_data;
DROP INDEX flow_files_content;
DROP INDEX flow_files_importing;
DROP TABLE flow_files;
DELETE FROM upload_contents WHERE seq IN (SELECT content FROM temp.flow_contents)
    AND NOT EXISTS (SELECT 1 FROM upload_validated AS v WHERE v.content = upload_contents.seq)
    AND NOT EXISTS (SELECT 1 FROM upload_containers AS k WHERE k.seq = upload_contents.container);
DELETE FROM upload_pieces
WHERE NOT EXISTS (SELECT 1 FROM upload_containers AS k WHERE k.seq = upload_pieces.container)
    AND NOT EXISTS (SELECT 1 FROM upload_content_pieces AS cp WHERE cp.piece = upload_pieces.seq);
DROP TABLE temp.flow_contents;
DROP TABLE run_activities;

CREATE TABLE rosters (
    seq           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant        TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    created_ticks INTEGER NOT NULL,
    users_bytes   INTEGER NOT NULL DEFAULT 0,
    orgs_bytes    INTEGER NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL CHECK (state IN ('staging', 'stored', 'current')),
    UNIQUE (tenant, id)
) STRICT;
CREATE UNIQUE INDEX rosters_one_current ON rosters (tenant) WHERE state = 'current';
CREATE INDEX rosters_tenant_state ON rosters (tenant, state);
CREATE INDEX rosters_staging ON rosters (created_ticks) WHERE state = 'staging';
CREATE TABLE roster_chunks (
    roster     INTEGER NOT NULL REFERENCES rosters (seq) ON DELETE CASCADE,
    file       TEXT    NOT NULL CHECK (file IN ('users.csv', 'orgs.csv')),
    n          INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
    PRIMARY KEY (roster, file, n)
) STRICT;
ALTER TABLE runs ADD COLUMN roster_id TEXT;
CREATE INDEX runs_roster_in_progress ON runs (tenant, roster_id) WHERE status = 'running';

DROP INDEX runs_one_in_progress;
CREATE UNIQUE INDEX runs_one_in_progress ON runs (tenant, process_id) WHERE status = 'running';
