package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// batchItem is one answer of a batch as a client reads it.
type batchItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batchPath is where batches go.
const batchPath = "/beta/$batch"

// batch posts body as a batch with rq's token and headers. When the batch
// answers 200, its responses are decoded strictly and checked against
// SPEC §6's shape: an id, a status, headers with the key Content-Type
// spelled so when there is a body, no body for 204 and 304.
func (h *harness) batch(rq request) (*response, []batchItem) {
	h.t.Helper()
	rq.method, rq.path = "POST", batchPath
	res := h.do(rq)
	if res.status != 200 {
		return res, nil
	}
	items := decodeBatch(h.t, []byte(res.raw))
	return res, items
}

// decodeBatch reads {"responses":[…]} and checks each answer's shape.
func decodeBatch(t testing.TB, raw []byte) []batchItem {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var env struct {
		Responses []batchItem `json:"responses"`
	}
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("the batch's answer does not decode: %v\n%.2000s", err, raw)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("the batch's answer has data after it: %.2000s", raw)
	}
	for _, it := range env.Responses {
		if it.ID == "" || it.Status < 100 || it.Headers == nil {
			t.Errorf("answer %+v: no id, status or headers", it)
		}
		if it.Body != nil && it.Headers["Content-Type"] == "" {
			t.Errorf("answer %q has a body without Content-Type in its headers %v", it.ID, it.Headers)
		}
		if (it.Status == 204 || it.Status == 304) && it.Body != nil {
			t.Errorf("answer %q: %d with a body", it.ID, it.Status)
		}
		for name := range it.Headers {
			if strings.EqualFold(name, "Content-Type") && name != "Content-Type" {
				t.Errorf("answer %q spells %q", it.ID, name)
			}
		}
	}
	return env.Responses
}

// byID indexes items by id.
func byID(items []batchItem) map[string]batchItem {
	out := make(map[string]batchItem, len(items))
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}

// bytes is the body the answer stands for: JSON as it is, anything else
// decoded from base64.
func (it batchItem) bytes(t testing.TB) []byte {
	t.Helper()
	if it.Body == nil {
		return nil
	}
	if strings.HasPrefix(it.Headers["Content-Type"], "application/json") {
		return it.Body
	}
	var s string
	if err := json.Unmarshal(it.Body, &s); err != nil {
		t.Fatalf("answer %q: a %s body that is not a string: %s", it.ID, it.Headers["Content-Type"], it.Body)
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("answer %q: a %s body that is not base64: %q", it.ID, it.Headers["Content-Type"], s)
	}
	return data
}

// response is the answer as the harness's own: status, headers, raw body,
// the body decoded when JSON.
func (it batchItem) response(t testing.TB) *response {
	t.Helper()
	res := &response{status: it.Status, header: http.Header{}, raw: string(it.bytes(t))}
	for k, v := range it.Headers {
		res.header.Set(k, v)
	}
	if strings.HasPrefix(it.Headers["Content-Type"], "application/json") && it.Body != nil {
		if err := json.Unmarshal(it.Body, &res.body); err != nil {
			t.Fatalf("answer %q: %v", it.ID, err)
		}
	}
	return res
}

// batchRequestOf is rq written as the request id of a batch, as a client
// would: the url relative to the version (rq's /beta dropped), the headers
// the harness would send (Content-Type with a body, rq's own), a body that
// is a JSON object as it is, byte for byte, any other as base64.
func batchRequestOf(id string, rq request) string {
	headers := map[string]string{}
	if rq.body != "" {
		headers["Content-Type"] = "application/json"
	}
	for i := 0; i+1 < len(rq.headers); i += 2 {
		name, value := rq.headers[i], rq.headers[i+1]
		for k := range headers {
			if strings.EqualFold(k, name) {
				delete(headers, k)
			}
		}
		if value != "" {
			headers[name] = value
		}
	}
	var b strings.Builder
	b.WriteString(`{"id":` + jsonText(id) + `,"method":` + jsonText(rq.method) + `,"url":` + jsonText(strings.TrimPrefix(rq.path, "/beta")))
	if len(headers) > 0 {
		b.WriteString(`,"headers":{`)
		k := 0
		for name, value := range headers {
			if k++; k > 1 {
				b.WriteByte(',')
			}
			b.WriteString(jsonText(name) + ":" + jsonText(value))
		}
		b.WriteByte('}')
	}
	switch {
	case rq.body == "":
	case jsonObject(rq.body):
		b.WriteString(`,"body":` + rq.body)
	default:
		b.WriteString(`,"body":"` + base64.StdEncoding.EncodeToString([]byte(rq.body)) + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

// jsonText is s as a JSON string; bytes that are not UTF-8 become
// U+FFFD, as a JSON document cannot hold them.
func jsonText(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonObject reports whether s is a JSON object a batch carries byte for
// byte as one: valid, UTF-8, nothing around the braces (a member's value
// loses it), and not so deep that the batch itself would be refused.
func jsonObject(s string) bool {
	if !utf8.ValidString(s) || !json.Valid([]byte(s)) || !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > 64 {
				return false
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// doBatched sends rq inside a batch of one, with rq's token, and returns
// the answer to rq as if it had come alone. The batch itself must answer
// 200 with that one answer.
func (h *harness) doBatched(rq request) *response {
	h.t.Helper()
	return h.doBatchedAll([]request{rq})[0]
}

// doBatchedAll sends rqs, which share one token, in one batch, and
// returns the answer to each as if it had come alone.
func (h *harness) doBatchedAll(rqs []request) []*response {
	h.t.Helper()
	items := make([]string, len(rqs))
	for i, rq := range rqs {
		items[i] = batchRequestOf(fmt.Sprint(i), rq)
	}
	outer := request{body: `{"requests":[` + strings.Join(items, ",") + `]}`, tenant: rqs[0].tenant, token: rqs[0].token}
	res, answers := h.batch(outer)
	if res.status != 200 || len(answers) != len(rqs) {
		h.t.Fatalf("%s %s and %d more in a batch: the batch answered %d with %d answers\n%.2000s",
			rqs[0].method, rqs[0].path, len(rqs)-1, res.status, len(answers), res.raw)
	}
	out := make([]*response, len(rqs))
	for i, it := range answers {
		if it.ID != fmt.Sprint(i) {
			h.t.Fatalf("answer %d has the id %q: independent requests are answered in order", i, it.ID)
		}
		out[i] = it.response(h.t)
	}
	return out
}

// volatile matches what differs between two runs of one request: ids,
// request-ids, times, eTags (in a body, or quoted in an ETag header), and
// the codes the permission walk numbers (walk12).
var volatile = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|` +
	`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?|"eTag":"[^"]*"|\\"[A-Za-z0-9_-]{22}\\"|walk\d+`)

func normalizeAnswer(s string) string { return volatile.ReplaceAllString(s, "<x>") }

// sameAnswer says how a request's answer inside a batch differs from the
// same request's answer alone, or "" when they agree: the status, the
// Content-Type, the error's code and message, the body and Location but
// for ids and times.
func sameAnswer(direct, batched *response) string {
	switch {
	case direct.status != batched.status:
		return fmt.Sprintf("status %d, alone %d\n%s\nalone: %s", batched.status, direct.status, batched.raw, direct.raw)
	case direct.header.Get("Content-Type") != batched.header.Get("Content-Type"):
		return fmt.Sprintf("Content-Type %q, alone %q", batched.header.Get("Content-Type"), direct.header.Get("Content-Type"))
	case direct.status >= 400:
		if direct.errorCode() != batched.errorCode() || direct.errorMessage() != batched.errorMessage() || direct.errorTarget() != batched.errorTarget() {
			return fmt.Sprintf("error %s %q, alone %s %q", batched.errorCode(), batched.errorMessage(), direct.errorCode(), direct.errorMessage())
		}
	case normalizeAnswer(direct.raw) != normalizeAnswer(batched.raw):
		return fmt.Sprintf("body\n%s\nalone\n%s", batched.raw, direct.raw)
	case normalizeAnswer(direct.header.Get("Location")) != normalizeAnswer(batched.header.Get("Location")):
		return fmt.Sprintf("Location %q, alone %q", batched.header.Get("Location"), direct.header.Get("Location"))
	}
	return ""
}
