package httpapi

import (
	"net/http"
	"strconv"

	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
)

// entityResponse is one entity to send.
type entityResponse struct {
	status int
	// typ is the entity's type; nil asks schema.TypeOf.
	typ     *schema.EntityType
	entity  any
	etag    string // the stored version, sent as the ETag header
	context string // the @odata.context fragment after $metadata#
	sel     schema.Selection
	expand  []schema.Expansion
}

// writeEntity sends one entity with its ETag and @odata.context.
func (a *api) writeEntity(w http.ResponseWriter, r *http.Request, e entityResponse) error {
	if e.etag != "" {
		w.Header().Set("ETag", quoteETag(e.etag))
	}
	typ := e.typ
	if typ == nil {
		typ = schema.TypeOf(e.entity)
	}
	base := a.baseURL(r)
	shape := schema.Shape{Select: e.sel, Expand: e.expand, Base: base,
		Annotations: []schema.Annotation{{Name: "@odata.context", Value: base + "/beta/$metadata#" + e.context}}}
	writeJSON(w, e.status, shape.Append(make([]byte, 0, 512), typ, e.entity))
	return nil
}

// collectionItem is one entity of a collection page.
type collectionItem struct {
	entity any
	expand []schema.Expansion
}

// collectionPage is a page to send: {"@odata.context", "@odata.count"?,
// "value", "@odata.nextLink"?}.
type collectionPage struct {
	context string
	items   []collectionItem
	sel     schema.Selection
	count   *int64
	// next is the $skiptoken of the page after this one; "" on the last.
	next string
}

// newCollectionPage is the response of one page of a collection at
// context (its path, which the query's $select is added to).
func newCollectionPage[T any](q *odata.Query, context string, page service.Page[T]) collectionPage {
	out := collectionPage{context: context + selectSuffix(q), sel: selection(q), count: page.Count,
		next: page.Next, items: make([]collectionItem, len(page.Items))}
	for i := range page.Items {
		// Entities of the import surface come as pointers already.
		var e any = &page.Items[i]
		if v, ok := any(page.Items[i]).(service.Entity); ok {
			e = v
		}
		out.items[i] = collectionItem{entity: e}
	}
	return out
}

// writeCollection sends a page. The page's entities are in memory already;
// their JSON is not held beside them: it goes out in chunks of about
// streamChunk bytes (net/http sends them chunked), so that a request's
// memory is its entities and a constant, whatever they hold. A page that
// fits in one chunk is sent whole, with its Content-Length.
func (a *api) writeCollection(w http.ResponseWriter, r *http.Request, p collectionPage) error {
	sw := streamWriter{w: w}
	buf := make([]byte, 0, min(256+len(p.items)*320, streamChunk+streamChunk/4))
	buf = append(buf, `{"@odata.context":`...)
	base := a.baseURL(r)
	buf = schema.AppendString(buf, base+"/beta/$metadata#"+p.context)
	if p.count != nil {
		buf = append(buf, `,"@odata.count":`...)
		buf = strconv.AppendInt(buf, *p.count, 10)
	}
	buf = append(buf, `,"value":[`...)
	for i, it := range p.items {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = schema.Shape{Select: p.sel, Expand: it.expand, Base: base}.Append(buf, schema.TypeOf(it.entity), it.entity)
		if len(buf) >= streamChunk {
			if buf = sw.flush(buf); sw.err != nil {
				// The client is gone: nothing more can reach it.
				return nil
			}
		}
	}
	buf = append(buf, ']')
	if p.next != "" {
		buf = append(buf, `,"@odata.nextLink":`...)
		buf = schema.AppendString(buf, nextLink(r, base, p.next))
	}
	buf = append(buf, '}')
	if !sw.started {
		writeJSON(w, http.StatusOK, buf)
		return nil
	}
	sw.flush(buf)
	return nil
}

// streamChunk is how much JSON writeCollection gathers before writing it.
const streamChunk = 32 << 10

// streamWriter writes a 200 JSON response in chunks: the headers with the
// first, without a Content-Length.
type streamWriter struct {
	w       http.ResponseWriter
	started bool
	err     error
}

// flush writes buf and returns it emptied for reuse.
func (s *streamWriter) flush(buf []byte) []byte {
	if !s.started {
		s.started = true
		s.w.Header().Set("Content-Type", contentTypeJSON)
		s.w.WriteHeader(http.StatusOK)
	}
	if s.err == nil {
		_, s.err = s.w.Write(buf)
	}
	return buf[:0]
}

// prefersMinimal reports whether the client asked for no body on success
// (Prefer: return=minimal), and says so when honoured.
func prefersMinimal(w http.ResponseWriter, r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, pref := range splitETags(v) {
			if pref == "return=minimal" || pref == " return=minimal" {
				w.Header().Set("Preference-Applied", "return=minimal")
				return true
			}
		}
	}
	return false
}

// noContent answers 204 with the new version's ETag.
func noContent(w http.ResponseWriter, etag string) error {
	if etag != "" {
		w.Header().Set("ETag", quoteETag(etag))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
