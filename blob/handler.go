// Package blob serves upload containers over the part of the Azure Blob
// REST API that AzCopy, Azure Storage Explorer and the Azure Storage SDKs
// use to upload to a container SAS URL: Put Blob, Put Block, Put Block
// List, List Blobs, Get Blob Properties and Delete Blob (and the container
// and account property reads the tools make first), with Azure's headers
// and XML error bodies. A fileUploadSession's sessionUrl points here.
//
// URLs are path-style, as the SDKs expect for an IP host:
// {base}/uploads/{containerId}[/{blob}]?{sas}, so that an SDK parsing the
// URL finds "uploads" as the account and the container id as the
// container. The SAS (Signer) is the only credential.
package blob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/internal/statuswriter"
	"industrydata/metrics"
)

// Prefix is the path under which the handler serves containers.
const Prefix = "/uploads/"

// Defaults of Config's limits.
const (
	DefaultMaxBlobBytes  = 2 << 30
	DefaultMaxBlockBytes = 100 << 20
	DefaultMaxBlocks     = 50000
	// DefaultSessionTTL is how long an upload session lasts: a school's
	// nightly export reuses one session through the night, a file of a
	// few GiB over a slow link has hours to spare, and a leaked URL works
	// for a day at most.
	DefaultSessionTTL = 24 * time.Hour
	// maxBlockListBytes bounds a Put Block List body: 50,000 ids of 64
	// bytes in base64 and their tags come to about 5 MiB, but the SDKs'
	// ids are 48 to 64 characters; 8 MiB holds any list MaxBlocks allows.
	maxBlockListBytes = 8 << 20
	// maxHeaderValue bounds a blob property header.
	maxHeaderValue = 1024
)

// Config is what the handler needs.
type Config struct {
	Store  industrydata.UploadStore
	Signer *Signer
	Clock  industrydata.Clock // nil: the system clock
	Logger *slog.Logger       // nil: discard
	// AccessLog writes one info line per request.
	AccessLog bool
	// SessionTTL is how long a container made by Session stays valid;
	// 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// MaxBlobBytes bounds a blob (and the uncommitted blocks of one);
	// 0 means DefaultMaxBlobBytes.
	MaxBlobBytes int64
	// MaxBlockBytes bounds one Put Block; 0 means DefaultMaxBlockBytes.
	MaxBlockBytes int64
	// MaxBlocks bounds a block list and a blob's uncommitted blocks;
	// 0 means DefaultMaxBlocks.
	MaxBlocks int
	// BodyTimeout, when set, is how long a request body may go without
	// delivering a MiB: each MiB received moves the connection's read and
	// write deadlines that far ahead, so a large upload is cut only when
	// it stalls, whatever the server's own timeouts.
	BodyTimeout time.Duration
	// Metrics counts the bytes and blobs stored; nil counts none.
	Metrics *metrics.Uploads
}

// Handler serves the container protocol under Prefix.
type Handler struct {
	cfg    Config
	limits industrydata.UploadLimits
}

// NewHandler returns the handler cfg describes.
func NewHandler(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = industrydata.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.MaxBlobBytes <= 0 {
		cfg.MaxBlobBytes = DefaultMaxBlobBytes
	}
	if cfg.MaxBlockBytes <= 0 {
		cfg.MaxBlockBytes = DefaultMaxBlockBytes
	}
	if cfg.MaxBlocks <= 0 {
		cfg.MaxBlocks = DefaultMaxBlocks
	}
	return &Handler{cfg: cfg, limits: industrydata.UploadLimits{
		MaxBlobBytes: cfg.MaxBlobBytes, MaxBlockBytes: min(cfg.MaxBlockBytes, cfg.MaxBlobBytes), MaxBlocks: cfg.MaxBlocks,
	}}
}

// Session returns the connector's upload session: its current container
// (the same until it expires; a new one after, or when reset, which
// discards what was uploaded) and a URL under base (scheme://host[:port]).
func (h *Handler) Session(ctx context.Context, tenant industrydata.TenantID, connectorID, base string, reset bool) (industrydata.UploadSession, error) {
	c, _, err := h.cfg.Store.CurrentUploadContainer(ctx, tenant, connectorID, h.cfg.Clock.Now(), h.cfg.SessionTTL, reset)
	if err != nil {
		return industrydata.UploadSession{}, err
	}
	// se has whole seconds: the session ends at the last whole second
	// before the container does, so the URL never outlives it.
	expiry := c.Expires.Truncate(time.Second)
	return industrydata.UploadSession{
		URL:                         strings.TrimSuffix(base, "/") + Prefix + c.ID + "?" + h.cfg.Signer.Sign(c.ID, expiry).Encode(),
		ContainerID:                 c.ID,
		ContainerExpirationDateTime: c.Expires,
		SessionExpirationDateTime:   expiry,
	}, nil
}

// containerIDPattern is what the store's ids look like (GUIDs); anything
// else is no container, refused before a signature is computed over it.
var containerIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// request is one request being served.
type request struct {
	w         *statuswriter.Writer
	r         *http.Request
	id        string // x-ms-request-id
	now       time.Time
	container industrydata.UploadContainer
	blob      string // "" for a container request
	op        string // for the access log
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q := &request{w: &statuswriter.Writer{ResponseWriter: w}, r: r, id: uuid.NewString(), now: h.cfg.Clock.Now()}
	hd := w.Header()
	hd.Set("x-ms-request-id", q.id)
	hd.Set("x-ms-version", responseVersion(r.Header.Get("x-ms-version")))
	hd.Set("Date", q.now.UTC().Format(http.TimeFormat))
	if c := r.Header.Get("x-ms-client-request-id"); c != "" && len(c) <= 1024 && printable(c) {
		hd.Set("x-ms-client-request-id", c)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.cfg.Logger.ErrorContext(r.Context(), "blob: panic serving request", "request_id", q.id, "panic", v)
			if q.w.Status == 0 {
				h.fail(q, http.StatusInternalServerError, "InternalError", "The server encountered an internal error.")
			}
		}
		if h.cfg.AccessLog {
			h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", q.id), slog.String("tenant", string(q.container.Tenant)),
				slog.String("method", r.Method), slog.String("route", "blob "+q.op),
				slog.Int("status", q.w.Status),
				slog.Float64("dur_ms", float64(time.Since(start).Microseconds())/1000))
		}
	}()
	h.serve(q)
}

// serve authenticates q and dispatches it to its operation.
func (h *Handler) serve(q *request) {
	r := q.r
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	id, name, _ := strings.Cut(rest, "/")
	if !ok || !containerIDPattern.MatchString(id) {
		h.fail(q, http.StatusBadRequest, "InvalidUri", "The request URI does not name a container of this service.")
		return
	}
	q.blob = name
	op, perm, ok := h.route(q)
	q.op = op
	if !ok {
		return
	}
	query := r.URL.Query()
	if _, err := h.cfg.Signer.Verify(id, query, perm, q.now); err != nil {
		h.authFailed(q, err)
		return
	}
	c, err := h.cfg.Store.GetUploadContainer(r.Context(), id)
	if errors.Is(err, industrydata.ErrNotFound) {
		h.fail(q, http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.")
		return
	}
	if err != nil {
		h.internal(q, err)
		return
	}
	q.container = c
	if !q.now.Before(c.Expires) {
		h.authFailed(q, fmt.Errorf("%w: the upload session expired at %s", ErrAuthentication, c.Expires.Format(expiryLayout)))
		return
	}
	if name != "" && !industrydata.IsUploadFileName(name) {
		h.fail(q, http.StatusBadRequest, "InvalidResourceName", fmt.Sprintf(
			"The blob name %q is not accepted: upload the OneRoster v1.1 CSV files, named %s.",
			industrydata.Shorten(name, 100), strings.Join(industrydata.UploadFileNames, ", ")))
		return
	}
	switch op {
	case "PutBlob":
		h.putBlob(q)
	case "PutBlock":
		h.putBlock(q)
	case "PutBlockList":
		h.putBlockList(q)
	case "GetBlobProperties":
		h.getBlobProperties(q)
	case "DeleteBlob":
		h.deleteBlob(q)
	case "ListBlobs":
		h.listBlobs(q)
	case "GetContainerProperties":
		h.getContainerProperties(q)
	case "GetAccountInfo":
		h.getAccountInfo(q)
	}
}

// route names q's operation and the permission it needs; false when it
// is none this service has, answered already.
func (h *Handler) route(q *request) (op string, perm byte, ok bool) {
	query := q.r.URL.Query()
	comp, restype := query.Get("comp"), query.Get("restype")
	m := q.r.Method
	switch {
	case q.blob == "" && restype == "container" && comp == "list" && m == http.MethodGet:
		return "ListBlobs", permList, true
	case q.blob == "" && restype == "container" && comp == "" && (m == http.MethodGet || m == http.MethodHead):
		return "GetContainerProperties", permRead, true
	case restype == "account" && comp == "properties" && (m == http.MethodGet || m == http.MethodHead):
		return "GetAccountInfo", permRead, true
	case q.blob != "" && restype == "" && comp == "" && m == http.MethodPut:
		return "PutBlob", permCreate, true
	case q.blob != "" && restype == "" && comp == "block" && m == http.MethodPut:
		return "PutBlock", permWrite, true
	case q.blob != "" && restype == "" && comp == "blocklist" && m == http.MethodPut:
		return "PutBlockList", permWrite, true
	case q.blob != "" && restype == "" && comp == "" && m == http.MethodHead:
		return "GetBlobProperties", permRead, true
	case q.blob != "" && restype == "" && comp == "" && m == http.MethodDelete:
		return "DeleteBlob", permDelete, true
	}
	const supported = "this service supports Put Blob, Put Block, Put Block List, List Blobs, Get Blob Properties and Delete Blob"
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		h.fail(q, http.StatusBadRequest, "InvalidQueryParameterValue",
			fmt.Sprintf("The query parameters do not name an operation on this resource that %s.", supported))
	default:
		q.w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		h.fail(q, http.StatusMethodNotAllowed, "UnsupportedHttpVerb",
			fmt.Sprintf("The method %s is not supported: %s.", industrydata.Shorten(m, 20), supported))
	}
	return "", 0, false
}

// responseVersion is the x-ms-version answered: the client's, when it
// looks like a service version, else the one the signatures carry.
func responseVersion(v string) string {
	if len(v) == 10 && v[4] == '-' && v[7] == '-' && strings.Trim(v, "0123456789-") == "" {
		return v
	}
	return sasVersion
}

// printable reports whether s is visible ASCII (safe to echo in a header).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
