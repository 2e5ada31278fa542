-- +goose Up
-- A pin keeps a run and its report from the cleanup until it expires
-- (industrydata.ReportPinStore): a download that reads the report page
-- after page holds one. Pins are few and short-lived; the index answers the
-- cleanup's NOT EXISTS for a run and finds the expired pins it drops.
CREATE TABLE report_pins (
    seq           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant        TEXT    NOT NULL,
    run           INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
    expires_ticks INTEGER NOT NULL
) STRICT;
CREATE INDEX report_pins_run ON report_pins (run, expires_ticks);
CREATE INDEX report_pins_expires ON report_pins (expires_ticks);

-- +goose Down
DROP TABLE report_pins;
