package service

import (
	"context"
	"errors"

	"industrydata"
	"industrydata/internal/memq"
	"industrydata/odata"
	"industrydata/schema"
)

// Reading the import surface's sets: pages and counts over a whole set
// (memq keeps one page in memory), and the navigations of what was read.

// listResources reads the page q selects from the tenant's set, reading
// the set through memq: memory stays at one page. source, when set, is
// where the set's entities come from in Seq order (the reference
// definitions merge the system's with the tenant's); nil reads the store.
func listResources[T any, P entityPtr[T]](ctx context.Context, t *Tenant, set string, typ *schema.EntityType, q *odata.Query, source func(ctx context.Context, each func(P) bool) error) (Page[Entity], error) {
	var out Page[Entity]
	items, next, err := pageOf[T, P](ctx, t, set, typ, q, source)
	if err != nil {
		return out, err
	}
	out.Items = make([]Entity, len(items))
	for i := range items {
		out.Items[i] = P(&items[i])
	}
	out.Next = next
	if q.Count {
		n, err := countResources[T, P](ctx, t, set, typ, q, source)
		if err != nil {
			return out, err
		}
		out.Count = &n
	}
	return out, nil
}

func seqOf[T any, P entityPtr[T]](e *T) int64 { return P(e).Meta().Seq }

func pageOf[T any, P entityPtr[T]](ctx context.Context, t *Tenant, set string, typ *schema.EntityType, q *odata.Query, source func(ctx context.Context, each func(P) bool) error) ([]T, string, error) {
	lq := industrydata.ListQuery{Filter: q.Filter, OrderBy: odata.StoreOrder(q.OrderBy), Offset: q.Skip}
	if q.SkipToken != "" {
		c, err := odata.DecodeSkipToken(t.s.opts.SkipTokenKey, string(t.id), q, q.SkipToken)
		if err != nil {
			return nil, "", err
		}
		lq.After, lq.Offset = &c, 0
	}
	limit := DefaultPageSize
	if q.Top > 0 {
		limit = q.Top
	}
	lq.Limit = limit + 1
	plan, err := memq.Compile(typ, lq, seqOf[T, P])
	if err != nil {
		return nil, "", err
	}
	page := plan.NewPage()
	if err := scanSet[T, P](ctx, t, set, source, func(e P) bool { return ofQueryType(q, e) && page.Add((*T)(e)) }); err != nil {
		return nil, "", err
	}
	items := page.Items()
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := &items[limit-1]
		next = odata.EncodeSkipToken(t.s.opts.SkipTokenKey, string(t.id), q, odata.CursorFor(q.OrderBy, last, seqOf[T, P](last)))
	}
	return items, next, nil
}

func countResources[T any, P entityPtr[T]](ctx context.Context, t *Tenant, set string, typ *schema.EntityType, q *odata.Query, source func(ctx context.Context, each func(P) bool) error) (int64, error) {
	plan, err := memq.Compile(typ, industrydata.ListQuery{Filter: q.Filter}, seqOf[T, P])
	if err != nil {
		return 0, err
	}
	count := plan.NewCount()
	err = scanSet[T, P](ctx, t, set, source, func(e P) bool {
		if ofQueryType(q, e) {
			count.Add((*T)(e))
		}
		return false
	})
	return count.N(), err
}

// ofQueryType reports whether e is of the type q was parsed against: a
// type-cast segment (dataConnectors/microsoft.graph.industryData.azureDataLakeConnector)
// lists only entities of its type.
func ofQueryType(q *odata.Query, e Entity) bool {
	return q.Type == nil || schema.TypeOf(e).DerivesFrom(q.Type)
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// scanSet shows each entity of the set, in Seq order, to fn until it
// returns true: source's, or the store's when source is nil.
func scanSet[T any, P entityPtr[T]](ctx context.Context, t *Tenant, set string, source func(ctx context.Context, each func(P) bool) error, fn func(P) bool) error {
	if source != nil {
		return source(ctx, fn)
	}
	return scanStored[T, P](ctx, t, set, fn)
}

// scanStored shows each stored entity of the set, in Seq order, to fn
// until it returns true.
func scanStored[T any, P entityPtr[T]](ctx context.Context, t *Tenant, set string, fn func(P) bool) error {
	err := t.s.store.ScanResources(ctx, t.id, set, func(r *industrydata.Resource) error {
		e, err := fromResource[T, P](r)
		if err != nil {
			return err
		}
		if fn(e) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// Navigate returns the entity that entity id of set refers to through
// the single-valued navigation nav (GET /dataConnectors/{id}/sourceSystem).
func (t *Tenant) Navigate(ctx context.Context, set ResourceSet, id, nav string) (Entity, error) {
	e, err := set.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out, err := t.Expand(ctx, []Entity{e}, []string{nav})
	if err != nil {
		return nil, err
	}
	if len(out[0]) == 0 || len(out[0][0].Items) == 0 {
		return nil, industrydata.Errorf(industrydata.CodeItemNotFound, "The %s of '%s' is not set.", nav, clip(id))
	}
	return out[0][0].Items[0].(Entity), nil
}

// Expand returns, for each of items, the expansions of the single-valued
// navigations navs ($expand), in that order; a target is read once however
// many items refer to it.
func (t *Tenant) Expand(ctx context.Context, items []Entity, navs []string) ([][]schema.Expansion, error) {
	type key struct{ set, id string }
	cache := map[key]Entity{}
	out := make([][]schema.Expansion, len(items))
	for i, e := range items {
		typ := schema.TypeOf(e)
		for _, name := range navs {
			nav := typ.NavigationProperty(name)
			if nav == nil || nav.Get == nil {
				return nil, industrydata.BadProperty("$expand", "'%s' cannot be expanded on %s.", clip(name), typ.Name)
			}
			x := schema.Expansion{Name: name, Type: nav.Target, Single: true}
			if id := nav.Get(e); id != "" {
				k := key{schema.SetName(nav.Target), id}
				target, ok := cache[k]
				if !ok {
					var err error
					target, err = t.Resources(k.set).Get(ctx, id)
					if err != nil && !errors.Is(err, industrydata.ErrNotFound) && industrydata.ErrorCode(err) != industrydata.CodeItemNotFound {
						return nil, err
					}
					cache[k] = target
				}
				if target != nil {
					x.Items = []any{target}
				}
			}
			out[i] = append(out[i], x)
		}
	}
	return out, nil
}
