-- +goose Up
-- Resources of the import surface (industrydata.ResourceStore): small
-- configuration collections whose properties the store keeps as one
-- document it does not interpret. (tenant, set_name, id) identifies one.
-- Version 7 is a Go migration (migrate_rosters.go).
--
-- seq is the rowid, the insertion order and the scan order; AUTOINCREMENT
-- keeps a deleted last row's seq from being reused, as for operations. doc
-- is a BLOB so the bytes come back exactly as given.
CREATE TABLE resources (
    seq      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant   TEXT    NOT NULL,
    set_name TEXT    NOT NULL,
    id       TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    etag     TEXT    NOT NULL,
    doc      BLOB    NOT NULL,
    UNIQUE (tenant, set_name, id)
) STRICT;

-- ScanResources: one set of a tenant in seq order, a range scan with no
-- sort; also the quota's count.
CREATE INDEX resources_tenant_set_seq ON resources (tenant, set_name, seq);

-- One row per navigation reference of a resource (from) to another of the
-- same tenant (to). Not a foreign key: the store checks both ends in the
-- write's transaction, where it can answer with the reference at fault
-- (MissingReferenceError, ReferencedError). A rowid table with no key of
-- its own, since one property of a collection of complex values
-- ("userMatchingSettings/roleGroup") may refer more than once; the rowid
-- keeps a resource's references of one property in the order given.
CREATE TABLE resource_refs (
    tenant   TEXT NOT NULL,
    from_set TEXT NOT NULL,
    from_id  TEXT NOT NULL,
    property TEXT NOT NULL,
    to_set   TEXT NOT NULL,
    to_id    TEXT NOT NULL
) STRICT;

-- A resource's references, by property then rowid (the order reads return
-- them in, with no sort); an update replaces them and a delete removes
-- them through it.
CREATE INDEX resource_refs_from ON resource_refs (tenant, from_set, from_id, property);

-- A delete finds one referrer of the resource in one lookup.
CREATE INDEX resource_refs_to ON resource_refs (tenant, to_set, to_id);

-- +goose Down
DROP INDEX resource_refs_to;
DROP INDEX resource_refs_from;
DROP TABLE resource_refs;
DROP INDEX resources_tenant_set_seq;
DROP TABLE resources;
