package service

import (
	"context"

	"industrydata"
	"industrydata/odata"
)

// ListRequest is one page of a collection as the client asked for it: the
// parsed query options and, past the first page, the keyset position its
// $skiptoken carried.
type ListRequest struct {
	Query *odata.Query
	After *industrydata.Cursor
	// PageSize is the most entities per page when $top does not say
	// otherwise. As in Graph, $top sets the page size: further pages follow
	// through @odata.nextLink.
	PageSize int
}

// Page is one page of a collection.
type Page[T any] struct {
	Items []T
	// Next is the keyset position after the last item when more follow.
	Next *industrydata.Cursor
	// Count is the number of matching entities, when $count=true asked.
	Count *int64
}

// storeQuery turns a request into the store's terms; it asks for one entity
// more than the page holds, to learn whether another page follows.
func (req ListRequest) storeQuery(typeName string) (industrydata.ListQuery, int) {
	q := req.Query
	limit := req.PageSize
	if q.Top > 0 {
		limit = q.Top
	}
	lq := industrydata.ListQuery{After: req.After, Limit: limit + 1, Type: typeName}
	if q.Filter != nil {
		lq.Filter = q.Filter
	}
	for _, k := range q.OrderBy {
		lq.OrderBy = append(lq.OrderBy, industrydata.OrderKey{Property: k.Prop.Name, Desc: k.Desc})
	}
	if req.After == nil {
		// $skip applies to the first page; later pages continue by keyset.
		lq.Offset = q.Skip
	}
	return lq, limit
}

// paginate trims a store result to the page and computes the next cursor
// from the last entity's sort-key values.
func paginate[T any](items []T, limit int, q *odata.Query, seq func(*T) int64) Page[T] {
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	last := &items[limit-1]
	c := &industrydata.Cursor{Seq: seq(last)}
	for _, k := range q.OrderBy {
		c.Values = append(c.Values, k.Prop.Get(last))
	}
	return Page[T]{Items: items, Next: c}
}

// listPage reads the page lq selects with list, cuts it to limit with
// paginate and, when the request asks for $count, counts with count: the
// one way every collection is read.
func listPage[T any](ctx context.Context, tenant industrydata.TenantID, q *odata.Query, lq industrydata.ListQuery, limit int,
	list func(context.Context, industrydata.TenantID, industrydata.ListQuery) ([]T, error),
	count func(context.Context, industrydata.TenantID, industrydata.ListQuery) (int64, error),
	seq func(*T) int64) (Page[T], error) {
	items, err := list(ctx, tenant, lq)
	if err != nil {
		return Page[T]{}, err
	}
	page := paginate(items, limit, q, seq)
	if q.Count {
		n, err := count(ctx, tenant, lq)
		if err != nil {
			return Page[T]{}, err
		}
		page.Count = &n
	}
	return page, nil
}
