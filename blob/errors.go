package blob

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"industrydata"
)

// errorBody is Azure's error document. The message ends with the request
// id and the time on lines of their own, as Azure's do; clients print it.
type errorBody struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
	// AuthenticationErrorDetail says why a signature was refused.
	AuthenticationErrorDetail string `xml:"AuthenticationErrorDetail,omitempty"`
}

// fail answers q with an Azure error: the status, x-ms-error-code, and the
// XML body (none for HEAD).
func (h *Handler) fail(q *request, status int, code, message string) {
	h.failDetail(q, status, code, message, "")
}

func (h *Handler) failDetail(q *request, status int, code, message, detail string) {
	hd := q.w.Header()
	hd.Set("x-ms-error-code", code)
	body := errorBody{
		Code:                      code,
		Message:                   message + "\nRequestId:" + q.id + "\nTime:" + q.now.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		AuthenticationErrorDetail: detail,
	}
	out, err := xml.Marshal(body)
	if err != nil {
		out = nil // never: the fields are strings
	}
	out = append([]byte(xml.Header), out...)
	hd.Set("Content-Type", "application/xml")
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	q.w.WriteHeader(status)
	if q.r.Method != http.MethodHead {
		_, _ = q.w.Write(out)
	}
}

// authFailed answers 403 AuthenticationFailed, as Azure does for a SAS
// that is missing, tampered, foreign or expired; err's text is the detail.
func (h *Handler) authFailed(q *request, err error) {
	h.failDetail(q, http.StatusForbidden, "AuthenticationFailed",
		"Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
		err.Error())
}

// internal answers 500 InternalError and logs err, which the client never
// sees.
func (h *Handler) internal(q *request, err error) {
	if errors.Is(err, industrydata.ErrUnavailable) {
		// Azure's answer when its storage is briefly out of reach: 503
		// ServerBusy, which Azure's SDKs and AzCopy retry.
		h.cfg.Logger.WarnContext(q.r.Context(), "blob: store unavailable", "request_id", q.id, "op", q.op, "err", err)
		q.w.Header().Set("Retry-After", strconv.Itoa(retryAfterUnavailable))
		h.fail(q, http.StatusServiceUnavailable, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")
		return
	}
	h.cfg.Logger.ErrorContext(q.r.Context(), "blob: request failed", "request_id", q.id, "op", q.op, "err", err)
	h.fail(q, http.StatusInternalServerError, "InternalError", "The server encountered an internal error. Please retry the request.")
}

// errMD5Mismatch ends a body whose MD5 is not the Content-MD5 sent.
var errMD5Mismatch = errors.New("the body's MD5 does not match Content-MD5")

// storeFailed answers an error of a store write that read the body.
func (h *Handler) storeFailed(q *request, err error) {
	switch {
	case errors.Is(err, errMD5Mismatch):
		h.fail(q, http.StatusBadRequest, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
	case errors.Is(err, industrydata.ErrTooLarge):
		h.fail(q, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit: "+limitText(h.limits)+".")
	case errors.Is(err, industrydata.ErrTooManyBlocks):
		h.fail(q, http.StatusConflict, "BlockCountExceedsLimit", "The blob has the most uncommitted blocks allowed ("+strconv.Itoa(h.limits.MaxBlocks)+").")
	case errors.Is(err, industrydata.ErrInvalidBlockList):
		h.fail(q, http.StatusBadRequest, "InvalidBlockList", "The specified block list is invalid: it names a block that was not uploaded to this blob.")
	case errors.Is(err, industrydata.ErrNotFound):
		h.fail(q, http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errBodyShort):
		h.fail(q, http.StatusBadRequest, "InvalidInput", "The request body is shorter than its Content-Length.")
	case q.r.Context().Err() != nil:
		// The client went away: nobody reads an answer.
		h.fail(q, http.StatusBadRequest, "OperationTimedOut", "The request ended before its body was received.")
	default:
		h.internal(q, err)
	}
}

func limitText(l industrydata.UploadLimits) string {
	return strconv.FormatInt(l.MaxBlobBytes, 10) + " bytes a blob, " + strconv.FormatInt(l.MaxBlockBytes, 10) + " bytes a block"
}

// httpTime writes t as HTTP headers and Azure's XML properties do.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// retryAfterUnavailable is the Retry-After, in seconds, of a 503 answered
// while the store is unreachable (as httpapi's).
const retryAfterUnavailable = 2
