-- +goose Up
-- The cleanup is a job of the queue (industrydata.JobCleanup), of no
-- tenant: tenant '' and operation_id '' (it follows no operation), id
-- 'cleanup', so that UNIQUE (tenant, kind, id) holds one at most and
-- replicas queueing it at once queue one job (INSERT ... ON CONFLICT DO
-- NOTHING). An empty tenant rather than NULL keeps the claim's fence
-- (tenant = $1) as it is for every kind.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('run', 'validation', 'cleanup'));
ALTER TABLE jobs ADD CONSTRAINT jobs_cleanup_no_tenant CHECK ((kind = 'cleanup') = (tenant = ''));

-- +goose Down
DELETE FROM jobs WHERE kind = 'cleanup';
ALTER TABLE jobs DROP CONSTRAINT jobs_cleanup_no_tenant;
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('run', 'validation'));
