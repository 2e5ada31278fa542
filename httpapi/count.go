package httpapi

import (
	"net/http"
	"strconv"

	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
)

// GET {collection}/$count answers the number of the collection's entities
// its $filter selects, as text: what Kiota SDKs' .Count().Get() reads.

// contentTypeCount is the media type of a $count answer.
const contentTypeCount = "text/plain; charset=utf-8"

// writeCount answers 200 with n in decimal as text/plain.
func writeCount(w http.ResponseWriter, n int64) error {
	body := strconv.AppendInt(make([]byte, 0, 20), n, 10)
	h := w.Header()
	h.Set("Content-Type", contentTypeCount)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// countQuery parses the options of a $count request against t: $filter
// only; any other option is a 400 naming it.
func countQuery(r *http.Request, t *schema.EntityType) (*odata.Query, error) {
	raw, err := queryOptions(r, "filter")
	if err != nil {
		return nil, err
	}
	return odata.Parse(raw, t, odata.Options{Filter: true})
}

func (a *api) countOperations(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := countQuery(r, schema.LongRunningOperation)
	if err != nil {
		return err
	}
	n, err := t.CountOperations(r.Context(), q)
	if err != nil {
		return err
	}
	return writeCount(w, n)
}

func (a *api) countProcesses(cast *schema.EntityType) handler {
	typ := schema.Process
	if cast != nil {
		typ = cast
	}
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := countQuery(r, typ)
		if err != nil {
			return err
		}
		n, err := t.CountProcesses(r.Context(), q, cast)
		if err != nil {
			return err
		}
		return writeCount(w, n)
	}
}

// countRuns serves runs/$count and, underProcess, processes/{id}/runs/$count.
func (a *api) countRuns(underProcess bool) handler {
	return func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
		q, err := countQuery(r, schema.IndustryDataRun)
		if err != nil {
			return err
		}
		processID := ""
		if underProcess {
			processID = r.PathValue("id")
		}
		n, err := t.CountRuns(r.Context(), processID, q)
		if err != nil {
			return err
		}
		return writeCount(w, n)
	}
}

func (a *api) countReportEntries(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	q, err := countQuery(r, schema.UserReportEntry)
	if err != nil {
		return err
	}
	n, err := t.CountReportEntries(r.Context(), r.PathValue("id"), r.PathValue("rid"), q)
	if err != nil {
		return err
	}
	return writeCount(w, n)
}
