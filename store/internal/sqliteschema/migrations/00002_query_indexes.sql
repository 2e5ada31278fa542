-- +goose Up
-- $filter/$orderby (SPEC §5). The most common query of a client polling
-- operations, status eq '…' newest first, and its keyset pages are one index
-- range scan in index order: no sort, no rows skipped before the cursor.
-- seq (the rowid) is in every index anyway; naming it documents that it is
-- the final sort key.
CREATE INDEX operations_tenant_status_created ON operations (tenant, status, created_ticks, seq);

-- Ordering by createdDateTime with any other filter (or none).
CREATE INDEX operations_tenant_created ON operations (tenant, created_ticks, seq);

-- +goose Down
DROP INDEX operations_tenant_created;
DROP INDEX operations_tenant_status_created;
