package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/schema"
)

// appendCollectionWhole is writeCollection's JSON built in one buffer, as
// it was before it streamed: the reference the streamed bytes must equal.
func appendCollectionWhole(a *api, r *http.Request, p collectionPage) []byte {
	buf := []byte(`{"@odata.context":`)
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
	}
	buf = append(buf, ']')
	if p.next != "" {
		buf = append(buf, `,"@odata.nextLink":`...)
		buf = schema.AppendString(buf, nextLink(r, base, p.next))
	}
	return append(buf, '}')
}

// A page larger than a chunk streams: the same bytes as built whole, the
// headers of JSON, no Content-Length; a small page is sent whole with it.
func TestWriteCollectionStreamsSameBytes(t *testing.T) {
	a := &api{}
	for _, n := range []int{0, 1, 7, 999} {
		for _, detail := range []int{10, schema.MaxStatusDetailLength} {
			t.Run(fmt.Sprintf("%d operations of %d characters", n, detail), func(t *testing.T) {
				p := collectionPage{context: "industryData/operations", next: "tok", count: new(int64)}
				*p.count = int64(n)
				for i := range n {
					d := strings.Repeat("\x01é", detail/2) + strconv.Itoa(i)
					now := time.Date(2024, 5, 1, 8, 30, 0, i, time.UTC)
					p.items = append(p.items, collectionItem{entity: &industrydata.Operation{ID: fmt.Sprintf("op-%d", i),
						Type: schema.LongRunningOperation.FullName(), CreatedDateTime: now, LastActionDateTime: &now,
						Status: industrydata.OperationRunning, StatusDetail: &d}})
				}
				r := httptest.NewRequest("GET", "http://industrydata.test/beta/industryData/operations?$top=999", nil)
				want := appendCollectionWhole(a, r, p)
				rec := httptest.NewRecorder()
				if err := a.writeCollection(rec, r, p); err != nil {
					t.Fatal(err)
				}
				if rec.Code != 200 || rec.Header().Get("Content-Type") != contentTypeJSON {
					t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
				}
				if got := rec.Body.String(); got != string(want) {
					t.Fatalf("streamed %d bytes differ from the %d built whole", len(got), len(want))
				}
				cl := rec.Header().Get("Content-Length")
				if len(want) <= streamChunk && cl != strconv.Itoa(len(want)) || len(want) > streamChunk && cl != "" {
					t.Errorf("%d bytes with Content-Length %q", len(want), cl)
				}
			})
		}
	}
}
