package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"industrydata"
	"industrydata/schema"
)

// What one request of a batch answered, and how the batch writes it: the
// answer is captured whole (up to a bound) because the batch's response
// embeds it in JSON; a JSON body is embedded as it is, any other body as
// base64, as Graph does (a photo, here a $count, the CSV of a report or the
// $metadata document).

// batchResult is the answer to one request of a batch.
type batchResult struct {
	status int
	header http.Header
	body   []byte
}

// succeeded reports whether dependants of this request may run: Graph
// fails them with 424 after any status that is not a success.
func (b *batchResult) succeeded() bool { return b.status >= 200 && b.status < 300 }

// errBatchResponseTooLarge ends the writes of a handler whose answer has
// outgrown what a batch carries.
var errBatchResponseTooLarge = errors.New("httpapi: the answer is larger than a batch carries")

// captureWriter is the ResponseWriter of a request of a batch: it keeps the
// status, the headers as they were when it was written, and up to limit
// bytes of body. Past limit every write fails, which stops a streaming
// handler (a page, the CSV of a report) early.
type captureWriter struct {
	header   http.Header
	written  http.Header // header as of WriteHeader
	status   int
	body     bytes.Buffer
	limit    int
	overflow bool
	// head discards the body, as net/http does for a HEAD request.
	head bool
}

func newCaptureWriter(limit int, head bool) *captureWriter {
	return &captureWriter{header: http.Header{}, limit: limit, head: head}
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(code int) {
	if c.status != 0 || code < 200 { // informational answers are not the answer
		return
	}
	c.status = code
	c.written = c.header.Clone()
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.head || c.status == http.StatusNoContent || c.status == http.StatusNotModified {
		return len(p), nil
	}
	if c.overflow || c.body.Len()+len(p) > c.limit {
		c.overflow = true
		return 0, errBatchResponseTooLarge
	}
	return c.body.Write(p)
}

// result is what was captured; a handler that wrote nothing answered 200.
func (c *captureWriter) result() *batchResult {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	return &batchResult{status: c.status, header: c.written, body: c.body.Bytes()}
}

// errorResult is the answer err makes for r (whose request-id it carries),
// as writeError would write it.
func errorResult(r *http.Request, err error) *batchResult {
	var e *industrydata.Error
	if !errors.As(err, &e) {
		e = internalError
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	h := http.Header{}
	h.Set("Content-Type", contentTypeJSON)
	h.Set("OData-Version", "4.0")
	h.Set("request-id", requestID(r))
	if c, _ := r.Context().Value(keyClientRequestID).(string); c != "" {
		h.Set("client-request-id", c)
	}
	return &batchResult{status: status, header: h, body: appendErrorBody(make([]byte, 0, 256), r, e)}
}

// isJSON reports whether a Content-Type is JSON, whose body a batch
// embeds as it is.
func isJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && media == "application/json"
}

// batchHeaderNames spells the headers the service sends as Graph does in
// a batch's answers; Go keeps header names in canonical form (Request-Id).
var batchHeaderNames = map[string]string{
	"Request-Id":        "request-id",
	"Client-Request-Id": "client-request-id",
	"Odata-Version":     "OData-Version",
	"Etag":              "ETag",
	"Www-Authenticate":  "WWW-Authenticate",
}

// framingHeaders describe the message the answer would have been on its
// own, not the answer inside the batch.
var framingHeaders = []string{"Content-Length", "Transfer-Encoding", "Connection"}

// writeBatchItem writes one element of the batch's "responses": id,
// status, headers (a JSON object of strings, Content-Type spelled so) and
// body, absent when there is none.
func writeBatchItem(w io.Writer, id string, res *batchResult) error {
	buf := make([]byte, 0, 512+len(res.body))
	buf = append(buf, `{"id":`...)
	buf = schema.AppendString(buf, id)
	buf = append(buf, `,"status":`...)
	buf = strconv.AppendInt(buf, int64(res.status), 10)
	buf = append(buf, `,"headers":{`...)
	names := make([]string, 0, len(res.header))
	for name := range res.header {
		if !slices.Contains(framingHeaders, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for k, name := range names {
		if k > 0 {
			buf = append(buf, ',')
		}
		spelled := name
		if s, ok := batchHeaderNames[name]; ok {
			spelled = s
		}
		buf = schema.AppendString(buf, spelled)
		buf = append(buf, ':')
		// A header sent twice is one field whose values a comma joins.
		buf = schema.AppendString(buf, joinValues(res.header[name]))
	}
	buf = append(buf, '}')
	if len(res.body) == 0 {
		buf = append(buf, '}')
		_, err := w.Write(buf)
		return err
	}
	buf = append(buf, `,"body":`...)
	if isJSON(res.header.Get("Content-Type")) {
		buf = append(append(buf, res.body...), '}')
		_, err := w.Write(buf)
		return err
	}
	buf = append(buf, '"')
	if _, err := w.Write(buf); err != nil {
		return err
	}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := enc.Write(res.body); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, `"}`)
	return err
}

func joinValues(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	var b bytes.Buffer
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v)
	}
	return b.String()
}

// validJSONBody reports whether a JSON answer can be embedded as it is:
// the service writes only valid JSON, and one broken answer must not break
// the whole batch's.
func validJSONBody(res *batchResult) bool {
	return len(res.body) == 0 || !isJSON(res.header.Get("Content-Type")) || json.Valid(res.body)
}
