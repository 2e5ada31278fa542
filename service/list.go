package service

import (
	"context"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// Page sizes of collections (SPEC §5): a page holds DefaultPageSize
// entities unless $top asks for another size, at most MaxPageSize. As in
// Graph, $top sets the page size; further pages follow through nextLinks.
const (
	DefaultPageSize = 100
	MaxPageSize     = 999
)

// Page is one page of a collection.
type Page[T any] struct {
	Items []T
	// Next is the $skiptoken of the page after this one; "" on the last.
	Next string
	// Count is the number of matching entities, when $count=true asked.
	Count *int64
}

// pager reads the pages of one collection of one tenant: the service owns
// the order, the keyset cursor and its $skiptoken, so that a caller only
// passes the token it was given back.
type pager[T any] struct {
	t     *Tenant
	list  func(context.Context, industrydata.TenantID, industrydata.ListQuery) ([]T, error)
	count func(context.Context, industrydata.TenantID, industrydata.ListQuery) (int64, error)
	seq   func(*T) int64
	// typeName, when set, keeps only entities of that type (a type cast).
	typeName string
	// processID, when set, keeps only the runs of that process.
	processID string
}

// page reads the page q selects: from the start, or after the position
// q.SkipToken carries, of q.Top entities or pageSize.
func (p pager[T]) page(ctx context.Context, q *odata.Query, pageSize int) (Page[T], error) {
	q = defaultOrder(q)
	lq := p.listQuery(q)
	if q.SkipToken != "" {
		c, err := odata.DecodeSkipToken(p.t.s.opts.SkipTokenKey, string(p.t.id), q, q.SkipToken)
		if err != nil {
			return Page[T]{}, err
		}
		lq.After = &c
	} else {
		// $skip applies to the first page; later pages continue by keyset.
		lq.Offset = q.Skip
	}
	limit := pageSize
	if q.Top > 0 {
		limit = q.Top
	}
	lq.Limit = limit + 1 // one more tells whether another page follows
	items, err := p.list(ctx, p.t.id, lq)
	if err != nil {
		return Page[T]{}, err
	}
	var out Page[T]
	if len(items) > limit {
		items = items[:limit]
		last := &items[limit-1]
		out.Next = odata.EncodeSkipToken(p.t.s.opts.SkipTokenKey, string(p.t.id), q,
			odata.CursorFor(q.OrderBy, last, p.seq(last)))
	}
	out.Items = items
	if q.Count {
		n, err := p.count(ctx, p.t.id, lq)
		if err != nil {
			return Page[T]{}, err
		}
		out.Count = &n
	}
	return out, nil
}

// listQuery is the store query of q's $filter and $orderby over p's
// collection: the one place a page and a count (total) build it, so that
// they select the same entities.
func (p pager[T]) listQuery(q *odata.Query) industrydata.ListQuery {
	return industrydata.ListQuery{Filter: q.Filter, OrderBy: odata.StoreOrder(q.OrderBy),
		Type: p.typeName, ProcessID: p.processID}
}

// total is the number of entities of p's collection that q's $filter
// selects: GET {collection}/$count.
func (p pager[T]) total(ctx context.Context, q *odata.Query) (int64, error) {
	return p.count(ctx, p.t.id, p.listQuery(q))
}

// defaultOrder is q with the order its collection has when $orderby says
// none: runs newest first (SPEC §2: "ordered by time (newest first)"), by
// startDateTime and then insertion, descending; other collections keep
// insertion order. A $skiptoken is bound to the order, so it is applied
// before one is read or made.
func defaultOrder(q *odata.Query) *odata.Query {
	if len(q.OrderBy) > 0 || q.Type == nil || !q.Type.DerivesFrom(schema.IndustryDataRun) {
		return q
	}
	withOrder := *q
	withOrder.OrderBy = []odata.OrderKey{{Prop: schema.IndustryDataRun.Property("startDateTime"), Desc: true}}
	return &withOrder
}
