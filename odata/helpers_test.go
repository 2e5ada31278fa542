package odata_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// widget is a test-only entity with a property of every kind the model has,
// nullable twins, and collection-valued properties, which the real model
// does not have yet.
type widget struct {
	ID       string
	Name     string
	Nick     *string
	Status   string
	Created  time.Time
	Ended    *time.Time
	Flag     bool
	OptFlag  *bool
	Count    int64
	OptCount *int64
	Tags     []string
	Issues   []string
	Checks   []bool
	Sizes    []int64
	Stamps   []time.Time
	Blob     *struct{ Code string }
}

var (
	widgetStatus = &schema.EnumType{Namespace: "test.ns", Name: "widgetStatus",
		Members: []string{"active", "retired", "unknownFutureValue"}}
	issueKind = &schema.EnumType{Namespace: "test.ns", Name: "issueKind",
		Members: []string{"missingEmail", "duplicateId"}}
	blobType = &schema.ComplexType{Namespace: "test.ns", Name: "blob"}
	partType = &schema.EntityType{Namespace: "test.ns", Name: "part"}
)

// get binds a property to a widget field; nullable pointers read as nil.
func get[V any](f func(*widget) V) func(any) any {
	return func(e any) any { return f(e.(*widget)) }
}

func ptr[V any](f func(*widget) *V) func(any) any {
	return func(e any) any {
		if p := f(e.(*widget)); p != nil {
			return *p
		}
		return nil
	}
}

func slice[V any](f func(*widget) []V) func(any) any {
	return func(e any) any {
		if s := f(e.(*widget)); s != nil {
			return s
		}
		return nil
	}
}

var widgetType = &schema.EntityType{Namespace: "test.ns", Name: "widget", Properties: []*schema.Property{
	{Name: "id", Kind: schema.String, Get: get(func(w *widget) string { return w.ID })},
	{Name: "name", Kind: schema.String, Get: get(func(w *widget) string { return w.Name })},
	{Name: "nick", Kind: schema.String, Nullable: true, Get: ptr(func(w *widget) *string { return w.Nick })},
	{Name: "status", Kind: schema.Enum, Enum: widgetStatus, Get: get(func(w *widget) string { return w.Status })},
	{Name: "created", Kind: schema.DateTimeOffset, Get: get(func(w *widget) time.Time { return w.Created })},
	{Name: "ended", Kind: schema.DateTimeOffset, Nullable: true, Get: ptr(func(w *widget) *time.Time { return w.Ended })},
	{Name: "flag", Kind: schema.Boolean, Get: get(func(w *widget) bool { return w.Flag })},
	{Name: "optFlag", Kind: schema.Boolean, Nullable: true, Get: ptr(func(w *widget) *bool { return w.OptFlag })},
	{Name: "count", Kind: schema.Int64, Get: get(func(w *widget) int64 { return w.Count })},
	{Name: "optCount", Kind: schema.Int64, Nullable: true, Get: ptr(func(w *widget) *int64 { return w.OptCount })},
	{Name: "tags", Kind: schema.String, Collection: true, Get: slice(func(w *widget) []string { return w.Tags })},
	{Name: "issues", Kind: schema.Enum, Enum: issueKind, Collection: true, Get: slice(func(w *widget) []string { return w.Issues })},
	{Name: "checks", Kind: schema.Boolean, Collection: true, Get: slice(func(w *widget) []bool { return w.Checks })},
	{Name: "sizes", Kind: schema.Int64, Collection: true, Get: slice(func(w *widget) []int64 { return w.Sizes })},
	{Name: "stamps", Kind: schema.DateTimeOffset, Collection: true, Get: slice(func(w *widget) []time.Time { return w.Stamps })},
	{Name: "blob", Kind: schema.Complex, Complex: blobType, Nullable: true, Get: func(e any) any {
		if b := e.(*widget).Blob; b != nil {
			return b
		}
		return nil
	}},
}, Navigation: []*schema.NavigationProperty{{Name: "parts", Target: partType, Collection: true}}}

// badRequest returns err as an *industrydata.Error, failing the test unless
// it is one with code badRequest and a message.
func badRequest(t testing.TB, err error) *industrydata.Error {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want a badRequest")
	}
	var e *industrydata.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *industrydata.Error", err, err)
	}
	if e.Code != industrydata.CodeBadRequest || e.Message == "" {
		t.Fatalf("error = %#v, want code %q with a message", e, industrydata.CodeBadRequest)
	}
	return e
}

func checkMessage(t testing.TB, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

func mustFilter(t testing.TB, s string, typ *schema.EntityType) odata.Expr {
	t.Helper()
	e, err := odata.ParseFilter(s, typ)
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", s, err)
	}
	return e
}

func mustQuery(t testing.TB, raw map[string]string, typ *schema.EntityType) *odata.Query {
	t.Helper()
	q, err := odata.Parse(raw, typ, allowAll)
	if err != nil {
		t.Fatalf("Parse(%q): %v", raw, err)
	}
	return q
}

var allowAll = odata.Options{Filter: true, OrderBy: true, Select: true, Expand: true, Count: true,
	Skip: true, Top: true, SkipToken: true, MaxTop: 999, Expandable: []string{"parts"}}

// tree prints e fully parenthesized, with each node's type, so that tests
// see the shape the parser built rather than the canonical text.
func tree(e odata.Expr) string {
	switch n := e.(type) {
	case *odata.Binary:
		return fmt.Sprintf("(%s %s %s)", n.Op, tree(n.Left), tree(n.Right))
	case *odata.Not:
		return "(not " + tree(n.X) + ")"
	case *odata.In:
		s := "(in " + tree(n.X)
		for _, l := range n.List {
			s += " " + tree(l)
		}
		return s + ")"
	case *odata.Call:
		return fmt.Sprintf("(%s %s %s)", n.Func, tree(n.X), tree(n.Arg))
	case *odata.Any:
		if n.Pred == nil {
			return "(any " + n.Collection.Name + ")"
		}
		return fmt.Sprintf("(any %s %s %s)", n.Collection.Name, n.Var, tree(n.Pred))
	case *odata.Property:
		return n.Prop.Name
	case *odata.LambdaVar:
		return "$" + n.Name
	case *odata.Literal:
		return fmt.Sprintf("%s:%T", n, n.Value)
	}
	return fmt.Sprintf("?%T", e)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
