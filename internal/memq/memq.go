// Package memq runs a ListQuery over entities in Go, for the
// collections kept encoded rather than as rows a store could query in SQL
// (a user report's entries, in blocks; the import surface's documents). It
// evaluates $filter and
// $orderby with odata.Match and odata.Less, the reference semantics every
// store must agree with, and keeps memory to one page however many
// entities it is shown.
package memq

import (
	"container/heap"
	"fmt"
	"slices"
	"time"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// Plan is a ListQuery checked against an entity type.
type Plan[T any] struct {
	filter odata.Expr
	keys   []odata.OrderKey
	after  *industrydata.Cursor
	offset int
	limit  int
	seq    func(*T) int64
	// Retain, when set, is called on each entity a sorted page keeps
	// before it sees them all, so that the caller can copy out of buffers
	// it reuses or that the entity would otherwise keep alive.
	Retain func(*T)
}

// Compile checks q against typ, whose Go values are T, and returns its
// plan; seq reads an entity's insertion sequence. A property typ lacks or
// that cannot be sorted on, or a cursor that does not fit the keys, is a
// badRequest naming it. Type and ProcessID are not for these collections.
func Compile[T any](typ *schema.EntityType, q industrydata.ListQuery, seq func(*T) int64) (*Plan[T], error) {
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("memq: negative limit %d or offset %d", q.Limit, q.Offset)
	}
	if q.Type != "" || q.ProcessID != "" {
		return nil, fmt.Errorf("memq: %s has no type or process to select by", typ.Name)
	}
	p := &Plan[T]{after: q.After, offset: q.Offset, limit: q.Limit, seq: seq}
	if q.Filter != nil {
		f, ok := q.Filter.(odata.Expr)
		if !ok {
			return nil, fmt.Errorf("memq: a %T is not a $filter", q.Filter)
		}
		if err := checkFilter(typ, f); err != nil {
			return nil, err
		}
		p.filter = f
	}
	for _, k := range q.OrderBy {
		prop := typ.Property(k.Property)
		if prop == nil || prop.Collection || prop.Complex != nil {
			return nil, badRequest("$orderby", k.Property, "property %s cannot be used in $orderby", k.Property)
		}
		p.keys = append(p.keys, odata.OrderKey{Prop: prop, Desc: k.Desc})
	}
	if err := p.checkCursor(); err != nil {
		return nil, err
	}
	return p, nil
}

// checkFilter refuses a filter that reads a property typ does not have (a
// filter parsed against another type), which odata.Match cannot evaluate.
func checkFilter(typ *schema.EntityType, e odata.Expr) error {
	var prop *schema.Property
	switch n := e.(type) {
	case *odata.Binary:
		if err := checkFilter(typ, n.Left); err != nil {
			return err
		}
		return checkFilter(typ, n.Right)
	case *odata.Not:
		return checkFilter(typ, n.X)
	case *odata.In:
		return checkFilter(typ, n.X)
	case *odata.Call:
		return checkFilter(typ, n.X)
	case *odata.Any:
		prop = n.Collection
		if n.Pred != nil {
			if err := checkFilter(typ, n.Pred); err != nil {
				return err
			}
		}
	case *odata.Property:
		prop = n.Prop
	}
	if prop != nil && typ.Property(prop.Name) != prop {
		return badRequest("$filter", prop.Name, "property %s cannot be used in $filter", prop.Name)
	}
	return nil
}

// checkCursor refuses a keyset position that does not fit the keys: one
// value per key, each of the key's type or null.
func (p *Plan[T]) checkCursor() error {
	if p.after == nil {
		return nil
	}
	if len(p.after.Values) != len(p.keys) {
		return badRequest("$skiptoken", "", "the $skiptoken does not belong to this query")
	}
	for i, k := range p.keys {
		v := p.after.Values[i]
		if v == nil {
			continue
		}
		var ok bool
		switch k.Prop.Kind {
		case schema.String, schema.Enum, schema.Date:
			_, ok = v.(string)
		case schema.Boolean:
			_, ok = v.(bool)
		case schema.Int64, schema.Int32:
			_, ok = v.(int64)
		case schema.DateTimeOffset:
			_, ok = v.(time.Time)
		}
		if !ok {
			return badRequest("$skiptoken", k.Prop.Name, "a %T value cannot be compared with property %s", v, k.Prop.Name)
		}
	}
	return nil
}

func badRequest(option, prop, format string, args ...any) error {
	target := prop
	if target == "" {
		target = option
	}
	return &industrydata.Error{Code: industrydata.CodeBadRequest, Message: fmt.Sprintf(format, args...), Target: target}
}

// Sorted reports whether the plan orders by properties: then a page is
// known only once every entity has been seen. Otherwise entities must be
// shown in insertion order and the page is done as soon as it is full.
func (p *Plan[T]) Sorted() bool { return len(p.keys) > 0 }

// After is the cursor entities must come after; nil for none.
func (p *Plan[T]) After() *industrydata.Cursor { return p.after }

// Match reports whether e passes the filter.
func (p *Plan[T]) Match(e *T) bool { return odata.Match(p.filter, e) }

// Count counts entities: those Add would consider, filter applied, paging
// ignored.
type Count[T any] struct {
	plan *Plan[T]
	n    int64
}

// NewCount starts a count of the entities matching the plan's filter.
func (p *Plan[T]) NewCount() *Count[T] { return &Count[T]{plan: p} }

// Add counts e when it matches.
func (c *Count[T]) Add(e *T) {
	if c.plan.Match(e) {
		c.n++
	}
}

// N is the count.
func (c *Count[T]) N() int64 { return c.n }

// Page collects the page a plan selects from the entities shown to it.
type Page[T any] struct {
	plan    *Plan[T]
	skipped int
	items   []T
	// sorted holds, for a sorted plan, the first offset+limit entities in
	// order seen so far, as a max-heap on that order.
	sorted *boundedHeap[T]
}

// NewPage starts collecting a page.
func (p *Plan[T]) NewPage() *Page[T] {
	pg := &Page[T]{plan: p}
	if p.Sorted() {
		pg.sorted = &boundedHeap[T]{plan: p}
		if p.limit > 0 {
			pg.sorted.bound = p.offset + p.limit
		}
	}
	return pg
}

// compare orders a and b as the plan lists them.
func (p *Plan[T]) compare(a, b *T) int {
	if n := odata.Less(p.keys, a, b); n != 0 {
		return n
	}
	n := p.seq(a) - p.seq(b)
	if len(p.keys) > 0 && p.keys[0].Desc {
		n = -n
	}
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Add shows the page an entity; it reports true when the page is complete
// and no further entity can change it (only in insertion order). An
// unsorted plan must be shown entities in insertion order.
func (pg *Page[T]) Add(e *T) (done bool) {
	p := pg.plan
	if p.after != nil && odata.CompareCursor(p.keys, e, p.seq(e), *p.after) <= 0 {
		return false
	}
	if !p.Match(e) {
		return false
	}
	if pg.sorted != nil {
		pg.sorted.add(e)
		return false
	}
	if pg.skipped < p.offset {
		pg.skipped++
		return false
	}
	pg.items = append(pg.items, *e)
	return p.limit > 0 && len(pg.items) >= p.limit
}

// Items returns the page.
func (pg *Page[T]) Items() []T {
	if pg.sorted == nil {
		return pg.items
	}
	items := pg.sorted.items
	slices.SortFunc(items, func(a, b T) int { return pg.plan.compare(&a, &b) })
	if pg.plan.offset >= len(items) {
		return nil
	}
	return items[pg.plan.offset:]
}

// boundedHeap keeps the bound smallest entities added (all when bound is
// 0), the largest on top so that it is the one a smaller newcomer evicts.
type boundedHeap[T any] struct {
	plan  *Plan[T]
	bound int
	items []T
}

func (h *boundedHeap[T]) add(e *T) {
	switch {
	case h.bound == 0:
		h.items = append(h.items, *h.retain(e)) // all are kept: no heap
		return
	case len(h.items) == h.bound:
		if h.plan.compare(e, &h.items[0]) >= 0 {
			return
		}
		h.items[0] = *h.retain(e)
		heap.Fix(h, 0)
		return
	}
	heap.Push(h, *h.retain(e))
}

func (h *boundedHeap[T]) retain(e *T) *T {
	if h.plan.Retain != nil {
		h.plan.Retain(e)
	}
	return e
}

func (h *boundedHeap[T]) Len() int           { return len(h.items) }
func (h *boundedHeap[T]) Less(i, j int) bool { return h.plan.compare(&h.items[i], &h.items[j]) > 0 }
func (h *boundedHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *boundedHeap[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *boundedHeap[T]) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
