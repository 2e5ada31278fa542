-- +goose Up
-- What a fileValidateOperation found (SPEC §11): its validatedFiles,
-- errors and warnings, as one JSON object; NULL for other operations.
ALTER TABLE operations ADD COLUMN validation TEXT;

-- +goose Down
ALTER TABLE operations DROP COLUMN validation;
