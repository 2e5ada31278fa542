package sqlq

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

func key(p string, desc bool) industrydata.OrderKey {
	return industrydata.OrderKey{Property: p, Desc: desc}
}

func TestOrder(t *testing.T) {
	tests := []struct {
		name string
		keys []industrydata.OrderKey
		want string
	}{
		{"no keys: seq ascending", nil, "seq ASC"},
		{"NOT NULL key has no null placement", []industrydata.OrderKey{key("createdDateTime", true)}, "o.created_ticks DESC, seq DESC"},
		{"nullable keys place nulls first ascending, last descending",
			[]industrydata.OrderKey{key("statusDetail", false), key("lastActionDateTime", true)},
			"o.status_detail ASC NULLS FIRST, o.last_action_ticks DESC NULLS LAST, seq ASC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Order(tc.keys, opCols, "seq")
			if err != nil || got != tc.want {
				t.Errorf("Order = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, p := range []string{"resourceLocation", "issues"} {
		_, err := Order([]industrydata.OrderKey{key(p, false)}, opCols, "seq")
		var e *industrydata.Error
		if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Target != p {
			t.Errorf("Order by %s: err = %v, want a badRequest naming it", p, err)
		}
	}
}

func TestKeyset(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	ticks := industrydata.Ticks(created)
	tests := []struct {
		name   string
		keys   []industrydata.OrderKey
		values []any
		sql    string
		args   []any
	}{
		{"no keys", nil, nil, "seq > ?1", []any{int64(42)}},
		{"one NOT NULL key descending", []industrydata.OrderKey{key("createdDateTime", true)}, []any{created},
			"o.created_ticks <= ?2 AND (o.created_ticks < ?2 OR (o.created_ticks = ?2 AND seq < ?1))", []any{int64(42), ticks}},
		{"nullable key ascending at a value", []industrydata.OrderKey{key("statusDetail", false)}, []any{"m"},
			"o.status_detail >= ?2 AND (o.status_detail > ?2 OR (o.status_detail = ?2 AND seq > ?1))", []any{int64(42), "m"}},
		{"nullable key ascending at null", []industrydata.OrderKey{key("statusDetail", false)}, []any{nil},
			"(o.status_detail IS NOT NULL OR (o.status_detail IS NULL AND seq > ?1))", []any{int64(42)}},
		{"nullable key descending at a value", []industrydata.OrderKey{key("statusDetail", true)}, []any{"m"},
			"(o.status_detail <= ?2 OR o.status_detail IS NULL) AND ((o.status_detail < ?2 OR o.status_detail IS NULL) OR (o.status_detail = ?2 AND seq < ?1))",
			[]any{int64(42), "m"}},
		{"nullable key descending at null", []industrydata.OrderKey{key("statusDetail", true)}, []any{nil},
			"o.status_detail IS NULL AND (o.status_detail IS NULL AND seq < ?1)", []any{int64(42)}},
		{"mixed directions", []industrydata.OrderKey{key("status", false), key("lastActionDateTime", true)}, []any{"running", nil},
			"o.status >= ?2 AND (o.status > ?2 OR (o.status = ?2 AND o.last_action_ticks IS NULL AND seq > ?1))", []any{int64(42), "running"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewArgs(SQLite)
			got, err := Keyset(tc.keys, &industrydata.Cursor{Values: tc.values, Seq: 42}, opCols, "seq", a)
			if err != nil {
				t.Fatalf("Keyset: %v", err)
			}
			if got != tc.sql {
				t.Errorf("SQL:\n got %s\nwant %s", got, tc.sql)
			}
			if diff := cmp.Diff(tc.args, a.Values); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
	bad := []struct {
		name   string
		keys   []industrydata.OrderKey
		values []any
	}{
		{"too few values", []industrydata.OrderKey{key("status", false)}, nil},
		{"value of the wrong type", []industrydata.OrderKey{key("createdDateTime", false)}, []any{"yesterday"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Keyset(tc.keys, &industrydata.Cursor{Values: tc.values}, opCols, "seq", NewArgs(SQLite))
			if industrydata.ErrorCode(err) != industrydata.CodeBadRequest {
				t.Errorf("err = %v, want a badRequest", err)
			}
		})
	}
}

var opTable = &Table{Name: "operations AS o", Select: "o.seq, o.id", Scope: "o.tenant", Type: "o.type", Seq: "o.seq", Columns: opCols}

func TestTableList(t *testing.T) {
	running := bin(odata.OpEq, prop("status"), &odata.Literal{Kind: schema.Enum, Value: "running"})
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		d    Dialect
		q    industrydata.ListQuery
		want Statement
	}{
		{"everything, SQLite", SQLite, industrydata.ListQuery{}, Statement{
			SQL:  "SELECT o.seq, o.id FROM operations AS o WHERE o.tenant = ?1 ORDER BY o.seq ASC",
			Args: []any{"t"}}},
		{"offset without limit, SQLite", SQLite, industrydata.ListQuery{Offset: 5}, Statement{
			SQL:  "SELECT o.seq, o.id FROM operations AS o WHERE o.tenant = ?1 ORDER BY o.seq ASC LIMIT -1 OFFSET ?2",
			Args: []any{"t", int64(5)}}},
		{"keyset page, PostgreSQL", Postgres, industrydata.ListQuery{
			Filter: running, OrderBy: []industrydata.OrderKey{key("createdDateTime", true)},
			After: &industrydata.Cursor{Values: []any{created}, Seq: 9}, Limit: 101, Type: "x"}, Statement{
			SQL: "SELECT o.seq, o.id FROM operations AS o WHERE o.tenant = $1 AND o.type = $2 AND o.status = $3" +
				" AND o.created_ticks <= $5 AND (o.created_ticks < $5 OR (o.created_ticks = $5 AND o.seq < $4))" +
				" ORDER BY o.created_ticks DESC, o.seq DESC LIMIT $6",
			Args: []any{"t", "x", "running", int64(9), industrydata.Ticks(created), int64(101)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := opTable.List(tc.d, "t", tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
		})
	}
	got, err := opTable.Count(SQLite, "t", industrydata.ListQuery{Filter: running, Limit: 3, Offset: 4})
	want := Statement{SQL: "SELECT count(*) FROM operations AS o WHERE o.tenant = ?1 AND o.status = ?2", Args: []any{"t", "running"}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("Count = %+v, %v; want %+v", got, err, want)
	}
	if _, err := opTable.List(SQLite, "t", industrydata.ListQuery{Limit: -1}); err == nil {
		t.Error("List with a negative limit succeeded")
	}
}

func TestTableProcessID(t *testing.T) {
	runs := &Table{Name: "runs", Select: "runs.seq", Scope: "runs.tenant", Process: "runs.process_id", Seq: "runs.seq", Columns: opCols}
	got, err := runs.Count(SQLite, "t", industrydata.ListQuery{ProcessID: "p"})
	want := Statement{SQL: "SELECT count(*) FROM runs WHERE runs.tenant = ?1 AND runs.process_id = ?2", Args: []any{"t", "p"}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("Count = %+v, %v; want %+v", got, err, want)
	}
	if _, err := opTable.List(SQLite, "t", industrydata.ListQuery{ProcessID: "p"}); err == nil {
		t.Error("List by process of a table without a process column succeeded")
	}
	if _, err := runs.List(SQLite, "t", industrydata.ListQuery{Type: "x"}); err == nil {
		t.Error("List by type of a table without a type column succeeded")
	}
}

// A table scoped by a parent's integer key (the entries of one report)
// binds the scope value as it is given, on both dialects.
func TestTableIntegerScope(t *testing.T) {
	entries := &Table{Name: "report_entries", Select: "report_entries.n", Scope: "report_entries.report",
		Seq: "report_entries.n", Columns: Columns{
			"role": {SQL: "report_entries.role", Kind: schema.String},
		}}
	teacher := bin(odata.OpEq, prop("role"), str("teacher"))
	got, err := entries.List(Postgres, int64(42), industrydata.ListQuery{Filter: teacher, After: afterSeq(7), Limit: 3})
	want := Statement{
		SQL: "SELECT report_entries.n FROM report_entries WHERE report_entries.report = $1" +
			" AND report_entries.role = $2" +
			" AND report_entries.n > $3 ORDER BY report_entries.n ASC LIMIT $4",
		Args: []any{int64(42), "teacher", int64(7), int64(3)}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("List = %+v, %v; want %+v", got, err, want)
	}
	got, err = entries.Count(SQLite, int64(42), industrydata.ListQuery{Filter: teacher})
	want = Statement{SQL: "SELECT count(*) FROM report_entries WHERE report_entries.report = ?1 AND report_entries.role = ?2",
		Args: []any{int64(42), "teacher"}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("Count = %+v, %v; want %+v", got, err, want)
	}
}

func afterSeq(seq int64) *industrydata.Cursor { return &industrydata.Cursor{Seq: seq} }
