-- +goose Up
-- A pin keeps a run and its report from the cleanup until it expires
-- (industrydata.ReportPinStore): a download that reads the report page
-- after page holds one. Pins are few and short-lived; the index answers the
-- cleanup's NOT EXISTS for a run and finds the expired pins it drops.
CREATE TABLE report_pins (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant        text COLLATE "C" NOT NULL,
    run           bigint NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
    expires_ticks bigint NOT NULL
);
CREATE INDEX report_pins_run ON report_pins (run, expires_ticks);
CREATE INDEX report_pins_expires ON report_pins (expires_ticks);

-- +goose Down
DROP TABLE report_pins;
