package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"industrydata"
)

// Running a batch. Its requests run in batchOrder, up to
// batchConcurrency at once, and the answers are written in that order as
// each is ready: a request is started only while fewer than
// batchConcurrency requests are started and not yet written, so a batch
// holds at most that many answers of at most maxBatchResponseBytes each,
// however many requests it has and however slowly its client reads. A
// request starts once the requests it depends on have answered; every one
// of them comes before it in the order, so it is started before it and
// nothing waits for a request that cannot start.

// batchMark is what the context of a request of a batch says of it: the
// batch's request-id and the request's id in the batch (the access log
// writes both), and that it is inside a batch.
type batchMark struct {
	requestID, item string
}

// inheritedHeaders are the batch's headers each of its requests carries:
// its token (Graph applies the batch's to every request) and what makes
// absolute URLs, which a trusted proxy set on the batch.
var inheritedHeaders = []string{"Authorization", "Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For"}

// runBatch runs reqs in order and writes {"responses": […]}.
func (a *api) runBatch(w http.ResponseWriter, r *http.Request, reqs []batchRequest, order []int) {
	// The requests see the batch's cancellation and nothing else of its
	// context: each earns its principal, tenant and request-id through
	// the handler, as a request from the network does.
	ctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(r.Context(), cancel)
	defer func() { stop(); cancel() }()

	results := make([]*batchResult, len(reqs))
	done := make([]chan struct{}, len(reqs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	slots := make(chan struct{}, a.batchConcurrency())
	var running sync.WaitGroup
	running.Go(func() {
		for _, i := range order {
			slots <- struct{}{} // given back once i's answer is written
			running.Go(func() {
				defer close(done[i])
				for _, d := range reqs[i].deps {
					<-done[d]
				}
				results[i] = a.answerBatchRequest(ctx, r, reqs, results, i)
			})
		}
	})

	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	_, err := io.WriteString(w, `{"responses":[`)
	for k, i := range order {
		<-done[i]
		if err == nil && k > 0 {
			_, err = io.WriteString(w, ",")
		}
		if err == nil {
			err = writeBatchItem(w, reqs[i].id, results[i])
		}
		if err != nil {
			// The client is gone: the requests not yet answered stop
			// early, and their answers go nowhere.
			cancel()
		}
		results[i].body = nil // written: nothing holds it any more
		<-slots
	}
	if err == nil {
		_, _ = io.WriteString(w, "]}")
	}
	running.Wait()
}

// answerBatchRequest answers request i of the batch r: its refusal, 424
// when a request it depends on failed, or what the handler answers it.
func (a *api) answerBatchRequest(ctx context.Context, r *http.Request, reqs []batchRequest, results []*batchResult, i int) *batchResult {
	rq := reqs[i]
	if rq.refusal != nil {
		return errorResult(r, rq.refusal)
	}
	for _, d := range rq.deps {
		if res := results[d]; !res.succeeded() {
			return errorResult(r, industrydata.Errorf(industrydata.CodeFailedDependency,
				"This request depends on request '%s', which answered %d; it was not run.", clipPath(reqs[d].id), res.status))
		}
	}
	return a.sendBatchRequest(ctx, r, rq)
}

// sendBatchRequest sends rq through the whole handler and captures the
// answer.
func (a *api) sendBatchRequest(ctx context.Context, r *http.Request, rq batchRequest) (res *batchResult) {
	u, err := url.ParseRequestURI(rq.target)
	if err != nil { // parseBatch parsed it already
		return errorResult(r, err)
	}
	h := rq.header.Clone()
	for _, name := range inheritedHeaders {
		if vs := r.Header.Values(name); len(vs) > 0 {
			h[name] = slices.Clone(vs)
		}
	}
	// The batch's client-request-id, unless the request has its own.
	if c, _ := r.Context().Value(keyClientRequestID).(string); c != "" && h.Get("client-request-id") == "" {
		h.Set("client-request-id", c)
	}
	inner := &http.Request{
		Method: rq.method, URL: u, RequestURI: rq.target,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Host: r.Host, RemoteAddr: r.RemoteAddr, TLS: r.TLS,
		Body: http.NoBody,
	}
	if len(rq.body) > 0 {
		inner.Body, inner.ContentLength = io.NopCloser(bytes.NewReader(rq.body)), int64(len(rq.body))
	}
	inner = inner.WithContext(context.WithValue(ctx, keyBatch, batchMark{requestID: requestID(r), item: rq.id}))
	cw := newCaptureWriter(a.maxBatchResponseBytes(), rq.method == http.MethodHead)
	defer func() {
		// withRequest answers a handler's panic, but lets an abort
		// through (a stream that failed midway): here it would end the
		// whole process, so it ends this request only.
		if v := recover(); v != nil {
			if !cw.overflow {
				a.Logger.ErrorContext(r.Context(), "a request of a batch was aborted", "request_id", cw.header.Get("request-id"), "panic", fmt.Sprint(v))
				res = errorResult(withValue(r, keyRequestID, cw.header.Get("request-id")), internalError)
				return
			}
			res = a.capturedResult(r, cw)
		}
	}()
	a.graph.ServeHTTP(cw, inner)
	return a.capturedResult(r, cw)
}

// capturedResult is what cw holds as the request's answer: a 406 in place
// of an answer past the bound, a 500 in place of one that is not whole.
func (a *api) capturedResult(r *http.Request, cw *captureWriter) *batchResult {
	// The error answers carry the request's own request-id.
	ids := withValue(r, keyRequestID, cw.header.Get("request-id"))
	if cw.overflow {
		return errorResult(ids, industrydata.Errorf(industrydata.CodeNotAcceptable,
			"The answer to this request is larger than the %d bytes a batch carries for one request; send it on its own, or ask for less ($top, $select).",
			a.maxBatchResponseBytes()))
	}
	res := cw.result()
	if !validJSONBody(res) {
		a.Logger.ErrorContext(r.Context(), "a request of a batch answered JSON that is not valid", "request_id", cw.header.Get("request-id"))
		return errorResult(ids, internalError)
	}
	return res
}
