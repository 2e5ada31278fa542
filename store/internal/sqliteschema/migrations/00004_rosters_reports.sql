-- +goose Up
-- Rosters and user reports (SPEC §10).

-- A tenant's OneRoster rosters. PutRoster inserts one as 'staging', writes
-- its files in chunks over several transactions, then, in one transaction,
-- makes it 'current' and the one before 'stored'. A stored roster is kept
-- only while a run in progress pins it (runs.roster_id): the transactions
-- that end or delete runs, and PutRoster, delete the stored rosters nothing
-- pins. A 'staging' roster is invisible; one left by a crash is deleted by
-- a later PutRoster once it is a day old.
--
-- seq keys the chunks. AUTOINCREMENT keeps it from being reused, so a
-- reader streaming a roster that is deleted meanwhile finds its chunks gone
-- rather than another roster's.
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

-- At most one current roster per tenant; also CurrentRoster's lookup.
CREATE UNIQUE INDEX rosters_one_current ON rosters (tenant) WHERE state = 'current';

-- The stored rosters of a tenant, candidates for deletion.
CREATE INDEX rosters_tenant_state ON rosters (tenant, state);

-- Staging rosters by age, for the cleanup of those a crash left behind.
CREATE INDEX rosters_staging ON rosters (created_ticks) WHERE state = 'staging';

-- The bytes of a roster's files (users.csv, orgs.csv), in chunks numbered
-- from 0, each of the store's chunk size but the last; an empty file has no
-- chunk. A rowid table: its rows are large blobs, which a WITHOUT ROWID
-- table would store less well. Deleting the roster deletes its chunks.
CREATE TABLE roster_chunks (
    roster INTEGER NOT NULL REFERENCES rosters (seq) ON DELETE CASCADE,
    file   TEXT    NOT NULL CHECK (file IN ('users.csv', 'orgs.csv')),
    n      INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (roster, file, n)
) STRICT;

-- The roster a run reads: the tenant's current roster when it started, NULL
-- when it had none.
ALTER TABLE runs ADD COLUMN roster_id TEXT;

-- "Does a run in progress pin this roster?": an index of the few runs in
-- progress only.
CREATE INDEX runs_roster_in_progress ON runs (tenant, roster_id) WHERE status = 'running';

-- The user report of a run, stored by FinishRun in the transaction that ends
-- the run, so a report is visible whole or not at all. report is the run's
-- seq, which also keys the report's entries. summary is the
-- userReportSummary as a JSON object.
CREATE TABLE user_reports (
    report        INTEGER NOT NULL PRIMARY KEY,
    tenant        TEXT    NOT NULL,
    run_id        TEXT    NOT NULL,
    process_id    TEXT    NOT NULL,
    etag          TEXT    NOT NULL,
    created_ticks INTEGER NOT NULL,
    summary       TEXT    NOT NULL,
    UNIQUE (tenant, run_id)
) STRICT;

-- The entries of a report (report = the run's seq), written while the run
-- runs, before its user_reports row exists; n is the entry's Seq, its
-- position in users.csv from 1, and the keyset paging key. org_ids is a JSON
-- array of strings and issues a JSON array of issue codes; is_active is 0 or
-- 1. The rows are small, so WITHOUT ROWID keeps them in the primary key's
-- B-tree alone, in paging order.
CREATE TABLE report_entries (
    report     INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    sourced_id TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    org_ids    TEXT    NOT NULL,
    is_active  INTEGER NOT NULL,
    issues     TEXT    NOT NULL,
    PRIMARY KEY (report, n)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE report_entries;
DROP TABLE user_reports;
DROP INDEX runs_roster_in_progress;
ALTER TABLE runs DROP COLUMN roster_id;
DROP TABLE roster_chunks;
DROP INDEX rosters_staging;
DROP INDEX rosters_tenant_state;
DROP INDEX rosters_one_current;
DROP TABLE rosters;
