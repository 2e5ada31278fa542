package service

import (
	"context"

	"industrydata"
	"industrydata/schema"
)

// The sets of the import surface (SPEC §11) and the rules each adds to the
// generic ones of resourceSet. A new set is an entry here, a declaration in
// schema and a line in httpapi's route table.
var (
	sourceSystems = &resourceSet[industrydata.SourceSystem, *industrydata.SourceSystem]{
		name: "sourceSystems", base: schema.SourceSystemDefinition, kind: "source system",
	}
	years = &resourceSet[industrydata.Year, *industrydata.Year]{
		name: "years", base: schema.YearTimePeriodDefinition, kind: "year",
		check: func(y *industrydata.Year) error {
			// Both are YYYY-MM-DD, which compare as the dates do.
			if y.StartDate > y.EndDate {
				return industrydata.BadProperty("endDate", "The endDate %s is before the startDate %s.", y.EndDate, y.StartDate)
			}
			return nil
		},
	}
	roleGroups = &resourceSet[industrydata.RoleGroup, *industrydata.RoleGroup]{
		name: "roleGroups", base: schema.RoleGroup, kind: "role group",
		check: func(g *industrydata.RoleGroup) error {
			if len(g.Roles) == 0 {
				return industrydata.BadProperty("roles", "A role group needs at least one role.")
			}
			return nil
		},
	}
	dataConnectors = &resourceSet[industrydata.DataConnector, *industrydata.DataConnector]{
		name: "dataConnectors", base: schema.IndustryDataConnector, kind: "data connector",
	}
	inboundFlows = &resourceSet[industrydata.InboundFlow, *industrydata.InboundFlow]{
		name: "inboundFlows", base: schema.InboundFlow, kind: "inbound flow",
		// readinessStatus is the server's: a flow is notReady until its
		// connector has validated files.
		prepare: func(f *industrydata.InboundFlow) { f.ReadinessStatus = industrydata.ReadinessNotReady },
		check: func(f *industrydata.InboundFlow) error {
			if f.ExpirationDateTime != nil && f.ExpirationDateTime.Before(f.EffectiveDateTime) {
				return industrydata.BadProperty("expirationDateTime", "The expirationDateTime is before the effectiveDateTime.")
			}
			return nil
		},
		derive: flowReadiness,
	}
)

// Resources returns the tenant's view of the import-surface set named
// name, or nil when there is none.
func (t *Tenant) Resources(name string) ResourceSet {
	switch name {
	case sourceSystems.name:
		return sourceSystems.bind(t)
	case years.name:
		return years.bind(t)
	case roleGroups.name:
		return roleGroups.bind(t)
	case dataConnectors.name:
		return dataConnectors.bind(t)
	case inboundFlows.name:
		return inboundFlows.bind(t)
	case referenceDefinitionsSet:
		return referenceDefinitions{t: t}
	}
	return nil
}

// ResourceSetNames lists the import-surface sets, for the HTTP layer's
// routes.
var ResourceSetNames = []string{
	"referenceDefinitions", sourceSystems.name, years.name, roleGroups.name, dataConnectors.name, inboundFlows.name,
}

// referenceTypes maps each reference value type to the referenceType its
// codes are definitions of.
var referenceTypes = map[*schema.ComplexType]string{
	schema.FileFormatReferenceValue:      RefFileFormat,
	schema.IdentifierTypeReferenceValue:  RefIdentifierType,
	schema.RoleReferenceValue:            RefRole,
	schema.UserMatchTargetReferenceValue: RefUserMatchTarget,
	schema.YearReferenceValue:            RefAcademicYear,
}

// holdsReferenceValues reports whether entities of typ, or of a type
// derived from it, hold reference values at any depth.
func holdsReferenceValues(typ *schema.EntityType) bool {
	var walk func(props []*schema.Property) bool
	walk = func(props []*schema.Property) bool {
		for _, p := range props {
			if p.Kind != schema.Complex {
				continue
			}
			if _, ok := referenceTypes[p.Complex]; ok || walk(p.Complex.AllProperties()) {
				return true
			}
		}
		return false
	}
	for _, t := range schema.ConcreteSubtypes(typ) {
		if walk(t.AllProperties()) {
			return true
		}
	}
	return false
}

// checkReferenceCodes answers 400 naming the property when a reference
// value of e, an entity of type typ (at any depth), has no code or a code
// that is not an enabled definition of its referenceType in defs, the
// tenant's definitions by id.
func checkReferenceCodes(defs map[string]*refDef, typ *schema.EntityType, e any) error {
	var walk func(path string, props []*schema.Property, v any) error
	walk = func(path string, props []*schema.Property, v any) error {
		for _, p := range props {
			if p.Kind != schema.Complex {
				continue
			}
			at := p.Name
			if path != "" {
				at = path + "/" + p.Name
			}
			var values []any
			switch x := p.Get(v).(type) {
			case nil:
			case []any:
				values = x
			default:
				values = []any{x}
			}
			for _, x := range values {
				refType, isRef := referenceTypes[p.Complex]
				if !isRef {
					if err := walk(at, p.Complex.AllProperties(), x); err != nil {
						return err
					}
					continue
				}
				code := x.(*industrydata.ReferenceValue).Code
				if code == "" {
					return industrydata.BadProperty(at+"/code", "The property '%s/code' is required: the code of a %s definition.", at, refType)
				}
				d, ok := defs[industrydata.ReferenceDefinitionID(refType, code)]
				if !ok {
					return industrydata.BadProperty(at+"/code", "'%s' is not a code of %s; list them with GET referenceDefinitions?$filter=referenceType eq '%s'.", clip(code), refType, refType)
				}
				if d.IsDisabled {
					return industrydata.BadProperty(at+"/code", "The %s code '%s' is disabled.", refType, clip(code))
				}
			}
		}
		return nil
	}
	return walk("", typ.AllProperties(), e)
}

// flowReadiness is a flow's readinessStatus (SPEC §11): expired once its
// expirationDateTime has passed, else ready when its connector has a
// validated set, else notReady. memo keeps each connector's answer for
// the request.
func flowReadiness(ctx context.Context, t *Tenant, f *industrydata.InboundFlow, memo map[string]bool) error {
	if f.ExpirationDateTime != nil && !f.ExpirationDateTime.After(t.s.now()) {
		f.ReadinessStatus = industrydata.ReadinessExpired
		return nil
	}
	ready, ok := memo[f.DataConnectorID]
	if !ok {
		files, err := t.s.store.ValidatedFiles(ctx, t.id, f.DataConnectorID)
		if err != nil {
			return err
		}
		ready = len(files) > 0
		memo[f.DataConnectorID] = ready
	}
	f.ReadinessStatus = industrydata.ReadinessNotReady
	if ready {
		f.ReadinessStatus = industrydata.ReadinessReady
	}
	return nil
}
