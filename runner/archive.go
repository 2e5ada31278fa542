package runner

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"industrydata"
)

// AuditArchive keeps audit records before the cleanup deletes them: gzip
// JSON lines (industrydata.AuditLine, as `industrydata audit` writes
// them), one file per UTC day of the records' time, audit-YYYY-MM-DD.jsonl.gz
// in Dir. Each Keep appends one gzip member to each day's file it writes
// to; gzip readers read the members of a file as one stream. A record
// archived by a cleanup that died before deleting it is archived again by
// the next: a record may appear twice, never not at all.
type AuditArchive struct {
	Dir string
}

// Keep appends recs to their days' files and makes them durable (the
// files and the directory fsynced) before it returns. An error means the
// records must not be deleted.
func (a AuditArchive) Keep(recs []industrydata.AuditRecord) error {
	byDay := make(map[time.Time][]*industrydata.AuditRecord)
	var days []time.Time
	for i := range recs {
		t := recs[i].Time.UTC()
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if _, ok := byDay[day]; !ok {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], &recs[i])
	}
	for _, day := range days {
		if err := a.append(day, byDay[day]); err != nil {
			return err
		}
	}
	if len(days) == 0 {
		return nil
	}
	// A file created above is durable once its directory entry is.
	return syncDir(a.Dir)
}

// File is the archive file of the records of day (a UTC date).
func (a AuditArchive) File(day time.Time) string {
	return filepath.Join(a.Dir, "audit-"+day.UTC().Format(time.DateOnly)+".jsonl.gz")
}

// append writes recs as one gzip member at the end of day's file, and
// fsyncs it. A member it could not write whole is cut off again, so that
// the members after it can be read.
func (a AuditArchive) append(day time.Time, recs []*industrydata.AuditRecord) (err error) {
	name := a.File(day)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit archive: %w", err)
	}
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("audit archive %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Truncate(end)
		}
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("audit archive: %w", cerr)
		}
	}()
	bw := bufio.NewWriter(f)
	zw := gzip.NewWriter(bw)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false) // values are kept as they are stored
	for _, r := range recs {
		if err := enc.Encode(r.Line()); err != nil {
			return fmt.Errorf("audit archive %s: %w", name, err)
		}
	}
	if err := errors.Join(zw.Close(), bw.Flush()); err != nil {
		return fmt.Errorf("audit archive %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit archive %s: %w", name, err)
	}
	return nil
}

// syncDir fsyncs directory dir, so that the files created in it survive
// a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit archive: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit archive: sync %s: %w", dir, err)
	}
	return nil
}
