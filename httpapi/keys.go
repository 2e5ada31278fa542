package httpapi

import (
	"net/http"
	"net/url"
	"strings"
)

// OData's canonical way to address one entity is its key in parentheses,
// operations('id'), which the service itself writes in @odata.context
// (processes('id')/runs). The route table is written with key segments,
// operations/{id}; keyForm turns the first into the second before routing,
// for every set at once, so that a set added later gets it for free.

// keyedPath is a request path with its key-in-parentheses segments made key
// segments.
type keyedPath struct {
	path, rawPath string
	// keys are the indexes, in the escaped path split at '/', of the
	// segments that came out of parentheses: after routing each must fall
	// on a {wildcard} of the matched pattern (keysOnWildcards).
	keys []int
}

// keyForm rewrites every segment of escapedPath of the form name('key')
// into name/key, the key unquoted (a doubled quote is one) and percent-encoded as
// one segment: a key holding '/' stays one segment and cannot reach another
// route. Segments of any other form are left as they are, among them
// function calls (getStatistics(), f(a=1)), unquoted or malformed keys, and
// keys that could not be a segment (”, '.', '..'): those match no route
// and answer 404. ok is false when no segment was rewritten.
func keyForm(escapedPath string) (kp keyedPath, ok bool) {
	segs := strings.Split(escapedPath, "/")
	out := make([]string, 0, len(segs)+2)
	for _, seg := range segs {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			out = append(out, seg)
			continue
		}
		name, key, isKey := parseKeySegment(dec)
		if !isKey {
			out = append(out, seg)
			continue
		}
		out = append(out, url.PathEscape(name))
		kp.keys = append(kp.keys, len(out))
		out = append(out, url.PathEscape(key))
	}
	if len(kp.keys) == 0 {
		return keyedPath{}, false
	}
	kp.rawPath = strings.Join(out, "/")
	p, err := url.PathUnescape(kp.rawPath)
	if err != nil {
		return keyedPath{}, false
	}
	kp.path = p
	return kp, true
}

// parseKeySegment splits name('key') into name and key; isKey is false for
// any other form.
func parseKeySegment(s string) (name, key string, isKey bool) {
	open := strings.Index(s, "('")
	if open <= 0 || !strings.HasSuffix(s, "')") || len(s) < open+4 {
		return "", "", false
	}
	name = s[:open]
	if strings.ContainsAny(name, "()'") {
		return "", "", false
	}
	body := s[open+2 : len(s)-2]
	// Inside the quotes a quote is written twice; a lone one ends the
	// literal early and makes the segment malformed.
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\'' {
			if i+1 >= len(body) || body[i+1] != '\'' {
				return "", "", false
			}
			i++
		}
		b.WriteByte(body[i])
	}
	key = b.String()
	if key == "" || key == "." || key == ".." {
		return "", "", false
	}
	return name, key, true
}

// withKeyedPath is r addressed by kp.
func withKeyedPath(r *http.Request, kp keyedPath) *http.Request {
	u := *r.URL
	u.Path, u.RawPath = kp.path, kp.rawPath
	r = r.Clone(r.Context())
	r.URL = &u
	return r
}

// keysOnWildcards reports whether every segment at keys is a {wildcard} of
// pattern (a ServeMux pattern, "METHOD /path"): a key in parentheses names
// an entity, so operations('$count') or runs('start') must not reach the
// $count or the start route.
func keysOnWildcards(pattern string, keys []int) bool {
	if _, p, ok := strings.Cut(pattern, " "); ok {
		pattern = p
	}
	segs := strings.Split(pattern, "/")
	for _, k := range keys {
		if k >= len(segs) || !strings.HasPrefix(segs[k], "{") {
			return false
		}
	}
	return true
}
