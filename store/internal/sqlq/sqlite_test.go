package sqlq

import (
	"cmp"
	"database/sql"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// The SQL runs on SQLite here against strings that trip up character-based
// functions and case-insensitive comparisons; the conformance suite
// (store/storetest) checks the stores against an evaluator on a larger set.

// words are the s column of rows 1…len(words); nil is NULL.
var words = []*string{
	nil, ptr(""), ptr("a"), ptr("A"), ptr("ab"), ptr("abc"), ptr("a\x00b"), ptr("zoë"),
	ptr("\U0010FFFF"), ptr("b"), nil, ptr("Ab"),
}

func ptr(s string) *string { return &s }

func openWords(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE w (seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, type TEXT NOT NULL, s TEXT) STRICT`); err != nil {
		t.Fatal(err)
	}
	for i, w := range words {
		if _, err := db.Exec(`INSERT INTO w VALUES (?, 't', 'w', ?)`, i+1, w); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

var wordTable = &Table{Name: "w", Select: "seq", Scope: "tenant", Type: "type", Seq: "seq", Columns: Columns{
	"s": {SQL: "w.s", Kind: schema.String, Nullable: true},
}}

func seqs(t *testing.T, db *sql.DB, st Statement) []int64 {
	t.Helper()
	rows, err := db.Query(st.SQL, st.Args...)
	if err != nil {
		t.Fatalf("%s: %v", st.SQL, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSQLiteSemantics(t *testing.T) {
	db := openWords(t)
	s := &odata.Property{Prop: &schema.Property{Name: "s", Kind: schema.String, Nullable: true}}
	tests := []struct {
		name string
		f    odata.Expr
		want []int64
	}{
		{"eq is case-sensitive", bin(odata.OpEq, s, str("a")), []int64{3}},
		{"eq null", bin(odata.OpEq, s, null), []int64{1, 11}},
		{"ne keeps null", bin(odata.OpNe, s, str("a")), []int64{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"gt is byte-wise", bin(odata.OpGt, s, str("a")), []int64{5, 6, 7, 8, 9, 10}},
		{"not gt keeps null", not(bin(odata.OpGt, s, str("a"))), []int64{1, 2, 3, 4, 11, 12}},
		{"startswith is case-sensitive", call(odata.FuncStartsWith, s, "a"), []int64{3, 5, 6, 7}},
		{"startswith across a NUL", call(odata.FuncStartsWith, s, "a\x00"), []int64{7}},
		{"not startswith keeps null", not(call(odata.FuncStartsWith, s, "a")), []int64{1, 2, 4, 8, 9, 10, 11, 12}},
		{"startswith the last code point", call(odata.FuncStartsWith, s, "\U0010FFFF"), []int64{9}},
		{"endswith is byte-wise", call(odata.FuncEndsWith, s, "b"), []int64{5, 7, 10, 12}},
		{"endswith after a NUL", call(odata.FuncEndsWith, s, "\x00b"), []int64{7}},
		{"not endswith keeps the empty string", not(call(odata.FuncEndsWith, s, "b")), []int64{1, 2, 3, 4, 6, 8, 9, 11}},
		{"not startswith the last code point", not(call(odata.FuncStartsWith, s, "\U0010FFFF")), []int64{1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}},
		{"endswith longer than the value", call(odata.FuncEndsWith, s, "xabc"), nil},
		{"contains non-ASCII", call(odata.FuncContains, s, "ë"), []int64{8}},
		{"contains empty", call(odata.FuncContains, s, ""), []int64{2, 3, 4, 5, 6, 7, 8, 9, 10, 12}},
		{"not contains keeps null", not(call(odata.FuncContains, s, "b")), []int64{1, 2, 3, 4, 8, 9, 11}},
		{"in with null", &odata.In{X: s, List: []*odata.Literal{str("A"), null}}, []int64{1, 4, 11}},
		{"not in", not(&odata.In{X: s, List: []*odata.Literal{str("A"), str("")}}), []int64{1, 3, 5, 6, 7, 8, 9, 10, 11, 12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := wordTable.List(SQLite, "t", industrydata.ListQuery{Filter: tc.f})
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(tc.want, seqs(t, db, st)); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", st.SQL, diff)
			}
		})
	}
}

// TestSQLiteKeysetWalk pages through the rows by s in both directions, one
// row a page, and checks the order: nulls first ascending and last
// descending, strings byte-wise, ties by seq in the first key's direction.
func TestSQLiteKeysetWalk(t *testing.T) {
	db := openWords(t)
	for _, desc := range []bool{false, true} {
		want := make([]int64, len(words))
		for i := range words {
			want[i] = int64(i + 1)
		}
		slices.SortFunc(want, func(a, b int64) int {
			wa, wb := words[a-1], words[b-1]
			c := 0
			switch {
			case wa == nil && wb == nil:
			case wa == nil:
				c = -1
			case wb == nil:
				c = 1
			default:
				c = cmp.Compare(*wa, *wb)
			}
			if c == 0 {
				c = cmp.Compare(a, b)
			}
			if desc {
				return -c
			}
			return c
		})
		q := industrydata.ListQuery{OrderBy: []industrydata.OrderKey{{Property: "s", Desc: desc}}, Limit: 1}
		all := seqs(t, db, must(wordTable.List(SQLite, "t", industrydata.ListQuery{OrderBy: q.OrderBy})))
		if diff := gocmp.Diff(want, all); diff != "" {
			t.Errorf("desc=%v: one page (-want +got):\n%s", desc, diff)
		}
		var got []int64
		for range len(words) + 1 {
			page := seqs(t, db, must(wordTable.List(SQLite, "t", q)))
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			var v any
			if w := words[page[0]-1]; w != nil {
				v = *w
			}
			q.After = &industrydata.Cursor{Values: []any{v}, Seq: page[0]}
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("desc=%v: keyset walk (-want +got):\n%s", desc, diff)
		}
	}
}

func must(st Statement, err error) Statement {
	if err != nil {
		panic(err)
	}
	return st
}
