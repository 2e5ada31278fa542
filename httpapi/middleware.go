package httpapi

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"

	"industrydata"
	"industrydata/auth"
	"industrydata/internal/statuswriter"
)

// maxClientRequestID bounds the client-request-id we echo.
const maxClientRequestID = 200

// withRequest gives every response its request-id, OData-Version and the
// echoed client-request-id, recovers panics as a 500 generalException, and
// writes one access line per request (its trace id added by the logger,
// from the context observe gave it).
func withRequest(log *slog.Logger, accessLog bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := uuid.NewString()
		r = withValue(r, keyRequestID, id)
		h := w.Header()
		h.Set("request-id", id)
		h.Set("OData-Version", "4.0")
		if c := r.Header.Get("client-request-id"); c != "" && len(c) <= maxClientRequestID && printable(c) {
			r = withValue(r, keyClientRequestID, c)
			h.Set("client-request-id", c)
		}
		info := &logInfo{}
		r = withValue(r, keyLogInfo, info)
		body, counted := r.Body.(*countingBody)
		if !counted && r.Body != nil && r.Body != http.NoBody {
			body = &countingBody{ReadCloser: r.Body}
			r.Body = body
		}
		batch, inBatch := r.Context().Value(keyBatch).(batchMark)
		if x, ok := r.Context().Value(keyExchange).(*exchange); ok && !inBatch {
			defer func() { x.route = info.route }()
		}
		sw := &statuswriter.Writer{ResponseWriter: w}
		defer func() {
			v := recover()
			aborted := v == http.ErrAbortHandler
			if v != nil && !aborted {
				log.ErrorContext(r.Context(), "panic serving request", "request_id", id, "panic", v, "stack", string(debug.Stack()))
				if sw.Status == 0 {
					writeError(sw, r, log, internalError)
				}
			}
			if accessLog && log.Enabled(r.Context(), slog.LevelInfo) {
				attrs := []slog.Attr{
					slog.String("request_id", id),
					slog.String("tenant", string(info.tenant)),
					slog.String("principal", info.principal),
					slog.String("method", r.Method),
					slog.String("route", info.route),
					slog.Int("status", sw.Status),
					slog.Float64("dur_ms", float64(time.Since(start).Microseconds())/1000),
					slog.Int64("bytes_in", body.count()),
					slog.Int64("bytes", sw.Bytes),
				}
				if info.chaos != "" {
					// The answer, or its delay, was simulated.
					attrs = append(attrs, slog.String("chaos", info.chaos))
				}
				if inBatch {
					attrs = append(attrs, slog.String("batch_request_id", batch.requestID), slog.String("batch_item", industrydata.Shorten(batch.item, 64)))
				}
				if aborted {
					attrs = append(attrs, slog.Bool("aborted", true))
				}
				log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			}
			if aborted {
				panic(v) // net/http cuts the response off
			}
		}()
		next.ServeHTTP(sw, r)
	})
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

// authenticate verifies the bearer token, checks the route's permissions and
// puts the principal in the context. perms lists the permissions any one of
// which grants the route (SPEC §7).
func authenticate(v auth.Verifier, log *slog.Logger, perms []industrydata.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := auth.BearerToken(r.Header.Get("Authorization"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		p, err := v.Verify(r.Context(), token)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if info, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
			info.tenant, info.principal = p.Tenant, p.Subject
		}
		if !p.HasAny(perms...) {
			writeError(w, r, log, industrydata.Errorf(industrydata.CodeAccessDenied,
				"The caller lacks the permission this request needs: one of %s.", permissionList(perms)))
			return
		}
		next.ServeHTTP(w, withValue(r, keyPrincipal, p))
	})
}

func permissionList(perms []industrydata.Permission) string {
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
