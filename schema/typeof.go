package schema

import (
	"fmt"
	"reflect"

	"industrydata"
)

// binding ties a Go type of the domain to the entity types its values can
// be: base, or the type the value names itself when that derives from base.
type binding struct {
	base *EntityType
	// typeName returns the full type name a value carries; nil when every
	// value is of base.
	typeName func(any) string
	// parent returns the id of the entity a value belongs to, for its audit
	// record; nil when it belongs to none.
	parent func(any) string
}

// bindings is the one answer to "which Graph type is this value": every
// layer (responses, audit records, type casts) asks TypeOf. An entity type
// served by the API is declared in the model and bound here.
var bindings = map[reflect.Type]binding{
	reflect.TypeFor[*industrydata.Operation](): {base: LongRunningOperation,
		typeName: func(e any) string { return e.(*industrydata.Operation).Type }},
	reflect.TypeFor[*industrydata.Process](): {base: Process,
		typeName: func(e any) string { return e.(*industrydata.Process).Type }},
	reflect.TypeFor[*industrydata.Run](): {base: IndustryDataRun,
		parent: func(e any) string { return e.(*industrydata.Run).ProcessID }},
	reflect.TypeFor[*industrydata.RunActivity](): {base: InboundFlowActivity,
		parent: func(e any) string { return e.(*industrydata.RunActivity).RunID }},
	reflect.TypeFor[*industrydata.UserReport]():      {base: UserReport},
	reflect.TypeFor[*industrydata.UserReportEntry](): {base: UserReportEntry},

	reflect.TypeFor[*industrydata.ReferenceDefinition](): {base: ReferenceDefinition},
	reflect.TypeFor[*industrydata.RoleGroup]():           {base: RoleGroup},
	reflect.TypeFor[*industrydata.SourceSystem]():        {base: SourceSystemDefinition},
	reflect.TypeFor[*industrydata.Year]():                {base: YearTimePeriodDefinition},
	reflect.TypeFor[*industrydata.DataConnector](): {base: IndustryDataConnector,
		typeName: func(e any) string { return e.(*industrydata.DataConnector).Type }},
	reflect.TypeFor[*industrydata.InboundFlow](): {base: InboundFlow,
		typeName: func(e any) string { return e.(*industrydata.InboundFlow).Type }},
}

// TypeOf returns the entity type of e, a pointer to a domain entity: the
// type it names when the model knows it as one of its set's types, else
// the set's base type. It panics on a value of a Go type that is not bound
// to the model, a programming error.
func TypeOf(e any) *EntityType {
	b := bindingOf(e)
	if b.typeName == nil {
		return b.base
	}
	if t := LookupEntityType(b.typeName(e)); t != nil && t.DerivesFrom(b.base) {
		return t
	}
	return b.base
}

// parentOf is the id of the entity e belongs to, or "".
func parentOf(e any) string {
	if b := bindingOf(e); b.parent != nil {
		return b.parent(e)
	}
	return ""
}

func bindingOf(e any) binding {
	b, ok := bindings[reflect.TypeOf(e)]
	if !ok {
		panic(fmt.Sprintf("schema: %T is not bound to an entity type of the model", e))
	}
	return b
}
