-- +goose Up
-- Every table is STRICT so a value of the wrong type is an error rather than
-- silently kept with another affinity.

-- A tenant is recorded the first time it is provisioned, in the same
-- transaction as its default processes, so provisioning happens once.
CREATE TABLE tenants (
    id                TEXT    NOT NULL PRIMARY KEY,
    provisioned_ticks INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- seq is the rowid and the keyset paging key. AUTOINCREMENT keeps it from
-- reusing the seq of a deleted last row, which would hide a new row from a
-- client whose skiptoken points past that seq.
CREATE TABLE operations (
    seq               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant            TEXT    NOT NULL,
    id                TEXT    NOT NULL,
    type              TEXT    NOT NULL,
    etag              TEXT    NOT NULL,
    created_ticks     INTEGER NOT NULL,
    last_action_ticks INTEGER,
    status            TEXT    NOT NULL,
    status_detail     TEXT,
    resource_location TEXT,
    UNIQUE (tenant, id)
) STRICT;

-- Serves WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?: one range scan,
-- no sort.
CREATE INDEX operations_tenant_seq ON operations (tenant, seq);

-- singleton_key is the type name of a system process and NULL otherwise; the
-- unique constraint keeps one system process of each type per tenant (NULLs
-- are distinct, so ordinary processes are not limited).
CREATE TABLE processes (
    seq              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant           TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    etag             TEXT    NOT NULL,
    display_name     TEXT    NOT NULL,
    readiness_status TEXT    NOT NULL,
    created_ticks    INTEGER NOT NULL,
    singleton_key    TEXT,
    UNIQUE (tenant, id),
    UNIQUE (tenant, singleton_key)
) STRICT;

CREATE INDEX processes_tenant_seq ON processes (tenant, seq);

-- +goose Down
DROP TABLE processes;
DROP TABLE operations;
DROP TABLE tenants;
