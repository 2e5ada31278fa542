-- +goose Up
-- The cleanup (industrydata.CleanupStore) deletes the oldest finished
-- operations, audit records and expired upload sessions a batch at a time:
-- these indexes find a batch without a scan of the table.
CREATE INDEX operations_finished ON operations (coalesce(last_action_ticks, created_ticks), seq)
    WHERE status IN ('succeeded', 'failed');
CREATE INDEX audit_time ON audit (time_ticks, seq);
CREATE INDEX upload_containers_expires ON upload_containers (expires_ticks);

-- +goose Down
DROP INDEX upload_containers_expires;
DROP INDEX audit_time;
DROP INDEX operations_finished;
