package sqlq

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// Tree builders over the operation type's properties.
func prop(name string) *odata.Property {
	if p := schema.LongRunningOperation.Property(name); p != nil {
		return &odata.Property{Prop: p}
	}
	return &odata.Property{Prop: &schema.Property{Name: name, Kind: schema.String}}
}

func str(s string) *odata.Literal { return &odata.Literal{Kind: schema.String, Value: s} }

func enum(s string) *odata.Literal { return &odata.Literal{Kind: schema.Enum, Value: s} }

func when(s string) *odata.Literal {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &odata.Literal{Kind: schema.DateTimeOffset, Value: t}
}

var null = &odata.Literal{Value: nil}

func bin(op odata.BinaryOp, l, r odata.Expr) *odata.Binary {
	return &odata.Binary{Op: op, Left: l, Right: r}
}

func not(x odata.Expr) *odata.Not { return &odata.Not{X: x} }

func call(f odata.Func, x odata.Expr, arg string) *odata.Call {
	return &odata.Call{Func: f, X: x, Arg: str(arg)}
}

// opCols is the operations column map of the SQLite store.
var opCols = Columns{
	"id":                 {SQL: "o.id", Kind: schema.String},
	"createdDateTime":    {SQL: "o.created_ticks", Kind: schema.DateTimeOffset},
	"lastActionDateTime": {SQL: "o.last_action_ticks", Kind: schema.DateTimeOffset, Nullable: true},
	"status":             {SQL: "o.status", Kind: schema.Enum},
	"statusDetail":       {SQL: "o.status_detail", Kind: schema.String, Nullable: true},
}

func TestWhere(t *testing.T) {
	t0 := when("2024-01-02T03:04:05.1234567Z")
	tests := []struct {
		name string
		f    odata.Expr
		sql  string
		args []any
	}{
		{"nil filter is empty", nil, "", nil},
		{"eq on a NOT NULL column", bin(odata.OpEq, prop("status"), enum("running")), "o.status = ?1", []any{"running"}},
		{"literal on the left is flipped", bin(odata.OpLt, when("2024-01-02T03:04:05.1234567Z"), prop("createdDateTime")),
			"o.created_ticks > ?1", []any{industrydata.Ticks(t0.Value.(time.Time))}},
		{"ne on a nullable column keeps NULL", bin(odata.OpNe, prop("statusDetail"), str("x")),
			"(o.status_detail <> ?1 OR o.status_detail IS NULL)", []any{"x"}},
		{"eq null", bin(odata.OpEq, prop("statusDetail"), null), "o.status_detail IS NULL", nil},
		{"ne null", bin(odata.OpNe, prop("statusDetail"), null), "o.status_detail IS NOT NULL", nil},
		{"gt null is false", bin(odata.OpGt, prop("statusDetail"), null), "FALSE", nil},
		{"not gt null is true", not(bin(odata.OpGt, prop("statusDetail"), null)), "TRUE", nil},
		{"not eq on a nullable column keeps NULL", not(bin(odata.OpEq, prop("statusDetail"), str("x"))),
			"(o.status_detail <> ?1 OR o.status_detail IS NULL)", []any{"x"}},
		{"not ne drops NULL", not(bin(odata.OpNe, prop("statusDetail"), str("x"))), "o.status_detail = ?1", []any{"x"}},
		{"not ge on a nullable column keeps NULL", not(bin(odata.OpGe, prop("lastActionDateTime"), t0)),
			"(o.last_action_ticks < ?1 OR o.last_action_ticks IS NULL)", []any{industrydata.Ticks(t0.Value.(time.Time))}},
		{"not over and is De Morgan", not(bin(odata.OpAnd, bin(odata.OpEq, prop("status"), enum("failed")), bin(odata.OpLe, prop("statusDetail"), str("m")))),
			"(o.status <> ?1 OR (o.status_detail > ?2 OR o.status_detail IS NULL))", []any{"failed", "m"}},
		{"double not is the predicate", not(not(bin(odata.OpGt, prop("statusDetail"), str("m")))), "o.status_detail > ?1", []any{"m"}},
		{"in", &odata.In{X: prop("status"), List: []*odata.Literal{enum("running"), enum("failed")}},
			"o.status IN (?1, ?2)", []any{"running", "failed"}},
		{"in with null", &odata.In{X: prop("statusDetail"), List: []*odata.Literal{str("a"), null}},
			"(o.status_detail IN (?1) OR o.status_detail IS NULL)", []any{"a"}},
		{"not in keeps NULL", not(&odata.In{X: prop("statusDetail"), List: []*odata.Literal{str("a"), str("b")}}),
			"(o.status_detail NOT IN (?1, ?2) OR o.status_detail IS NULL)", []any{"a", "b"}},
		{"not in with null drops NULL", not(&odata.In{X: prop("statusDetail"), List: []*odata.Literal{str("a"), null}}),
			"o.status_detail NOT IN (?1)", []any{"a"}},
		{"startswith is a range", call(odata.FuncStartsWith, prop("statusDetail"), "ab"),
			"(o.status_detail >= ?1 AND o.status_detail < ?2)", []any{"ab", "ac"}},
		{"not startswith", not(call(odata.FuncStartsWith, prop("id"), "ab")),
			"(o.id < ?1 OR o.id >= ?2)", []any{"ab", "ac"}},
		{"startswith without upper bound", call(odata.FuncStartsWith, prop("statusDetail"), "\U0010FFFF"),
			"(o.status_detail >= ?1 AND (length(CAST(o.status_detail AS BLOB)) >= length(CAST(?1 AS BLOB))" +
				" AND substr(CAST(o.status_detail AS BLOB), 1, length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB)))", []any{"\U0010FFFF"}},
		{"endswith", call(odata.FuncEndsWith, prop("statusDetail"), "z"),
			"(length(CAST(o.status_detail AS BLOB)) >= length(CAST(?1 AS BLOB))" +
				" AND substr(CAST(o.status_detail AS BLOB), -length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB))", []any{"z"}},
		{"not contains keeps NULL", not(call(odata.FuncContains, prop("statusDetail"), "z")),
			"(NOT instr(o.status_detail, ?1) > 0 OR o.status_detail IS NULL)", []any{"z"}},
		{"contains empty is not null", call(odata.FuncContains, prop("statusDetail"), ""), "o.status_detail IS NOT NULL", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewArgs(SQLite)
			var f industrydata.Filter
			if tc.f != nil {
				f = tc.f
			}
			got, err := Where(f, opCols, a)
			if err != nil {
				t.Fatalf("Where: %v", err)
			}
			if got != tc.sql {
				t.Errorf("SQL:\n got %s\nwant %s", got, tc.sql)
			}
			if diff := cmp.Diff(tc.args, a.Values); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWhereRefuses(t *testing.T) {
	tests := []struct {
		name   string
		f      odata.Expr
		target string // of the badRequest; "" for an internal error
		msg    string
	}{
		{"property without a column", bin(odata.OpEq, prop("resourceLocation"), str("x")), "resourceLocation", "property resourceLocation cannot be used in $filter"},
		{"any", &odata.Any{Collection: &schema.Property{Name: "issues"}, Var: "i",
			Pred: bin(odata.OpEq, &odata.LambdaVar{Name: "i", Kind: schema.String}, str("missingEmail"))},
			"issues", "filtering on collection issues with any() is not supported by this store"},
		{"not any without predicate", not(&odata.Any{Collection: &schema.Property{Name: "issues"}}),
			"issues", "filtering on collection issues with any() is not supported by this store"},
		{"any under and", bin(odata.OpAnd, bin(odata.OpEq, prop("status"), enum("running")), &odata.Any{Collection: &schema.Property{Name: "tags"}}),
			"tags", "filtering on collection tags with any() is not supported by this store"},
		{"collection compared as a value", bin(odata.OpEq, prop("issues"), str("x")), "issues", "cannot be used"},
		{"collection property compared as a value", bin(odata.OpEq, &odata.Property{Prop: &schema.Property{Name: "id", Kind: schema.String, Collection: true}}, str("x")),
			"id", "cannot be used"},
		{"value of the wrong type", bin(odata.OpEq, prop("createdDateTime"), str("x")), "createdDateTime", "cannot be compared"},
		{"range variable compared", bin(odata.OpEq, &odata.LambdaVar{Name: "i", Kind: schema.String}, str("x")), "", "property was expected"},
		{"range variable as a predicate", &odata.LambdaVar{Name: "b", Kind: schema.Boolean}, "", "unexpected *odata.LambdaVar"},
		{"two properties", bin(odata.OpEq, prop("status"), prop("id")), "", "comparison"},
		{"unknown operator", bin("has", prop("status"), str("x")), "", "unknown operator"},
		{"nil node", (*odata.Binary)(nil), "", "nil"},
		{"not of nothing", not(nil), "", "nil"},
		{"comparison of nothing", bin(odata.OpEq, nil, nil), "", "comparison"},
		{"in without operand", &odata.In{}, "", "property was expected"},
		{"function without operand", &odata.Call{Func: odata.FuncContains}, "", "property was expected"},
		{"property without schema", bin(odata.OpEq, &odata.Property{}, str("x")), "", "property was expected"},
		{"any without collection", &odata.Any{}, "", "without a collection"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Where(tc.f, opCols, NewArgs(SQLite))
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want one saying %q", err, tc.msg)
			}
			var e *industrydata.Error
			isBad := errors.As(err, &e) && e.Code == industrydata.CodeBadRequest
			if isBad != (tc.target != "") || (isBad && e.Target != tc.target) {
				t.Errorf("err = %#v, want a badRequest: %v with target %q", err, tc.target != "", tc.target)
			}
		})
	}
}

func TestPrefixUpper(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"ab", "ac", true},
		{"a\x7f", "a\u0080", true},
		{"\uD7FF", "\uE000", true},
		{"a\U0010FFFF", "b", true},
		{"\U0010FFFF\U0010FFFF", "", false},
		{"zoë", "zoì", true},
		{"\xff", "", false},
	}
	for _, tc := range tests {
		got, ok := prefixUpper(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("prefixUpper(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
