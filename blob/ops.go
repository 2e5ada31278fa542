package blob

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"time"

	"industrydata"
)

// errBodyShort is a body that ended before its Content-Length.
var errBodyShort = errors.New("the body ended before its Content-Length")

// body returns q's body for a store to stream, or false having answered:
// Content-Length is required (Azure's uploads never chunk) and within max;
// the Content-MD5 sent, if any, is checked as the body ends (the reader's
// last Read fails with errMD5Mismatch instead of io.EOF, so the store
// stores nothing); each MiB moves the connection's deadlines.
func (h *Handler) body(q *request, max int64) (io.Reader, bool) {
	n := q.r.ContentLength
	if n < 0 {
		h.fail(q, http.StatusLengthRequired, "MissingContentLengthHeader", "The Content-Length header is required.")
		return nil, false
	}
	if n > max {
		h.fail(q, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", fmt.Sprintf(
			"The request body is too large and exceeds the maximum permissible limit of %d bytes.", max))
		return nil, false
	}
	want, ok := h.md5Header(q, "Content-MD5")
	if !ok {
		return nil, false
	}
	b := &bodyReader{r: q.r.Body, left: n, want: want}
	if want != nil {
		// Hashed here only to check what was sent: the store hashes what
		// it keeps anyway, and a second MD5 pass was a quarter of an
		// upload's CPU.
		b.h = md5.New()
	}
	if h.cfg.BodyTimeout > 0 {
		b.rc, b.timeout = http.NewResponseController(q.w), h.cfg.BodyTimeout
		b.extend()
	}
	return b, true
}

// md5Header decodes an MD5 header (base64 of 16 bytes); false having
// answered 400 InvalidMd5 when it is malformed.
func (h *Handler) md5Header(q *request, name string) ([]byte, bool) {
	v := q.r.Header.Get(name)
	if v == "" {
		return nil, true
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != md5.Size {
		h.fail(q, http.StatusBadRequest, "InvalidMd5", fmt.Sprintf("The MD5 value in %s is invalid: it must be 128 bits, base64-encoded.", name))
		return nil, false
	}
	return b, true
}

// bodyReader reads exactly Content-Length bytes of a body, hashing them.
type bodyReader struct {
	r       io.Reader
	left    int64
	want    []byte    // the Content-MD5 sent, or nil
	h       hash.Hash // nil when no Content-MD5 was sent
	rc      *http.ResponseController
	timeout time.Duration
	since   int64 // bytes read since the deadlines last moved
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.left == 0 {
		if b.want != nil && !bytes.Equal(b.h.Sum(nil), b.want) {
			return 0, errMD5Mismatch
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	if b.h != nil {
		b.h.Write(p[:n])
	}
	b.left -= int64(n)
	if b.rc != nil {
		if b.since += int64(n); b.since >= 1<<20 {
			b.since = 0
			b.extend()
		}
	}
	if errors.Is(err, io.EOF) {
		if b.left > 0 {
			return n, errBodyShort
		}
		err = nil
	}
	return n, err
}

// Len is how many bytes of the body are left to read, which a store may
// size its work by (the upload store compresses a whole file of up to
// 32 MiB, most roster files, with a faster codec).
func (b *bodyReader) Len() int { return int(b.left) }

// extend moves the connection's deadlines b.timeout ahead. A server that
// cannot (a test's recorder) simply keeps its own.
func (b *bodyReader) extend() {
	d := time.Now().Add(b.timeout)
	_ = b.rc.SetReadDeadline(d)
	_ = b.rc.SetWriteDeadline(d)
}

// props reads the blob properties a Put Blob or Put Block List sets: the
// x-ms-blob-* headers, falling back for Put Blob to the standard ones.
func (h *Handler) props(q *request, standard bool) (industrydata.BlobProps, bool) {
	get := func(azure, std string) (string, bool) {
		v := q.r.Header.Get(azure)
		if v == "" && standard && std != "" {
			v = q.r.Header.Get(std)
		}
		if len(v) > maxHeaderValue {
			h.fail(q, http.StatusBadRequest, "InvalidHeaderValue", fmt.Sprintf("The value of %s is longer than %d bytes.", azure, maxHeaderValue))
			return "", false
		}
		return v, true
	}
	var p industrydata.BlobProps
	for _, f := range []struct {
		dst       *string
		azure, st string
	}{
		{&p.ContentType, "x-ms-blob-content-type", "Content-Type"},
		{&p.ContentEncoding, "x-ms-blob-content-encoding", "Content-Encoding"},
		{&p.ContentLanguage, "x-ms-blob-content-language", "Content-Language"},
		{&p.ContentDisposition, "x-ms-blob-content-disposition", ""},
		{&p.CacheControl, "x-ms-blob-cache-control", "Cache-Control"},
	} {
		v, ok := get(f.azure, f.st)
		if !ok {
			return p, false
		}
		*f.dst = v
	}
	if p.ContentType == "" {
		p.ContentType = "application/octet-stream"
	}
	md, ok := h.md5Header(q, "x-ms-blob-content-md5")
	p.ContentMD5 = md
	return p, ok
}

// putBlob: PUT {container}/{blob}, a whole block blob in one request.
func (h *Handler) putBlob(q *request) {
	switch t := q.r.Header.Get("x-ms-blob-type"); t {
	case "BlockBlob":
	case "":
		h.fail(q, http.StatusBadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")
		return
	default:
		h.fail(q, http.StatusBadRequest, "InvalidHeaderValue", fmt.Sprintf("x-ms-blob-type %q is not supported: only BlockBlob.", industrydata.Shorten(t, 40)))
		return
	}
	props, ok := h.props(q, true)
	if !ok {
		return
	}
	body, ok := h.body(q, h.limits.MaxBlobBytes)
	if !ok {
		return
	}
	info, err := h.cfg.Store.PutBlob(q.r.Context(), q.container.ID, q.blob, body, h.limits, props)
	if err != nil {
		h.storeFailed(q, err)
		return
	}
	h.cfg.Metrics.Stored("PutBlob", q.r.ContentLength)
	h.cfg.Metrics.BlobWritten()
	hd := q.w.Header()
	setVersionHeaders(hd, info)
	if len(info.Props.ContentMD5) > 0 {
		hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(info.Props.ContentMD5))
	}
	hd.Set("x-ms-request-server-encrypted", "false")
	created(q)
}

// putBlock: PUT {blob}?comp=block&blockid=..., one uncommitted block.
func (h *Handler) putBlock(q *request) {
	id := q.r.URL.Query().Get("blockid")
	raw, err := base64.StdEncoding.DecodeString(id)
	if id == "" || err != nil {
		h.fail(q, http.StatusBadRequest, "InvalidQueryParameterValue", "The blockid parameter must be base64.")
		return
	}
	if len(raw) > 64 {
		h.fail(q, http.StatusBadRequest, "InvalidBlobOrBlock", "The block id must be at most 64 bytes before base64 encoding.")
		return
	}
	body, ok := h.body(q, h.limits.MaxBlockBytes)
	if !ok {
		return
	}
	sum, err := h.cfg.Store.PutBlock(q.r.Context(), q.container.ID, q.blob, id, body, h.limits)
	if err != nil {
		h.storeFailed(q, err)
		return
	}
	h.cfg.Metrics.Stored("PutBlock", q.r.ContentLength)
	q.w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum))
	q.w.Header().Set("x-ms-request-server-encrypted", "false")
	created(q)
}

// putBlockList: PUT {blob}?comp=blocklist, commit blocks as the blob.
func (h *Handler) putBlockList(q *request) {
	props, ok := h.props(q, false)
	if !ok {
		return
	}
	body, ok := h.body(q, maxBlockListBytes)
	if !ok {
		return
	}
	refs, err := parseBlockList(body, h.limits.MaxBlocks)
	switch {
	case errors.Is(err, errMD5Mismatch):
		h.storeFailed(q, err)
		return
	case errors.Is(err, industrydata.ErrTooManyBlocks):
		h.fail(q, http.StatusBadRequest, "BlockListTooLong", fmt.Sprintf("The block list may not contain more than %d blocks.", h.limits.MaxBlocks))
		return
	case err != nil:
		h.fail(q, http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid: "+industrydata.Shorten(err.Error(), 200))
		return
	}
	info, err := h.cfg.Store.CommitBlockList(q.r.Context(), q.container.ID, q.blob, refs, h.limits, props)
	if err != nil {
		h.storeFailed(q, err)
		return
	}
	h.cfg.Metrics.BlobWritten()
	setVersionHeaders(q.w.Header(), info)
	q.w.Header().Set("x-ms-request-server-encrypted", "false")
	created(q)
}

// parseBlockList reads a BlockList document: its Committed, Uncommitted
// and Latest elements in order, each a base64 block id of at most 64 bytes.
func parseBlockList(r io.Reader, max int) ([]industrydata.BlockRef, error) {
	d := xml.NewDecoder(r)
	var refs []industrydata.BlockRef
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 || refs == nil {
				return nil, errors.New("the document has no BlockList element")
			}
			return refs, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Local != "BlockList" || refs != nil {
					return nil, fmt.Errorf("unexpected element %s", industrydata.Shorten(t.Name.Local, 40))
				}
				refs = []industrydata.BlockRef{}
				continue
			}
			var from industrydata.BlockSource
			switch t.Name.Local {
			case "Latest":
				from = industrydata.BlockLatest
			case "Committed":
				from = industrydata.BlockCommitted
			case "Uncommitted":
				from = industrydata.BlockUncommitted
			default:
				return nil, fmt.Errorf("unexpected element %s", industrydata.Shorten(t.Name.Local, 40))
			}
			var id string
			if err := d.DecodeElement(&id, &t); err != nil {
				return nil, err
			}
			depth--
			raw, err := base64.StdEncoding.DecodeString(id)
			if err != nil || len(raw) > 64 || id == "" {
				return nil, fmt.Errorf("block id %q is not the base64 of at most 64 bytes", industrydata.Shorten(id, 100))
			}
			if len(refs) == max {
				return nil, industrydata.ErrTooManyBlocks
			}
			refs = append(refs, industrydata.BlockRef{ID: id, From: from})
		case xml.EndElement:
			depth--
		}
	}
}

// setVersionHeaders sets ETag and Last-Modified of a committed blob.
func setVersionHeaders(hd http.Header, b industrydata.BlobInfo) {
	hd.Set("ETag", `"`+b.ETag+`"`)
	hd.Set("Last-Modified", httpTime(b.LastModified))
}

// created answers 201 with an empty body.
func created(q *request) {
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusCreated)
}

// getBlobProperties: HEAD {blob}.
func (h *Handler) getBlobProperties(q *request) {
	b, err := h.cfg.Store.GetBlob(q.r.Context(), q.container.ID, q.blob)
	if errors.Is(err, industrydata.ErrNotFound) {
		h.fail(q, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
		return
	}
	if err != nil {
		h.internal(q, err)
		return
	}
	hd := q.w.Header()
	setVersionHeaders(hd, b)
	hd.Set("Content-Length", strconv.FormatInt(b.Size, 10))
	hd.Set("Content-Type", b.Props.ContentType)
	for k, v := range map[string]string{
		"Content-Encoding": b.Props.ContentEncoding, "Content-Language": b.Props.ContentLanguage,
		"Content-Disposition": b.Props.ContentDisposition, "Cache-Control": b.Props.CacheControl,
	} {
		if v != "" {
			hd.Set(k, v)
		}
	}
	if len(b.Props.ContentMD5) > 0 {
		hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(b.Props.ContentMD5))
	}
	hd.Set("x-ms-blob-type", "BlockBlob")
	hd.Set("x-ms-creation-time", httpTime(b.Created))
	hd.Set("x-ms-lease-status", "unlocked")
	hd.Set("x-ms-lease-state", "available")
	hd.Set("x-ms-server-encrypted", "false")
	hd.Set("Accept-Ranges", "bytes")
	q.w.WriteHeader(http.StatusOK)
}

// deleteBlob: DELETE {blob}.
func (h *Handler) deleteBlob(q *request) {
	err := h.cfg.Store.DeleteBlob(q.r.Context(), q.container.ID, q.blob)
	if errors.Is(err, industrydata.ErrNotFound) {
		h.fail(q, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
		return
	}
	if err != nil {
		h.internal(q, err)
		return
	}
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusAccepted)
}

// getContainerProperties: GET/HEAD {container}?restype=container.
func (h *Handler) getContainerProperties(q *request) {
	hd := q.w.Header()
	hd.Set("ETag", `"0x`+strconv.FormatInt(q.container.Created.UnixNano(), 16)+`"`)
	hd.Set("Last-Modified", httpTime(q.container.Created))
	hd.Set("x-ms-lease-status", "unlocked")
	hd.Set("x-ms-lease-state", "available")
	hd.Set("x-ms-has-immutability-policy", "false")
	hd.Set("x-ms-has-legal-hold", "false")
	hd.Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
}

// getAccountInfo: ?restype=account&comp=properties, which AzCopy asks to
// learn whether the account has a hierarchical namespace (it has not).
func (h *Handler) getAccountInfo(q *request) {
	hd := q.w.Header()
	hd.Set("x-ms-sku-name", "Standard_LRS")
	hd.Set("x-ms-account-kind", "StorageV2")
	hd.Set("x-ms-is-hns-enabled", "false")
	hd.Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
}
