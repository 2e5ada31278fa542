package blob

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"industrydata"
)

// enumerationResults is List Blobs' answer, as Azure writes it.
type enumerationResults struct {
	XMLName         xml.Name   `xml:"EnumerationResults"`
	ServiceEndpoint string     `xml:"ServiceEndpoint,attr"`
	ContainerName   string     `xml:"ContainerName,attr"`
	Prefix          string     `xml:"Prefix,omitempty"`
	Marker          string     `xml:"Marker,omitempty"`
	MaxResults      int        `xml:"MaxResults,omitempty"`
	Blobs           []blobItem `xml:"Blobs>Blob"`
	NextMarker      string     `xml:"NextMarker"`
}

type blobItem struct {
	Name       string         `xml:"Name"`
	Properties blobProperties `xml:"Properties"`
}

type blobProperties struct {
	CreationTime       string `xml:"Creation-Time"`
	LastModified       string `xml:"Last-Modified"`
	ETag               string `xml:"Etag"`
	ContentLength      int64  `xml:"Content-Length"`
	ContentType        string `xml:"Content-Type"`
	ContentEncoding    string `xml:"Content-Encoding"`
	ContentLanguage    string `xml:"Content-Language"`
	ContentMD5         string `xml:"Content-MD5"`
	ContentDisposition string `xml:"Content-Disposition"`
	CacheControl       string `xml:"Cache-Control"`
	BlobType           string `xml:"BlobType"`
	LeaseStatus        string `xml:"LeaseStatus"`
	LeaseState         string `xml:"LeaseState"`
	ServerEncrypted    bool   `xml:"ServerEncrypted"`
}

// maxListResults is the most blobs one List Blobs answers, as Azure's.
const maxListResults = 5000

// listBlobs: GET {container}?restype=container&comp=list, with prefix,
// marker (the name to start at: this service's NextMarker) and
// maxresults. A container holds at most the eight file names, so a page
// is read whole from the store and cut here.
func (h *Handler) listBlobs(q *request) {
	query := q.r.URL.Query()
	max := maxListResults
	if v := query.Get("maxresults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListResults {
			h.fail(q, http.StatusBadRequest, "OutOfRangeQueryParameterValue",
				"maxresults must be a number from 1 to "+strconv.Itoa(maxListResults)+".")
			return
		}
		max = n
	}
	prefix, marker := query.Get("prefix"), query.Get("marker")
	blobs, err := h.cfg.Store.ListBlobs(q.r.Context(), q.container.ID)
	if err != nil {
		h.storeFailed(q, err)
		return
	}
	out := enumerationResults{
		ServiceEndpoint: endpoint(q.r),
		ContainerName:   q.container.ID,
		Prefix:          prefix,
		Marker:          marker,
		Blobs:           []blobItem{},
	}
	if query.Has("maxresults") {
		out.MaxResults = max
	}
	for _, b := range blobs {
		if !strings.HasPrefix(b.Name, prefix) || b.Name < marker {
			continue
		}
		if len(out.Blobs) == max {
			out.NextMarker = b.Name
			break
		}
		out.Blobs = append(out.Blobs, item(b))
	}
	body, err := xml.Marshal(out)
	if err != nil {
		h.internal(q, err)
		return
	}
	body = append([]byte(xml.Header), body...)
	hd := q.w.Header()
	hd.Set("Content-Type", "application/xml")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write(body)
}

func item(b industrydata.BlobInfo) blobItem {
	p := blobProperties{
		CreationTime:       httpTime(b.Created),
		LastModified:       httpTime(b.LastModified),
		ETag:               b.ETag, // unquoted in listings, as Azure writes it
		ContentLength:      b.Size,
		ContentType:        b.Props.ContentType,
		ContentEncoding:    b.Props.ContentEncoding,
		ContentLanguage:    b.Props.ContentLanguage,
		ContentDisposition: b.Props.ContentDisposition,
		CacheControl:       b.Props.CacheControl,
		BlobType:           "BlockBlob",
		LeaseStatus:        "unlocked",
		LeaseState:         "available",
	}
	if len(b.Props.ContentMD5) > 0 {
		p.ContentMD5 = base64.StdEncoding.EncodeToString(b.Props.ContentMD5)
	}
	return blobItem{Name: b.Name, Properties: p}
}

// endpoint is the service endpoint the request reached: scheme, host and
// the account segment.
func endpoint(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}
