package sqlq

import (
	"strings"

	"industrydata"
)

const (
	optOrderBy   = "$orderby"
	optSkipToken = "$skiptoken"
)

// orderColumn resolves a sort key.
func orderColumn(cols Columns, k industrydata.OrderKey) (Column, error) {
	c, ok := cols[k.Property]
	if !ok {
		return Column{}, unsupported(optOrderBy, k.Property)
	}
	return c, nil
}

// seqDesc reports the direction of the seq tiebreaker: the first key's.
func seqDesc(keys []industrydata.OrderKey) bool {
	return len(keys) > 0 && keys[0].Desc
}

// Order returns the ORDER BY list (without the keywords) for keys, ending
// with seq, the insertion sequence, in the direction of the first key.
// Nullable columns get NULLS FIRST ascending and NULLS LAST descending, so
// that SQLite and PostgreSQL (whose defaults differ) agree; NOT NULL columns
// get none, so that a plain index serves the order on both.
func Order(keys []industrydata.OrderKey, cols Columns, seq string) (string, error) {
	var b strings.Builder
	for _, k := range keys {
		c, err := orderColumn(cols, k)
		if err != nil {
			return "", err
		}
		b.WriteString(c.SQL)
		switch {
		case k.Desc && c.Nullable:
			b.WriteString(" DESC NULLS LAST")
		case k.Desc:
			b.WriteString(" DESC")
		case c.Nullable:
			b.WriteString(" ASC NULLS FIRST")
		default:
			b.WriteString(" ASC")
		}
		b.WriteString(", ")
	}
	b.WriteString(seq)
	if seqDesc(keys) {
		b.WriteString(" DESC")
	} else {
		b.WriteString(" ASC")
	}
	return b.String(), nil
}

// keyValue is one bound sort key of a cursor: its column, direction and
// placeholder ("" for a null value).
type keyValue struct {
	c    Column
	desc bool
	p    string
}

// Keyset returns the predicate "sorts after cursor c" in the order of keys
// and then seq (see Order), appending its parameters to a; a nil cursor is
// "". With no keys it is one comparison of seq. Otherwise it is the
// expanded form
//
//	k1 after v1 OR (k1 = v1 AND k2 after v2) OR … OR (k1 = v1 AND … AND seq after s)
//
// where "after" follows each key's direction and null placement (a null is
// before every value ascending and after every value descending), preceded
// by a redundant bound on the first key alone (k1 >= v1 ascending, k1 <= v1
// descending), which lets an index on the keys seek to the cursor instead of
// filtering every row before it.
func Keyset(keys []industrydata.OrderKey, c *industrydata.Cursor, cols Columns, seq string, a *Args) (string, error) {
	if c == nil {
		return "", nil
	}
	if len(c.Values) != len(keys) {
		return "", badRequest(optSkipToken, "", "the $skiptoken does not belong to this query")
	}
	seqOp := " > "
	if seqDesc(keys) {
		seqOp = " < "
	}
	seqTerm := seq + seqOp + a.Add(c.Seq)
	if len(keys) == 0 {
		return seqTerm, nil
	}
	kvs := make([]keyValue, len(keys))
	for i, k := range keys {
		col, err := orderColumn(cols, k)
		if err != nil {
			return "", err
		}
		kvs[i] = keyValue{c: col, desc: k.Desc}
		if v := c.Values[i]; v != nil {
			if kvs[i].p, err = a.bind(col, v, optSkipToken, k.Property); err != nil {
				return "", err
			}
		}
	}

	var terms []string
	var equal []string // k1 = v1 AND … for the keys before the current one
	for _, kv := range kvs {
		if t := after(kv); t != "" {
			terms = append(terms, conj(append(equal[:len(equal):len(equal)], t)))
		}
		equal = append(equal, same(kv))
	}
	terms = append(terms, conj(append(equal[:len(equal):len(equal)], seqTerm)))
	or := strings.Join(terms, " OR ")
	if len(terms) > 1 {
		or = "(" + or + ")"
	}
	if b := bound(kvs[0]); b != "" {
		return b + " AND " + or, nil
	}
	return or, nil
}

// conj joins terms with AND, parenthesized when there are several.
func conj(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	return "(" + strings.Join(terms, " AND ") + ")"
}

// same is "the key equals the cursor's value".
func same(kv keyValue) string {
	if kv.p == "" {
		return kv.c.SQL + " IS NULL"
	}
	return kv.c.SQL + " = " + kv.p
}

// after is "the key sorts strictly after the cursor's value", or "" when
// nothing does (a null, descending).
func after(kv keyValue) string {
	switch {
	case kv.p == "" && kv.desc:
		return ""
	case kv.p == "":
		return kv.c.SQL + " IS NOT NULL"
	case kv.desc && kv.c.Nullable:
		return "(" + kv.c.SQL + " < " + kv.p + " OR " + kv.c.SQL + " IS NULL)"
	case kv.desc:
		return kv.c.SQL + " < " + kv.p
	}
	return kv.c.SQL + " > " + kv.p
}

// bound is "the key sorts at or after the cursor's value", or "" when
// everything does (a null, ascending).
func bound(kv keyValue) string {
	switch {
	case kv.p == "" && kv.desc:
		return kv.c.SQL + " IS NULL"
	case kv.p == "":
		return ""
	case kv.desc && kv.c.Nullable:
		return "(" + kv.c.SQL + " <= " + kv.p + " OR " + kv.c.SQL + " IS NULL)"
	case kv.desc:
		return kv.c.SQL + " <= " + kv.p
	}
	return kv.c.SQL + " >= " + kv.p
}
