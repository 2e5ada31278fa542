package httpapi

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
)

// reportPath is the @odata.context path of a run's report.
func reportPath(r *http.Request) string {
	return processRunsPath(r, r.PathValue("id")) + "('" + strings.ReplaceAll(r.PathValue("rid"), "'", "''") + "')/userReport"
}

// getUserReport serves GET processes/{id}/runs/{rid}/userReport.
func (a *api) getUserReport(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := entityOptions(r, schema.UserReport)
	if err != nil {
		return err
	}
	rep, err := t.GetUserReport(r.Context(), r.PathValue("id"), r.PathValue("rid"))
	if err != nil {
		return err
	}
	if notModified(w, r, rep.ETag) {
		return nil
	}
	res := entityResponse{status: http.StatusOK, entity: &rep, etag: rep.ETag,
		context: reportPath(r) + selectSuffix(q) + "/$entity", sel: selection(q)}
	return a.writeEntity(w, r, res)
}

// listReportEntries serves GET .../userReport/entries: a page of JSON, or
// with Accept: text/csv the whole (filtered) list as one CSV download.
func (a *api) listReportEntries(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := listQuery(r, schema.UserReportEntry)
	if err != nil {
		return err
	}
	pid, rid := r.PathValue("id"), r.PathValue("rid")
	if wantsCSV(r) {
		return a.writeEntriesCSV(w, r, t, pid, rid, q)
	}
	page, err := t.ListReportEntries(r.Context(), pid, rid, q)
	if err != nil {
		return err
	}
	return a.writeCollection(w, r, newCollectionPage(q, reportPath(r)+"/entries", page))
}

// wantsCSV reports whether the Accept header prefers text/csv to JSON: it
// names text/csv with a quality above that of any JSON type it names.
func wantsCSV(r *http.Request) bool {
	csvQ, jsonQ := -1.0, -1.0
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			media, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					q = f
				}
			}
			switch media {
			case "text/csv":
				csvQ = max(csvQ, q)
			case "application/json", "*/*", "application/*":
				jsonQ = max(jsonQ, q)
			}
		}
	}
	return csvQ > 0 && csvQ >= jsonQ
}

// entryCSVHeader is the header row of the CSV download.
var entryCSVHeader = []string{"sourcedId", "username", "role", "orgSourcedIds", "isActive", "issues", "inboundFlowId"}

// writeEntriesCSV streams the report's entries as CSV, reading them a page
// at a time. Errors found before the first byte is sent are answered as
// usual; a failure midway aborts the response, so that a client never
// takes a cut file for a whole one.
func (a *api) writeEntriesCSV(w http.ResponseWriter, r *http.Request, t *service.Tenant, pid, rid string, q *odata.Query) error {
	started := false
	cw := csv.NewWriter(w)
	row := make([]string, len(entryCSVHeader))
	// A million entries take longer than the server's write timeout, which
	// guards against clients that stop reading: each page extends it.
	rc := http.NewResponseController(w)
	n := 0
	start := func() error {
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="userReport-`+safeFileName(rid)+`.csv"`)
		w.WriteHeader(http.StatusOK)
		return cw.Write(entryCSVHeader)
	}
	err := t.EachReportEntry(r.Context(), pid, rid, q, start, func(e *industrydata.UserReportEntry) error {
		if n%csvDeadlineRows == 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(csvDeadlineExtension)) // unsupported by test recorders
		}
		n++
		entryRow(row, e)
		return cw.Write(row)
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil && started {
		a.Logger.WarnContext(r.Context(), "CSV download of a user report failed midway", "run", rid, "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// A CSV download's write deadline moves csvDeadlineExtension ahead every
// csvDeadlineRows entries: a client has that long to take each batch.
const (
	csvDeadlineRows      = 5000
	csvDeadlineExtension = time.Minute
)

// entryRow fills row with e: lists joined by commas inside one field, as
// OneRoster writes them, and every field made safe to open in a
// spreadsheet.
func entryRow(row []string, e *industrydata.UserReportEntry) {
	issues := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		issues[i] = string(is)
	}
	row[0] = cellSafe(e.SourcedID)
	row[1] = cellSafe(e.Username)
	row[2] = cellSafe(e.Role)
	row[3] = cellSafe(strings.Join(e.OrgSourcedIDs, ","))
	row[4] = strconv.FormatBool(e.IsActive)
	row[5] = strings.Join(issues, ",")
	row[6] = e.FlowID
}

// cellSafe defuses CSV formula injection: roster values come from files a
// school uploads, and a spreadsheet runs a cell that starts with = + - @
// (or a tab or carriage return before one) as a formula. Such a value gets
// a leading apostrophe, which spreadsheets show as text (OWASP's advice).
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// safeFileName keeps the characters of an id that are safe in a
// Content-Disposition file name.
func safeFileName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, industrydata.Shorten(id, 64))
}
