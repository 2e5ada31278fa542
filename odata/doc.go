// Package odata parses OData system query options ($filter, $orderby,
// $select, $expand, $top, $skip, $count, $skiptoken) into a typed syntax tree
// checked against the schema. It knows no SQL and no HTTP: stores translate
// the tree (store/internal/sqlq), handlers hand it the option strings.
//
// # Semantics of a $filter
//
// Match is the reference evaluator; the SQL translation must agree with it,
// and the stores' conformance suite uses it as the oracle. Its choices:
//
//   - Two-valued logic. Every condition is true or false, never unknown, so
//     not is plain negation: `not (count gt 5)` matches an entity whose count
//     is null. SQL must therefore make every leaf non-NULL (COALESCE(…, FALSE),
//     IS [NOT] DISTINCT FROM) before applying NOT.
//   - Null. `x eq null` is true when x is null; `x ne null` when it is not.
//     `x eq v` (v not null) is false and `x ne v` true when x is null, as
//     OData says. gt, ge, lt, le with a null side are false (the parser
//     refuses a null literal there anyway). `x in (a, null)` means
//     `x eq a or x eq null`. startswith, endswith and contains on a null
//     property are false, so `not contains(x,'a')` matches a null x.
//   - Strings compare byte-wise in Go string order (UTF-8 code point order,
//     SQL's binary/C collation), case-sensitively, as do startswith,
//     endswith and contains. Enum members compare as their strings, with eq,
//     ne and in only. Date-times compare as instants at 100 ns resolution;
//     Int64 as integers; Booleans with eq and ne only.
//   - any. `c/any()` is true when the collection has an element, and
//     `c/any(v:p)` when p holds for one of them; a null or empty collection
//     has none. Inside the lambda, names other than the variable are the
//     entity's properties.
//
// # Sorting
//
// Less orders entities by $orderby keys: nulls first ascending and last
// descending (OData's rule; SQL writes NULLS FIRST/LAST), strings byte-wise,
// false before true. Seq, the final tiebreaker of keyset paging, is not a
// property: the store adds it.
package odata
