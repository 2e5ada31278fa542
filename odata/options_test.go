package odata_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/odata"
	"industrydata/schema"
)

// summary is what a test compares of a parsed Query.
type summary struct {
	Filter    string
	OrderBy   string
	Select    []string
	Expand    []string
	Top, Skip int
	Count     bool
	SkipToken string
}

func summarize(q *odata.Query) summary {
	return summary{Filter: odata.FilterString(q.Filter), OrderBy: odata.OrderByString(q.OrderBy),
		Select: q.Select, Expand: q.Expand, Top: q.Top, Skip: q.Skip, Count: q.Count, SkipToken: q.SkipToken}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		want summary
	}{
		{"nothing", nil, summary{}},
		{"filter", map[string]string{"filter": "flag"}, summary{Filter: "flag"}},
		{"orderby one key", map[string]string{"orderby": "name"}, summary{OrderBy: "name asc"}},
		{"orderby directions", map[string]string{"orderby": " created desc , name asc,count"},
			summary{OrderBy: "created desc,name asc,count asc"}},
		{"orderby tab separated", map[string]string{"orderby": "created\tdesc"}, summary{OrderBy: "created desc"}},
		{"orderby nullable, enum and Boolean", map[string]string{"orderby": "nick desc,status,flag"},
			summary{OrderBy: "nick desc,status asc,flag asc"}},
		{"orderby eight keys", map[string]string{"orderby": "id,name,nick,status,created,ended,flag,count"},
			summary{OrderBy: "id asc,name asc,nick asc,status asc,created asc,ended asc,flag asc,count asc"}},
		{"select", map[string]string{"select": "name, status"}, summary{Select: []string{"name", "status"}}},
		{"select repeated kept once", map[string]string{"select": "name,status,name"}, summary{Select: []string{"name", "status"}}},
		{"select star", map[string]string{"select": "*"}, summary{}},
		{"select star with names", map[string]string{"select": "name,*"}, summary{}},
		{"select complex and collection", map[string]string{"select": "blob,tags"}, summary{Select: []string{"blob", "tags"}}},
		{"expand", map[string]string{"expand": "parts"}, summary{Expand: []string{"parts"}}},
		{"expand repeated kept once", map[string]string{"expand": "parts, parts"}, summary{Expand: []string{"parts"}}},
		{"top", map[string]string{"top": "5"}, summary{Top: 5}},
		{"top at most", map[string]string{"top": "999"}, summary{Top: 999}},
		{"top with spaces", map[string]string{"top": " 7 "}, summary{Top: 7}},
		{"skip zero", map[string]string{"skip": "0"}, summary{}},
		{"skip at most", map[string]string{"skip": "1000000"}, summary{Skip: 1000000}},
		{"count true", map[string]string{"count": "true"}, summary{Count: true}},
		{"count false", map[string]string{"count": "false"}, summary{}},
		{"skiptoken kept raw", map[string]string{"skiptoken": "abc-_9"}, summary{SkipToken: "abc-_9"}},
		{"everything", map[string]string{"filter": "count gt 1", "orderby": "name desc", "select": "name",
			"expand": "parts", "top": "10", "skip": "2", "count": "true", "skiptoken": "x"},
			summary{"count gt 1", "name desc", []string{"name"}, []string{"parts"}, 10, 2, true, "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustQuery(t, tt.raw, widgetType)
			if diff := cmp.Diff(tt.want, summarize(q)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if q.Type != widgetType {
				t.Errorf("Type = %v, want widget", q.Type)
			}
		})
	}
}

func TestParseOptionsRefused(t *testing.T) {
	tests := []struct {
		name   string
		raw    map[string]string
		allow  odata.Options
		target string
		msg    []string
	}{
		{"filter not allowed", map[string]string{"filter": "flag"}, odata.Options{Select: true}, "$filter", []string{"'$filter' is not supported on this resource"}},
		{"orderby not allowed", map[string]string{"orderby": "name"}, odata.Options{}, "$orderby", []string{"'$orderby'"}},
		{"top not allowed", map[string]string{"top": "1"}, odata.Options{Select: true}, "$top", []string{"'$top'"}},
		{"skip not allowed", map[string]string{"skip": "1"}, odata.Options{}, "$skip", []string{"'$skip'"}},
		{"count not allowed", map[string]string{"count": "true"}, odata.Options{}, "$count", []string{"'$count'"}},
		{"expand not allowed", map[string]string{"expand": "parts"}, odata.Options{Select: true}, "$expand", []string{"'$expand'"}},
		{"select not allowed", map[string]string{"select": "name"}, odata.Options{}, "$select", []string{"'$select'"}},
		{"skiptoken not allowed", map[string]string{"skiptoken": "x"}, odata.Options{}, "$skiptoken", []string{"'$skiptoken'"}},
		{"first fault wins", map[string]string{"top": "x", "filter": "nope"}, allowAll, "nope", []string{"'nope'"}},
		{"unknown option", map[string]string{"search": "x"}, allowAll, "search", []string{"'search' is not a supported query option"}},
		{"empty value", map[string]string{"orderby": " "}, allowAll, "$orderby", []string{"no value"}},
		{"empty filter", map[string]string{"filter": ""}, allowAll, "$filter", []string{"no value"}},
		{"bad filter", map[string]string{"filter": "foo eq 1"}, allowAll, "foo", []string{"Invalid $filter: 'foo' is not a property"}},
		{"bad filter type", map[string]string{"filter": "name eq 5"}, allowAll, "name", []string{"Invalid $filter: 'name' is of type Edm.String"}},
		// $orderby
		{"orderby unknown property", map[string]string{"orderby": "name,foo desc"}, allowAll, "foo", []string{"'foo' in $orderby is not a property of test.ns.widget"}},
		{"orderby complex", map[string]string{"orderby": "blob"}, allowAll, "blob", []string{"test.ns.blob", "cannot sort"}},
		{"orderby collection", map[string]string{"orderby": "tags"}, allowAll, "tags", []string{"Collection(Edm.String)", "cannot sort"}},
		{"orderby navigation", map[string]string{"orderby": "parts"}, allowAll, "parts", []string{"navigation property"}},
		{"orderby path", map[string]string{"orderby": "blob/code"}, allowAll, "blob/code", []string{"path"}},
		{"orderby duplicate", map[string]string{"orderby": "name,count,name desc"}, allowAll, "name", []string{"more than once"}},
		{"orderby bad direction", map[string]string{"orderby": "name DESC"}, allowAll, "$orderby", []string{"'DESC'", "asc or desc"}},
		{"orderby too many words", map[string]string{"orderby": "name desc x"}, allowAll, "$orderby", []string{"'name desc x'"}},
		{"orderby empty item", map[string]string{"orderby": "name,,count"}, allowAll, "$orderby", []string{"empty item"}},
		{"orderby trailing comma", map[string]string{"orderby": "name,"}, allowAll, "$orderby", []string{"empty item"}},
		{"orderby nine keys", map[string]string{"orderby": "id,name,nick,status,created,ended,flag,count,optCount"}, allowAll, "$orderby", []string{"at most 8"}},
		{"orderby too long", map[string]string{"orderby": strings.Repeat("n", 3000)}, allowAll, "$orderby", []string{"longer than"}},
		// $select
		{"select unknown", map[string]string{"select": "name,foo"}, allowAll, "foo", []string{"'foo' in $select is not a property"}},
		{"select navigation", map[string]string{"select": "parts"}, allowAll, "parts", []string{"Use $expand"}},
		{"select path", map[string]string{"select": "blob/code"}, allowAll, "blob/code", []string{"path"}},
		{"select case-sensitive", map[string]string{"select": "Name"}, allowAll, "Name", []string{"'Name'"}},
		{"select empty item", map[string]string{"select": "name,"}, allowAll, "$select", []string{"empty item"}},
		// $expand
		{"expand not expandable", map[string]string{"expand": "runs"}, allowAll, "runs", []string{"'runs' cannot be expanded", "parts"}},
		{"expand nothing expandable", map[string]string{"expand": "parts"}, odata.Options{Expand: true}, "parts", []string{"supports: nothing"}},
		{"expand nested options", map[string]string{"expand": "parts($top=1)"}, allowAll, "$expand", []string{"not supported"}},
		{"expand nested select", map[string]string{"expand": "parts($select=id)"}, allowAll, "$expand", []string{"not supported"}},
		{"expand star", map[string]string{"expand": "*"}, allowAll, "*", []string{"cannot be expanded"}},
		{"expand empty item", map[string]string{"expand": ",parts"}, allowAll, "$expand", []string{"empty item"}},
		// $top, $skip, $count
		{"top zero", map[string]string{"top": "0"}, allowAll, "$top", []string{"from 1 to 999", "'0'"}},
		{"top over max", map[string]string{"top": "1000"}, allowAll, "$top", []string{"from 1 to 999"}},
		{"top over a custom max", map[string]string{"top": "51"}, odata.Options{Top: true, MaxTop: 50}, "$top", []string{"from 1 to 50"}},
		{"top default max", map[string]string{"top": "1000"}, odata.Options{Top: true}, "$top", []string{"from 1 to 999"}},
		{"top negative", map[string]string{"top": "-1"}, allowAll, "$top", []string{"'-1'"}},
		{"top plus sign", map[string]string{"top": "+5"}, allowAll, "$top", []string{"'+5'"}},
		{"top not a number", map[string]string{"top": "ten"}, allowAll, "$top", []string{"'ten'"}},
		{"top decimal", map[string]string{"top": "1.0"}, allowAll, "$top", []string{"'1.0'"}},
		{"top huge", map[string]string{"top": "99999999999999999999999"}, allowAll, "$top", []string{"integer"}},
		{"skip negative", map[string]string{"skip": "-1"}, allowAll, "$skip", []string{"from 0 to 1000000"}},
		{"skip too large", map[string]string{"skip": "1000001"}, allowAll, "$skip", []string{"from 0 to 1000000"}},
		{"count upper case", map[string]string{"count": "True"}, allowAll, "$count", []string{"true or false", "'True'"}},
		{"count number", map[string]string{"count": "1"}, allowAll, "$count", []string{"true or false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := odata.Parse(tt.raw, widgetType, tt.allow)
			e := badRequest(t, err)
			if q != nil {
				t.Errorf("Query = %+v with an error", q)
			}
			if e.Target != tt.target {
				t.Errorf("Target = %q, want %q (message %q)", e.Target, tt.target, e.Message)
			}
			checkMessage(t, e.Message, tt.msg...)
			// A request carries several options, and Target names a
			// property: the message must say which option is wrong.
			if len(tt.raw) == 1 {
				for name := range tt.raw {
					if name != "search" {
						checkMessage(t, e.Message, "$"+name)
					}
				}
			}
		})
	}
}

func TestStoreOrderAndCursor(t *testing.T) {
	q := mustQuery(t, map[string]string{"orderby": "created desc,nick"}, widgetType)
	want := []industrydata.OrderKey{{Property: "created", Desc: true}, {Property: "nick"}}
	if diff := cmp.Diff(want, odata.StoreOrder(q.OrderBy)); diff != "" {
		t.Errorf("StoreOrder (-want +got):\n%s", diff)
	}
	w := &widget{Created: utc("2024-05-01T08:30:00Z")}
	c := odata.CursorFor(q.OrderBy, w, 7)
	if diff := cmp.Diff([]any{utc("2024-05-01T08:30:00Z"), nil}, c.Values); diff != "" || c.Seq != 7 {
		t.Errorf("CursorFor = %+v (-want +got):\n%s", c, diff)
	}
	if got := odata.StoreOrder(nil); got != nil {
		t.Errorf("StoreOrder(nil) = %v, want nil", got)
	}
	if got := mustQuery(t, map[string]string{"orderby": "displayName"}, schema.Process).OrderBy[0].Prop; got.Name != "displayName" {
		t.Errorf("orderby on the model found %v", got.Name)
	}
}
