package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
)

// ReadSet is an entity set the client reads: runs, a run's activities.
type ReadSet[T any] struct {
	c    *Client
	path string // below the root: "runs"
}

// List iterates over the set's entities, every page, with q's options.
func (s *ReadSet[T]) List(ctx context.Context, q *Query) iter.Seq2[T, error] {
	return list[T](s.c, ctx, s.path, q)
}

// Get reads one entity; a missing one is an *Error with status 404.
func (s *ReadSet[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	if id == "" {
		return v, errors.New("client: Get needs an id")
	}
	h, err := s.c.getJSON(ctx, s.path+"/"+segment(id), "", &v)
	setVersion(&v, h)
	return v, err
}

// Count is the number of the set's entities that filter ("" for all)
// matches, by its $count.
func (s *ReadSet[T]) Count(ctx context.Context, filter string) (int64, error) {
	return count(s.c, ctx, s.path, filter)
}

// Set is an entity set the client reads and writes: operations, processes
// and the import surface.
type Set[T any] struct {
	ReadSet[T]
	// typeName is the @odata.type Create sends when the entity names none:
	// sets of an abstract type need one.
	typeName string
}

func newSet[T any](c *Client, path, typeName string) *Set[T] {
	return &Set[T]{ReadSet: ReadSet[T]{c: c, path: path}, typeName: typeName}
}

// WriteOption changes an Update or a Delete.
type WriteOption func(http.Header)

// IfMatch makes the write conditional on the entity's version (an ETag, as
// Entity.Version holds it, or "*"): the service answers 412 when it has
// changed.
func IfMatch(version string) WriteOption {
	return func(h http.Header) { h.Set("If-Match", version) }
}

// Create POSTs v and returns the entity the service created. Properties v
// leaves at their zero value are not sent (the service's defaults apply).
func (s *Set[T]) Create(ctx context.Context, v T) (T, error) {
	var body any = v
	if s.typeName != "" {
		data, err := json.Marshal(v)
		if err != nil {
			return v, fmt.Errorf("client: encoding the body: %w", err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err == nil && m["@odata.type"] == nil {
			m["@odata.type"], _ = json.Marshal("#" + s.typeName)
			body = m
		}
	}
	var out T
	h, err := s.c.sendJSON(ctx, call{method: http.MethodPost, ref: s.path}, body, &out)
	setVersion(&out, h)
	return out, err
}

// Update PATCHes the entity id with patch and returns the whole entity as
// it is now. patch is any JSON object: a struct of T with only the
// properties to change set (the others are left out), an update struct
// (OperationUpdate), or a map. A read entity sent back whole may carry
// read-only properties, which the service refuses with 400.
func (s *Set[T]) Update(ctx context.Context, id string, patch any, opts ...WriteOption) (T, error) {
	var out T
	if id == "" {
		return out, errors.New("client: Update needs an id")
	}
	cl := call{method: http.MethodPatch, ref: s.path + "/" + segment(id), header: http.Header{}}
	for _, o := range opts {
		o(cl.header)
	}
	h, err := s.c.sendJSON(ctx, cl, patch, &out)
	setVersion(&out, h)
	return out, err
}

// Delete deletes the entity id.
func (s *Set[T]) Delete(ctx context.Context, id string, opts ...WriteOption) error {
	if id == "" {
		return errors.New("client: Delete needs an id")
	}
	cl := call{method: http.MethodDelete, ref: s.path + "/" + segment(id), header: http.Header{}}
	for _, o := range opts {
		o(cl.header)
	}
	_, err := s.c.sendJSON(ctx, cl, nil, nil)
	return err
}

// setVersion gives v, when it is an entity, the ETag of the answer h.
func setVersion(v any, h http.Header) {
	if e, ok := v.(versioned); ok && h != nil {
		e.setVersion(h.Get("ETag"))
	}
}
