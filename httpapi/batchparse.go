package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"industrydata"
)

// A JSON batch (POST /beta/$batch, SPEC §6) read into its requests. Graph
// answers two kinds of mistakes differently, and so does this: a batch that
// cannot be read as a whole (not JSON, no requests, more than 20, an id
// twice, a dependency on no request or in a cycle, an absolute URL) is a
// 400 for the whole batch; a request that can be read but not sent (a URL
// of another version, a nested $batch, a header the batch owns, a body that
// is neither an object nor base64) is a 400 for that request alone, beside
// the others' answers.

// MaxBatchRequests is how many requests one batch holds, as in Graph.
const MaxBatchRequests = 20

// batchRequest is one request of a batch, read and checked.
type batchRequest struct {
	id     string // as sent: the response echoes it
	method string
	// target is the request target of the request sent through the
	// router: "/beta" and the url relative to the version.
	target  string
	header  http.Header
	body    []byte // nil without a body
	deps    []int  // indexes of the requests it depends on
	refusal error  // set: answered 400 with it, never sent
	// depIDs are the ids of dependsOn as sent, until linkDependencies
	// turns them into deps.
	depIDs []string
}

// batchMember names a member of the batch for targets and messages:
// requests[2].url.
func batchMember(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("requests[%d]", i)
	}
	return fmt.Sprintf("requests[%d].%s", i, name)
}

func batchError(target, format string, args ...any) error {
	return &industrydata.Error{Code: industrydata.CodeBadRequest, Message: fmt.Sprintf(format, args...), Target: target}
}

// parseBatch reads a batch body: {"requests": [request, …]}, 1 to
// MaxBatchRequests requests, every name of the envelope known and given
// once. It returns the requests in the order sent; a request it cannot send
// carries its refusal.
func parseBatch(data []byte) ([]batchRequest, error) {
	if !utf8.Valid(data) {
		return nil, batchError("", "The batch is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := expectDelim(dec, '{', "", "The batch must be a JSON object with 'requests'"); err != nil {
		return nil, err
	}
	var reqs []batchRequest
	seen := false
	for dec.More() {
		name, err := memberName(dec)
		if err != nil {
			return nil, err
		}
		if name != "requests" {
			return nil, batchError(clipPath(name), "'%s' is not a member of a batch; a batch has 'requests' only.", clipPath(name))
		}
		if seen {
			return nil, batchError("requests", "'requests' appears more than once in the batch.")
		}
		seen = true
		if reqs, err = readRequests(dec); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, batchSyntaxError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, batchError("", "The batch has data after its JSON object.")
	}
	if len(reqs) == 0 {
		return nil, batchError("requests", "A batch needs 'requests': an array of 1 to %d requests.", MaxBatchRequests)
	}
	if err := linkDependencies(reqs); err != nil {
		return nil, err
	}
	return reqs, nil
}

// readRequests reads the requests array.
func readRequests(dec *json.Decoder) ([]batchRequest, error) {
	if err := expectDelim(dec, '[', "requests", "'requests' must be an array of requests"); err != nil {
		return nil, err
	}
	var reqs []batchRequest
	for dec.More() {
		if len(reqs) == MaxBatchRequests {
			return nil, batchError("requests", "A batch holds at most %d requests; this one has more.", MaxBatchRequests)
		}
		rq, err := readRequest(dec, len(reqs))
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, rq)
	}
	if _, err := dec.Token(); err != nil {
		return nil, batchSyntaxError(err)
	}
	return reqs, nil
}

// rawRequest is a request's members before their meaning is checked;
// dependsOn keeps the ids until every id of the batch is known.
type rawRequest struct {
	id, method, url string
	headers         [][2]string // name, value; in the order sent
	body            json.RawMessage
	dependsOn       []string
}

// readRequest reads request i: an object with id, method and url (strings),
// and optionally headers (an object of strings), body and dependsOn (an
// array of ids).
func readRequest(dec *json.Decoder, i int) (batchRequest, error) {
	if err := expectDelim(dec, '{', batchMember(i, ""), "Each request of the batch must be a JSON object"); err != nil {
		return batchRequest{}, err
	}
	var raw rawRequest
	seen := map[string]bool{}
	for dec.More() {
		name, err := memberName(dec)
		if err != nil {
			return batchRequest{}, err
		}
		target := batchMember(i, clipPath(name))
		if seen[name] {
			return batchRequest{}, batchError(target, "'%s' appears more than once in %s.", clipPath(name), batchMember(i, ""))
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return batchRequest{}, batchSyntaxError(err)
		}
		switch name {
		case "id":
			err = stringMember(v, target, &raw.id)
		case "method":
			err = stringMember(v, target, &raw.method)
		case "url":
			err = stringMember(v, target, &raw.url)
		case "headers":
			raw.headers, err = headerMember(v, target)
		case "body":
			raw.body = v
		case "dependsOn":
			err = dependsOnMember(v, target, &raw.dependsOn)
		default:
			err = batchError(target, "'%s' is not a member of a batch request; one has id, method, url, headers, body and dependsOn.", clipPath(name))
		}
		if err != nil {
			return batchRequest{}, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return batchRequest{}, batchSyntaxError(err)
	}
	for _, m := range []struct{ name, value string }{{"id", raw.id}, {"method", raw.method}, {"url", raw.url}} {
		if m.value == "" {
			return batchRequest{}, batchError(batchMember(i, m.name), "%s has no %s; every request of a batch needs a non-empty id, method and url.", batchMember(i, ""), m.name)
		}
	}
	// The method is sent as it is: methods are case-sensitive, and the
	// router answers one it does not serve with 405, as it does alone.
	rq := batchRequest{id: raw.id, method: raw.method, header: http.Header{}, depIDs: raw.dependsOn}
	target, refusal, err := batchTarget(raw.url, i)
	if err != nil {
		return batchRequest{}, err
	}
	rq.target, rq.refusal = target, refusal
	if !isToken(raw.method) {
		rq.refusal = batchError(batchMember(i, "method"), "The method of %s, '%s', is not an HTTP method.", batchMember(i, ""), clipPath(raw.method))
	}
	if rq.refusal == nil {
		rq.refusal = checkHeaders(raw.headers, rq.header, i)
	}
	if rq.refusal == nil {
		rq.body, rq.refusal = requestBody(raw.body, i)
	}
	return rq, nil
}

// expectDelim reads the next token, which must open an object or array.
func expectDelim(dec *json.Decoder, want json.Delim, target, what string) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return batchError(target, "The batch is empty; it must be a JSON object with 'requests'.")
	}
	if err != nil {
		return batchSyntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return batchError(target, "%s, not %s.", what, describeJSONToken(tok))
	}
	return nil
}

// memberName reads the name of an object's next member.
func memberName(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", batchSyntaxError(err)
	}
	name, _ := tok.(string) // inside an object the decoder yields names only
	return name, nil
}

func batchSyntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return batchError("", "The batch is not valid JSON: %s at offset %d.", se.Error(), se.Offset)
	}
	return batchError("", "The batch is not valid JSON: it ends too soon.")
}

// describeJSONToken names the kind of a token a decoder read.
func describeJSONToken(tok any) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// describeJSON names the kind of a JSON value.
func describeJSON(v json.RawMessage) string {
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// stringMember reads a member that must be a JSON string.
func stringMember(v json.RawMessage, target string, dst *string) error {
	if v[0] != '"' {
		return batchError(target, "%s must be a string, not %s.", target, describeJSON(v))
	}
	return json.Unmarshal(v, dst)
}

// headerMember reads headers: an object whose values are strings (or
// null, none).
func headerMember(v json.RawMessage, target string) ([][2]string, error) {
	if string(v) == "null" {
		return nil, nil
	}
	if v[0] != '{' {
		return nil, batchError(target, "%s must be an object of header names and values, not %s.", target, describeJSON(v))
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	_, _ = dec.Token() // the opening brace, checked above
	var out [][2]string
	for dec.More() {
		name, err := memberName(dec)
		if err != nil {
			return nil, err
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, batchSyntaxError(err)
		}
		var s string
		if err := stringMember(value, target+"."+clipPath(name), &s); err != nil {
			return nil, err
		}
		out = append(out, [2]string{name, s})
	}
	return out, nil
}

// dependsOnMember reads dependsOn: an array of ids (or null, none).
func dependsOnMember(v json.RawMessage, target string, dst *[]string) error {
	if string(v) == "null" {
		return nil
	}
	var items []json.RawMessage
	if v[0] != '[' || json.Unmarshal(v, &items) != nil {
		return batchError(target, "%s must be an array of request ids, not %s.", target, describeJSON(v))
	}
	for _, it := range items {
		var id string
		if err := stringMember(it, target, &id); err != nil {
			return batchError(target, "%s must be an array of request ids; it holds %s.", target, describeJSON(it))
		}
		*dst = append(*dst, id)
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2), as a method
// or a header name must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// absoluteURL matches a URL with a scheme or a host: a batch's URLs are
// relative to the version, and Graph refuses the batch that holds another.
var absoluteURL = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*:|//)`)

// versionSegment matches a version of Graph other than this one's, such as
// v1.0.
var versionSegment = regexp.MustCompile(`^v[0-9]+(\.[0-9]+)?$`)

// batchTarget is the request target of request i's url: "/beta" and the
// url relative to the version, with or without its leading slash, a leading
// /beta accepted as Graph does. An absolute url is an error of the batch
// (err); another version, a nested $batch or a url that is no URL is the
// request's refusal.
func batchTarget(u string, i int) (target string, refusal, err error) {
	member := batchMember(i, "url")
	if absoluteURL.MatchString(u) {
		return "", nil, batchError(member, "The url of %s is absolute ('%s'); a batch's urls are relative to the version, as /industryData/operations.",
			batchMember(i, ""), clipPath(u))
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	first := u[1:]
	if end := strings.IndexAny(first, "/?"); end >= 0 {
		first = first[:end]
	}
	switch {
	case first == "beta":
		u = strings.TrimPrefix(u, "/beta")
		if !strings.HasPrefix(u, "/") {
			u = "/" + u
		}
	case versionSegment.MatchString(first):
		return "", batchError(member, "This service serves the beta version of Graph only; the url of %s is under /%s. Write it relative to /beta, as /industryData/operations.",
			batchMember(i, ""), clipPath(first)), nil
	}
	target = "/beta" + u
	parsed, perr := url.ParseRequestURI(target)
	if perr != nil {
		return "", batchError(member, "The url of %s is not a valid URL.", batchMember(i, "")), nil
	}
	if p := strings.TrimPrefix(parsed.Path, "/beta/"); p == "$batch" || strings.HasPrefix(p, "$batch/") {
		return "", batchError(member, "A batch cannot hold a $batch (%s).", batchMember(i, "")), nil
	}
	return target, nil, nil
}

// batchOwnedHeaders are the headers a batch's request may not set: the
// batch's own token applies to each of its requests, as in Graph; the host
// and forwarding headers make the absolute URLs of every answer, and a
// trusted proxy set them on the batch only; the rest frame a message that a
// request of a batch does not have.
var batchOwnedHeaders = []string{
	"Authorization", "Host", "Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For",
	"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection",
	"Proxy-Authorization", "Te", "Trailer", "Upgrade", "Expect",
}

// checkHeaders puts request i's headers into h: names case-insensitive, as
// in HTTP, so a name given twice in two spellings is a refusal, as is a
// name or value HTTP could not carry and a header the batch owns.
func checkHeaders(pairs [][2]string, h http.Header, i int) error {
	member := batchMember(i, "headers")
	for _, p := range pairs {
		name, value := p[0], p[1]
		if !isToken(name) {
			return batchError(member, "'%s' in the headers of %s is not a header name.", clipPath(name), batchMember(i, ""))
		}
		canonical := http.CanonicalHeaderKey(name)
		for _, owned := range batchOwnedHeaders {
			if canonical == owned {
				return batchError(member, "A request of a batch cannot set %s (%s): the batch's own applies.", name, batchMember(i, ""))
			}
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return batchError(member, "The value of the header %s of %s holds a control character.", name, batchMember(i, ""))
		}
		if _, dup := h[canonical]; dup {
			return batchError(member, "The header %s is given twice in %s (header names ignore letter case).", name, batchMember(i, ""))
		}
		h[canonical] = []string{value}
	}
	return nil
}

// requestBody is request i's body: a JSON object sent as it is, or a
// base64 string (standard or URL alphabet, padded or not) decoded, as Graph
// takes a non-JSON body; null or absent is none.
func requestBody(v json.RawMessage, i int) ([]byte, error) {
	if v == nil || string(v) == "null" {
		return nil, nil
	}
	member := batchMember(i, "body")
	switch v[0] {
	case '{':
		return v, nil
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, batchError(member, "The body of %s is not a valid JSON string.", batchMember(i, ""))
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if data, err := enc.DecodeString(s); err == nil {
				return data, nil
			}
		}
		return nil, batchError(member, "The body of %s is a string that is not base64; a body is a JSON object, or base64 for any other content.", batchMember(i, ""))
	}
	return nil, batchError(member, "The body of %s must be a JSON object or a base64 string, not %s.", batchMember(i, ""), describeJSON(v))
}
