package schema

import (
	"time"

	"industrydata"
)

// The import surface of SPEC §11, declared as Microsoft's published beta
// metadata declares it (types, nullability, enum members); the Go types
// behind it are in the root package's importsurface.go.

// Bounds on the collections of the import surface, which keep every
// entity, and so every page of a list, small.
const (
	MaxRolesPerGroup        = 50
	MaxUserMatchingSettings = 50
)

// InboundDomain is microsoft.graph.industryData.inboundDomain.
var InboundDomain = &EnumType{Namespace: IndustryDataNamespace, Name: "inboundDomain", Members: industrydata.InboundDomains}

// ReferenceValue is microsoft.graph.industryData.referenceValue, the
// abstract base of a pointer to a reference definition by its code.
var ReferenceValue = &ComplexType{Namespace: IndustryDataNamespace, Name: "referenceValue", Abstract: true,
	// code is nullable in the published metadata; the service requires it
	// (an unknown code is a 400), so "" stands for the null it never holds.
	Properties: []*Property{{Name: "code", Kind: String, Nullable: true, MaxLength: 64,
		Get: func(e any) any {
			if c := e.(*industrydata.ReferenceValue).Code; c != "" {
				return c
			}
			return nil
		},
		Set: func(e any, v any) {
			c, _ := v.(string)
			e.(*industrydata.ReferenceValue).Code = c
		},
	}},
	Navigation: []*NavigationProperty{{Name: "value", Target: ReferenceDefinition}},
}

// The reference value types, each the code of one referenceType.
var (
	FileFormatReferenceValue      = referenceValueType("fileFormatReferenceValue")
	IdentifierTypeReferenceValue  = referenceValueType("identifierTypeReferenceValue")
	RoleReferenceValue            = referenceValueType("roleReferenceValue")
	UserMatchTargetReferenceValue = referenceValueType("userMatchTargetReferenceValue")
	YearReferenceValue            = referenceValueType("yearReferenceValue")
)

func referenceValueType(name string) *ComplexType {
	return &ComplexType{Namespace: IndustryDataNamespace, Name: name, Base: ReferenceValue,
		New: func() any { return new(industrydata.ReferenceValue) }}
}

// ReferenceDefinition is microsoft.graph.industryData.referenceDefinition.
// Its id is {referenceType}-{code}; the service decides which properties a
// write may change (SPEC §11), so all are declared writable here except
// the timestamps and source.
var ReferenceDefinition = &EntityType{Namespace: IndustryDataNamespace, Name: "referenceDefinition", Base: Entity,
	Properties: []*Property{
		maxLength(64, stringProp("code", func(d *industrydata.ReferenceDefinition) *string { return &d.Code })),
		readOnly(timeProp("createdDateTime", func(d *industrydata.ReferenceDefinition) *time.Time { return &d.CreatedDateTime })),
		maxLength(100, nullableStringProp("displayName", func(d *industrydata.ReferenceDefinition) **string { return &d.DisplayName })),
		boolProp("isDisabled", func(d *industrydata.ReferenceDefinition) *bool { return &d.IsDisabled }),
		readOnly(timeProp("lastModifiedDateTime", func(d *industrydata.ReferenceDefinition) *time.Time { return &d.LastModifiedDateTime })),
		maxLength(64, stringProp("referenceType", func(d *industrydata.ReferenceDefinition) *string { return &d.ReferenceType })),
		int32Prop("sortIndex", func(d *industrydata.ReferenceDefinition) *int64 { return &d.SortIndex }),
		readOnly(stringProp("source", func(d *industrydata.ReferenceDefinition) *string { return &d.Source })),
	},
}

// RoleGroup is microsoft.graph.industryData.roleGroup.
var RoleGroup = &EntityType{Namespace: IndustryDataNamespace, Name: "roleGroup", Base: Entity,
	Properties: []*Property{
		maxLength(100, stringProp("displayName", func(g *industrydata.RoleGroup) *string { return &g.DisplayName })),
		maxItems(MaxRolesPerGroup, notNull(complexSlice("roles", RoleReferenceValue, func(g *industrydata.RoleGroup) *[]industrydata.ReferenceValue { return &g.Roles }))),
	},
}

// UserMatchingSetting is microsoft.graph.industryData.userMatchingSetting.
var UserMatchingSetting = &ComplexType{Namespace: IndustryDataNamespace, Name: "userMatchingSetting",
	Properties: []*Property{
		nullableComplexField("matchTarget", UserMatchTargetReferenceValue, func(s *industrydata.UserMatchingSetting) **industrydata.ReferenceValue { return &s.MatchTarget }),
		int32Prop("priorityOrder", func(s *industrydata.UserMatchingSetting) *int64 { return &s.PriorityOrder }),
		complexField("sourceIdentifier", IdentifierTypeReferenceValue, func(s *industrydata.UserMatchingSetting) *industrydata.ReferenceValue { return &s.SourceIdentifier }),
	},
	Navigation: []*NavigationProperty{
		navBinding("roleGroup", RoleGroup, false, func(s *industrydata.UserMatchingSetting) *string { return &s.RoleGroupID }),
	},
	New: func() any { return new(industrydata.UserMatchingSetting) },
}

// SourceSystemDefinition is microsoft.graph.industryData.sourceSystemDefinition.
var SourceSystemDefinition = &EntityType{Namespace: IndustryDataNamespace, Name: "sourceSystemDefinition", Base: Entity,
	Properties: []*Property{
		maxLength(100, stringProp("displayName", func(s *industrydata.SourceSystem) *string { return &s.DisplayName })),
		maxItems(MaxUserMatchingSettings, complexSlice("userMatchingSettings", UserMatchingSetting, func(s *industrydata.SourceSystem) *[]industrydata.UserMatchingSetting { return &s.UserMatchingSettings })),
		maxLength(100, nullableStringProp("vendor", func(s *industrydata.SourceSystem) **string { return &s.Vendor })),
	},
}

// YearTimePeriodDefinition is microsoft.graph.industryData.yearTimePeriodDefinition.
var YearTimePeriodDefinition = &EntityType{Namespace: IndustryDataNamespace, Name: "yearTimePeriodDefinition", Base: Entity,
	Properties: []*Property{
		maxLength(100, stringProp("displayName", func(y *industrydata.Year) *string { return &y.DisplayName })),
		dateProp("endDate", func(y *industrydata.Year) *string { return &y.EndDate }),
		dateProp("startDate", func(y *industrydata.Year) *string { return &y.StartDate }),
		complexField("year", YearReferenceValue, func(y *industrydata.Year) *industrydata.ReferenceValue { return &y.Year }),
	},
}

// IndustryDataConnector is microsoft.graph.industryData.industryDataConnector,
// the abstract base of every data connector.
var IndustryDataConnector = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataConnector", Base: Entity, Abstract: true,
	Properties: []*Property{
		maxLength(100, stringProp("displayName", func(c *industrydata.DataConnector) *string { return &c.DisplayName })),
	},
	Navigation: []*NavigationProperty{
		navBinding("sourceSystem", SourceSystemDefinition, false, func(c *industrydata.DataConnector) *string { return &c.SourceSystemID }),
	},
}

// FileDataConnector is microsoft.graph.industryData.fileDataConnector.
var FileDataConnector = &EntityType{Namespace: IndustryDataNamespace, Name: "fileDataConnector", Base: IndustryDataConnector, Abstract: true}

// AzureDataLakeConnector is microsoft.graph.industryData.azureDataLakeConnector.
var AzureDataLakeConnector = &EntityType{Namespace: IndustryDataNamespace, Name: "azureDataLakeConnector", Base: FileDataConnector,
	Properties: []*Property{
		nullableComplexField("fileFormat", FileFormatReferenceValue, func(c *industrydata.DataConnector) **industrydata.ReferenceValue { return &c.FileFormat }),
	},
}

// IndustryDataActivity is microsoft.graph.industryData.industryDataActivity.
var IndustryDataActivity = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataActivity", Base: Entity, Abstract: true,
	Properties: []*Property{
		maxLength(100, stringProp("displayName", func(f *industrydata.InboundFlow) *string { return &f.DisplayName })),
		// The server's: notReady until the flow's connector has validated files.
		readOnly(enumProp("readinessStatus", ReadinessStatus, func(f *industrydata.InboundFlow) *industrydata.ReadinessStatus { return &f.ReadinessStatus })),
	},
}

// InboundFlow is microsoft.graph.industryData.inboundFlow.
var InboundFlow = &EntityType{Namespace: IndustryDataNamespace, Name: "inboundFlow", Base: IndustryDataActivity, Abstract: true,
	Properties: []*Property{
		enumProp("dataDomain", InboundDomain, func(f *industrydata.InboundFlow) *industrydata.InboundDomain { return &f.DataDomain }),
		timeProp("effectiveDateTime", func(f *industrydata.InboundFlow) *time.Time { return &f.EffectiveDateTime }),
		nullableTimeProp("expirationDateTime", func(f *industrydata.InboundFlow) **time.Time { return &f.ExpirationDateTime }),
	},
	Navigation: []*NavigationProperty{
		navBinding("dataConnector", IndustryDataConnector, false, func(f *industrydata.InboundFlow) *string { return &f.DataConnectorID }),
		navBinding("year", YearTimePeriodDefinition, false, func(f *industrydata.InboundFlow) *string { return &f.YearID }),
	},
}

// InboundFileFlow is microsoft.graph.industryData.inboundFileFlow.
var InboundFileFlow = &EntityType{Namespace: IndustryDataNamespace, Name: "inboundFileFlow", Base: InboundFlow}

func notNull(p *Property) *Property {
	p.Nullable = false
	return p
}

// ValidateOperation is microsoft.graph.industryData.validateOperation: an
// operation that validates data, with what it found.
var ValidateOperation = &EntityType{Namespace: IndustryDataNamespace, Name: "validateOperation", Base: LongRunningOperation, Abstract: true,
	Properties: []*Property{
		notNull(complexCollectionProp("errors", PublicError, func(o *industrydata.Operation) *[]industrydata.PublicError { return &o.Errors })),
		notNull(complexCollectionProp("warnings", PublicError, func(o *industrydata.Operation) *[]industrydata.PublicError { return &o.Warnings })),
	},
}

// FileValidateOperation is microsoft.graph.industryData.fileValidateOperation:
// the validation of a data connector's uploaded files.
var FileValidateOperation = &EntityType{Namespace: IndustryDataNamespace, Name: "fileValidateOperation", Base: ValidateOperation,
	Properties: []*Property{
		readOnly(notNull(stringsProp("validatedFiles", func(o *industrydata.Operation) *[]string { return &o.ValidatedFiles }))),
	},
}

// FileUploadSession is microsoft.graph.industryData.fileUploadSession, what
// getUploadSession answers.
var FileUploadSession = &ComplexType{Namespace: IndustryDataNamespace, Name: "fileUploadSession",
	Properties: []*Property{
		readOnly(timeProp("containerExpirationDateTime", func(s *industrydata.UploadSession) *time.Time { return &s.ContainerExpirationDateTime })),
		readOnly(stringProp("containerId", func(s *industrydata.UploadSession) *string { return &s.ContainerID })),
		readOnly(timeProp("sessionExpirationDateTime", func(s *industrydata.UploadSession) *time.Time { return &s.SessionExpirationDateTime })),
		readOnly(stringProp("sessionUrl", func(s *industrydata.UploadSession) *string { return &s.URL })),
	},
}
