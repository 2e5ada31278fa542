package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// page is one answer of a collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// list iterates over the collection at ref, page after page, following
// @odata.nextLink until a page has none. An error ends the iteration: it
// is yielded once, with T's zero value. Stopping early sends no further
// request.
func list[T any](c *Client, ctx context.Context, ref string, q *Query) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		next, query := ref, q.encode()
		seen := map[string]bool{}
		for next != "" {
			var p page[T]
			if _, err := c.getJSON(ctx, next, query, &p); err != nil {
				yield(zero, err)
				return
			}
			for _, v := range p.Value {
				if !yield(v, nil) {
					return
				}
			}
			// A link already followed would loop for ever; the service
			// never writes one, so it is a proxy's or a bug's.
			if p.NextLink != "" && seen[p.NextLink] {
				yield(zero, fmt.Errorf("client: @odata.nextLink %s repeats an earlier page", p.NextLink))
				return
			}
			seen[p.NextLink] = true
			next, query = p.NextLink, "" // the link carries the options
		}
	}
}

// count GETs ref/$count (with $filter) and returns the number.
func count(c *Client, ctx context.Context, ref, filter string) (int64, error) {
	q := ""
	if filter != "" {
		q = "$filter=" + url.QueryEscape(filter)
	}
	resp, err := c.do(ctx, call{method: "GET", ref: ref + "/$count", query: q, accept: "text/plain"})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil {
		return 0, fmt.Errorf("client: reading %s/$count: %w", ref, err)
	}
	text := strings.TrimSpace(string(data))
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("client: %s/$count answered %q, not a number", ref, text)
	}
	return n, nil
}
