package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"industrydata"
	"industrydata/schema"
)

// contentTypeXML is the media type of the $metadata document.
const contentTypeXML = "application/xml"

// metadataETag is the document's strong validator: a hash of its bytes, so
// it changes exactly when the model does.
var metadataETag = sync.OnceValue(func() string {
	sum := sha256.Sum256(schema.CSDL())
	return base64.RawURLEncoding.EncodeToString(sum[:18])
})

// metadata serves the CSDL document derived from the schema (SPEC §1). It is
// public: clients and code generators read it before they hold a token
// (SPEC §7).
func (a *api) metadata(w http.ResponseWriter, r *http.Request) {
	opts, err := queryOptions(r, "format")
	if err != nil {
		writeError(w, r, a.Logger, err)
		return
	}
	if f, ok := opts["format"]; ok && !isXMLFormat(f) {
		writeError(w, r, a.Logger, industrydata.BadProperty("$format",
			"The $metadata document is only available as XML; $format '%s' is not supported.", clipPath(f)))
		return
	}
	etag := metadataETag()
	if notModified(w, r, etag) {
		return
	}
	doc := schema.CSDL()
	h := w.Header()
	h.Set("Content-Type", contentTypeXML)
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	h.Set("ETag", quoteETag(etag))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// isXMLFormat reports whether a $format value asks for XML: the OData short
// name or the media type.
func isXMLFormat(f string) bool {
	return strings.EqualFold(f, "xml") || strings.EqualFold(f, contentTypeXML)
}
