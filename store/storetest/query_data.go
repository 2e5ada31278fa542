package storetest

import (
	"sync"
	"testing"
	"time"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// The query data set: operations and processes in two tenants, inserted
// interleaved, whose values trip up engines: nulls, strings differing only in
// case, sharing prefixes, non-ASCII, LIKE and GLOB wildcards, equal
// timestamps, and timestamps out of insertion order.

// queryBase is the first createdDateTime of the data set.
var queryBase = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

// details are the statusDetail values; nil is null.
var details = []*string{
	nil, ptr(""), ptr("a"), ptr("A"), ptr("ab"), ptr("Ab"), ptr("abc"), ptr("b"), ptr("zoë"), ptr("Zoë"),
	ptr("row 7: « Zoë »"), ptr("50 of 100 rows"), ptr("50 OF 100 ROWS"), ptr("\U0001F600 done"),
	ptr("a%b_c"), ptr("a*b?[c]"), ptr("it's"), ptr(`ab\c`),
}

var statuses = []industrydata.LongRunningOperationStatus{
	industrydata.OperationNotStarted, industrydata.OperationRunning, industrydata.OperationSucceeded,
	industrydata.OperationFailed, industrydata.OperationRunning, industrydata.OperationUnknownFutureValue,
	industrydata.OperationRunning,
}

// queryOperation is the i-th operation of the data set.
func queryOperation(i int) industrydata.Operation {
	op := industrydata.Operation{
		ID:   newID(),
		Type: typeOperation,
		// Three operations share each timestamp, inserted far apart.
		CreatedDateTime: queryBase.Add(time.Duration(i%16)*time.Hour + time.Duration(i%16)*100),
		Status:          statuses[i%len(statuses)],
		StatusDetail:    details[(i*5)%len(details)],
	}
	if i%4 != 0 {
		op.LastActionDateTime = ptr(queryBase.Add(time.Duration(i*3%10)*time.Minute + time.Duration(i%2)*100))
	}
	if i%3 != 0 {
		op.ResourceLocation = ptr("https://example.test/runs/" + string(rune('0'+i%5)))
	}
	if i%6 == 5 {
		op.Type = typeOtherOperation
	}
	return op
}

// seedOperations stores 48 operations in tenantA and 12 in tenantB and
// returns them by tenant. They are created concurrently, which the stores
// commit in a few transactions, so seq order is not i's order.
func seedOperations(t *testing.T, s industrydata.Store) map[industrydata.TenantID][]industrydata.Operation {
	return seed(t, 60, func(i int) (industrydata.TenantID, industrydata.Operation, error) {
		tenant := tenantA
		if i%5 == 2 {
			tenant = tenantB
		}
		op := queryOperation(i)
		err := s.CreateOperation(t.Context(), tenant, who(t.Context()), &op)
		return tenant, op, err
	})
}

// seedProcesses stores 12 processes in each tenant, one of them its system
// process, and returns them by tenant.
func seedProcesses(t *testing.T, s industrydata.Store) map[industrydata.TenantID][]industrydata.Process {
	names := []string{"Nightly sync", "nightly sync", "Nightly", "Zoë's import", "zoë", "", "a%b", "Nightly sync ", "Ab", "ab"}
	readiness := industrydata.ReadinessStatuses
	return seed(t, 24, func(i int) (industrydata.TenantID, industrydata.Process, error) {
		tenant := []industrydata.TenantID{tenantA, tenantB}[i%2]
		p := newProcess(t)
		p.DisplayName = names[(i*3)%len(names)]
		p.ReadinessStatus = industrydata.ReadinessStatus(readiness[i%len(readiness)])
		if i/2 == 4 {
			p = newSystemProcess(t)
		}
		err := s.CreateProcess(t.Context(), tenant, who(t.Context()), &p)
		return tenant, p, err
	})
}

// seed runs create(0…n-1) concurrently and collects the entities by tenant.
func seed[T any](t *testing.T, n int, create func(i int) (industrydata.TenantID, T, error)) map[industrydata.TenantID][]T {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	data := make(map[industrydata.TenantID][]T)
	for i := range n {
		wg.Go(func() {
			tenant, e, err := create(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			data[tenant] = append(data[tenant], e)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return data
}

// Tree builders.

func opProp(name string) *odata.Property {
	return &odata.Property{Prop: schema.LongRunningOperation.Property(name)}
}

func procProp(name string) *odata.Property {
	return &odata.Property{Prop: schema.Process.Property(name)}
}

func bin(op odata.BinaryOp, l, r odata.Expr) *odata.Binary {
	return &odata.Binary{Op: op, Left: l, Right: r}
}

func and(l, r odata.Expr) *odata.Binary { return bin(odata.OpAnd, l, r) }

func or(l, r odata.Expr) *odata.Binary { return bin(odata.OpOr, l, r) }

func not(x odata.Expr) *odata.Not { return &odata.Not{X: x} }

func str(s string) *odata.Literal { return &odata.Literal{Kind: schema.String, Value: s} }

func enum(s string) *odata.Literal { return &odata.Literal{Kind: schema.Enum, Value: s} }

func at(d time.Duration) *odata.Literal {
	return &odata.Literal{Kind: schema.DateTimeOffset, Value: queryBase.Add(d)}
}

var null = &odata.Literal{}

func in(x odata.Expr, list ...*odata.Literal) *odata.In { return &odata.In{X: x, List: list} }

func call(f odata.Func, x odata.Expr, arg string) *odata.Call {
	return &odata.Call{Func: f, X: x, Arg: str(arg)}
}

func asc(p string) industrydata.OrderKey { return industrydata.OrderKey{Property: p} }

func desc(p string) industrydata.OrderKey { return industrydata.OrderKey{Property: p, Desc: true} }

func keys(k ...industrydata.OrderKey) []industrydata.OrderKey { return k }

// operationCases are the operation queries; some name ids of a.
func operationCases(a []industrydata.Operation) []queryCase {
	status, detail := opProp("status"), opProp("statusDetail")
	created, lastAction, location, id := opProp("createdDateTime"), opProp("lastActionDateTime"), opProp("resourceLocation"), opProp("id")
	newest := keys(desc("createdDateTime"))
	return []queryCase{
		{name: "everything in insertion order"},
		{name: "everything newest first", orderBy: newest},
		{name: "status eq running newest first", filter: bin(odata.OpEq, status, enum("running")), orderBy: newest},
		{name: "status ne running", filter: bin(odata.OpNe, status, enum("running"))},
		{name: "status in two members", filter: in(status, enum("running"), enum("failed")), orderBy: keys(asc("createdDateTime"))},
		{name: "not status in two members", filter: not(in(status, enum("running"), enum("failed")))},
		{name: "by status, then newest first", orderBy: keys(asc("status"), desc("createdDateTime"))},
		{name: "statusDetail eq null", filter: bin(odata.OpEq, detail, null), orderBy: newest},
		{name: "statusDetail ne null", filter: bin(odata.OpNe, detail, null)},
		{name: "statusDetail eq is case-sensitive", filter: bin(odata.OpEq, detail, str("a"))},
		{name: "statusDetail ne keeps nulls", filter: bin(odata.OpNe, detail, str("a")), orderBy: keys(asc("statusDetail"))},
		{name: "statusDetail gt is byte-wise", filter: bin(odata.OpGt, detail, str("a")), orderBy: keys(asc("statusDetail"))},
		{name: "statusDetail le, descending", filter: bin(odata.OpLe, detail, str("ab")), orderBy: keys(desc("statusDetail"))},
		{name: "not lt keeps nulls", filter: not(bin(odata.OpLt, detail, str("b"))), orderBy: keys(asc("statusDetail"), desc("createdDateTime"))},
		{name: "gt null is false", filter: bin(odata.OpGt, detail, null)},
		{name: "not gt null is true", filter: not(bin(odata.OpGt, detail, null))},
		{name: "statusDetail in with null", filter: in(detail, str("A"), null, str("zoë"))},
		{name: "startswith is case-sensitive", filter: call(odata.FuncStartsWith, detail, "a"), orderBy: keys(asc("statusDetail"))},
		{name: "startswith non-ASCII", filter: call(odata.FuncStartsWith, detail, "Zo")},
		{name: "not startswith keeps nulls", filter: not(call(odata.FuncStartsWith, detail, "a"))},
		{name: "endswith is case-sensitive", filter: call(odata.FuncEndsWith, detail, "rows")},
		{name: "contains non-ASCII", filter: call(odata.FuncContains, detail, "Zoë")},
		{name: "contains a LIKE wildcard", filter: call(odata.FuncContains, detail, "%")},
		{name: "contains GLOB syntax", filter: call(odata.FuncContains, detail, "*b?[")},
		{name: "contains a backslash and a quote", filter: or(call(odata.FuncContains, detail, `\`), call(odata.FuncContains, detail, "'"))},
		{name: "contains empty is not null", filter: call(odata.FuncContains, detail, "")},
		{name: "not contains keeps nulls", filter: not(call(odata.FuncContains, detail, "o")), orderBy: keys(desc("statusDetail"))},
		{name: "createdDateTime ge, oldest first", filter: bin(odata.OpGe, created, at(9*time.Hour)), orderBy: keys(asc("createdDateTime"))},
		{name: "createdDateTime lt, newest first", filter: bin(odata.OpLt, created, at(5*time.Hour+500)), orderBy: newest},
		{name: "createdDateTime eq a shared timestamp", filter: bin(odata.OpEq, created, at(7*time.Hour+700)), orderBy: newest},
		{name: "lastActionDateTime eq null", filter: bin(odata.OpEq, lastAction, null), orderBy: newest},
		{name: "lastActionDateTime gt", filter: bin(odata.OpGt, lastAction, at(3*time.Minute)), orderBy: keys(asc("lastActionDateTime"))},
		{name: "not lastActionDateTime gt keeps nulls", filter: not(bin(odata.OpGt, lastAction, at(3*time.Minute))), orderBy: keys(desc("lastActionDateTime"))},
		{name: "running with a detail, newest first", filter: and(bin(odata.OpEq, status, enum("running")), bin(odata.OpNe, detail, null)), orderBy: newest},
		{name: "or across columns, mixed directions", filter: or(bin(odata.OpEq, status, enum("failed")), call(odata.FuncStartsWith, detail, "A")),
			orderBy: keys(asc("status"), desc("createdDateTime"))},
		{name: "not over or", filter: not(or(bin(odata.OpEq, status, enum("running")), bin(odata.OpEq, lastAction, null)))},
		{name: "nullable keys in both directions", orderBy: keys(asc("statusDetail"), desc("lastActionDateTime"))},
		{name: "nulls last descending, then ascending", orderBy: keys(desc("lastActionDateTime"), asc("statusDetail"))},
		{name: "id descending", orderBy: keys(desc("id"))},
		{name: "id in two ids", filter: in(id, str(a[3].ID), str(a[40].ID), str("missing"))},
		{name: "id gt", filter: bin(odata.OpGt, id, str(a[20].ID)), orderBy: keys(asc("id"))},
		{name: "other type by resourceLocation", typ: typeOtherOperation, orderBy: keys(asc("resourceLocation"), desc("createdDateTime"))},
		{name: "resourceLocation eq, by lastActionDateTime", filter: bin(odata.OpEq, location, str("https://example.test/runs/1")), orderBy: keys(asc("lastActionDateTime"))},
		{name: "running of one type", typ: typeOperation, filter: bin(odata.OpEq, status, enum("running")), orderBy: newest},
	}
}

// processCases are the process queries.
func processCases() []queryCase {
	name, readiness := procProp("displayName"), procProp("readinessStatus")
	return []queryCase{
		{name: "everything in insertion order"},
		{name: "displayName eq is case-sensitive", filter: bin(odata.OpEq, name, str("Nightly sync"))},
		{name: "displayName startswith", filter: call(odata.FuncStartsWith, name, "Nightly"), orderBy: keys(desc("displayName"))},
		{name: "displayName contains non-ASCII", filter: call(odata.FuncContains, name, "ë")},
		{name: "not displayName endswith", filter: not(call(odata.FuncEndsWith, name, "sync")), orderBy: keys(asc("displayName"))},
		{name: "readinessStatus in", filter: in(readiness, enum("ready"), enum("failed"), enum("disabled")), orderBy: keys(asc("readinessStatus"), asc("displayName"))},
		{name: "readinessStatus ne", filter: bin(odata.OpNe, readiness, enum("notReady")), orderBy: keys(desc("readinessStatus"))},
		{name: "displayName le, descending ids", filter: bin(odata.OpLe, name, str("Zoë's import")), orderBy: keys(desc("id"))},
		{name: "system processes", typ: industrydata.TypeUserReportRefreshProcess},
		{name: "plain processes by name", typ: typeProcess, orderBy: keys(asc("displayName"))},
	}
}
