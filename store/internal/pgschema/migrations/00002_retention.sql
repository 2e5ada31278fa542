-- +goose Up
-- The cleanup (industrydata.CleanupStore) deletes the oldest finished
-- operations, audit records and expired upload sessions a batch at a time:
-- these indexes find a batch without a scan of the table.
CREATE INDEX operations_finished ON operations (coalesce(last_action_ticks, created_ticks), seq)
    WHERE status IN ('succeeded', 'failed');
CREATE INDEX audit_time ON audit (time_ticks, seq);
CREATE INDEX upload_containers_expires ON upload_containers (expires_ticks);

-- When a block was staged, so that one never committed goes after a while.
-- The blocks staged before this migration count from it.
ALTER TABLE upload_blocks ADD COLUMN staged_ticks bigint NOT NULL DEFAULT 0;
UPDATE upload_blocks SET staged_ticks = (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000;
CREATE INDEX upload_blocks_staged ON upload_blocks (staged_ticks);

-- +goose Down
DROP INDEX upload_blocks_staged;
ALTER TABLE upload_blocks DROP COLUMN staged_ticks;
DROP INDEX upload_containers_expires;
DROP INDEX audit_time;
DROP INDEX operations_finished;
