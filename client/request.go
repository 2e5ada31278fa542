package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// call is one logical request: sent once, or again under the retry policy.
type call struct {
	method string
	ref    string // a path below the root, a path from the host, or a URL
	query  string // encoded query options, added to ref's
	body   []byte // JSON; nil for none
	header http.Header
	accept string // "" for JSON
}

// do sends c and returns a success (or 304) answer, whose body the caller
// closes, or the error: an *Error for an error answer, the transport's
// otherwise. Every attempt carries the same client-request-id, so that the
// service's logs tie the retries together.
func (c *Client) do(ctx context.Context, cl call) (*http.Response, error) {
	u, err := c.resolve(cl.ref)
	if err != nil {
		return nil, err
	}
	if cl.query != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + cl.query
	}
	accept := cl.accept
	if accept == "" {
		accept = "application/json"
	}
	requestID := uuid.NewString()
	for attempt := 1; ; attempt++ {
		var body io.Reader
		if cl.body != nil {
			body = bytes.NewReader(cl.body)
		}
		req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
		if err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
		for k, v := range cl.header {
			req.Header[k] = v
		}
		req.Header.Set("Accept", accept)
		req.Header.Set("User-Agent", c.opts.UserAgent)
		req.Header.Set("client-request-id", requestID)
		if cl.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.opts.Token != nil {
			tok, err := c.opts.Token.Token(ctx)
			if err != nil {
				return nil, fmt.Errorf("client: token: %w", err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode < 400 {
			return resp, nil
		}
		e := errorOf(resp, c.opts.Now())
		if attempt >= c.opts.MaxAttempts || !retryable(cl.method, req.Header, resp.StatusCode) {
			return nil, e
		}
		wait := e.RetryAfter
		if wait == 0 {
			wait = backoff(c.opts.RetryDelay, attempt+1)
		}
		if wait > c.opts.MaxRetryDelay {
			return nil, e
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("client: stopped waiting %v to retry: %w; the last answer: %w", wait, err, e)
		}
	}
}

// getJSON GETs ref (with query) into out and returns the answer's headers.
func (c *Client) getJSON(ctx context.Context, ref, query string, out any) (http.Header, error) {
	return c.sendJSON(ctx, call{method: http.MethodGet, ref: ref, query: query}, nil, out)
}

// sendJSON sends cl with in (when not nil) as its JSON body and decodes the
// answer's body into out (when not nil and there is a body).
func (c *Client) sendJSON(ctx context.Context, cl call, in, out any) (http.Header, error) {
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: encoding the body: %w", err)
		}
		cl.body = data
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.Header, fmt.Errorf("client: %s %s: decoding the answer: %w", cl.method, resp.Request.URL, err)
		}
	}
	return resp.Header, nil
}
