package httpapi

import (
	"net/http"
	"strings"

	"industrydata/service"
)

// quoteETag is the HTTP form of an entity's version: a strong entity-tag.
func quoteETag(etag string) string { return `"` + etag + `"` }

// parseETags reads an If-Match or If-None-Match header: nil when absent,
// else the opaque tags it lists. Weak tags (W/"x") and bare unquoted values
// (what clients copy from a body's eTag) are accepted too. The wildcard is
// "*" in the list, whether sent bare (*) or quoted ("*"), as clients that
// quote every value do: the service never issues the entity-tag "*", so the
// quoted form can only mean the wildcard. A
// header that is there but names no tag (`""`, `W/`, blanks, commas) is an
// empty, non-nil list: it matches no version, so a guarded write fails with
// 412 rather than going ahead unconditionally (SPEC §3).
func parseETags(h http.Header, name string) service.Precondition {
	values := h.Values(name)
	if len(values) == 0 {
		return nil
	}
	tags := service.Precondition{}
	for _, v := range values {
		for _, part := range splitETags(v) {
			part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
			if len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"' {
				part = part[1 : len(part)-1]
			}
			if part != "" {
				tags = append(tags, part)
			}
		}
	}
	return tags
}

// splitETags splits a header value on the commas between entity-tags,
// leaving commas inside quotes alone.
func splitETags(v string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// notModified answers 304 when If-None-Match names the current version.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	tags := parseETags(r.Header, "If-None-Match")
	for _, t := range tags {
		if t == "*" || t == etag {
			w.Header().Set("ETag", quoteETag(etag))
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}
