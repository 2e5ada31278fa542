package schema

import (
	"time"

	"industrydata"
)

// Namespaces of the model.
const (
	GraphNamespace              = "microsoft.graph"
	IndustryDataNamespace       = "microsoft.graph.industryData"
	ExternalConnectorsNamespace = "microsoft.graph.externalConnectors"
)

// Enum types.
var (
	LongRunningOperationStatus = &EnumType{Namespace: GraphNamespace, Name: "longRunningOperationStatus",
		Members: industrydata.LongRunningOperationStatuses}
	// ReadinessStatus has published Graph's members and values, and seed
	// 000's deleted after them (6); Members keeps the service's order.
	ReadinessStatus = &EnumType{Namespace: IndustryDataNamespace, Name: "readinessStatus",
		Members: industrydata.ReadinessStatuses, Values: []int{0, 1, 2, 6, 4, 5, 3}}
	IndustryDataRunStatus = &EnumType{Namespace: IndustryDataNamespace, Name: "industryDataRunStatus",
		Members: industrydata.IndustryDataRunStatuses}
)

// EnumTypes lists every enum type of the model.
var EnumTypes = []*EnumType{LongRunningOperationStatus, ReadinessStatus, IndustryDataRunStatus, UserReportIssue, InboundDomain, ActivityStatus}

// PublicErrorDetail is microsoft.graph.publicErrorDetail. Its strings, and
// publicError's and publicInnerError's, are nullable in the published
// metadata; the service always writes a string.
var PublicErrorDetail = &ComplexType{Namespace: GraphNamespace, Name: "publicErrorDetail", Properties: []*Property{
	declaredNullable(stringProp("code", func(e *industrydata.PublicErrorDetail) *string { return &e.Code })),
	declaredNullable(stringProp("message", func(e *industrydata.PublicErrorDetail) *string { return &e.Message })),
	declaredNullable(stringProp("target", func(e *industrydata.PublicErrorDetail) *string { return &e.Target })),
}}

// PublicInnerError is microsoft.graph.publicInnerError (an open type in
// Graph; this service writes only its declared properties).
var PublicInnerError = &ComplexType{Namespace: GraphNamespace, Name: "publicInnerError", Properties: []*Property{
	declaredNullable(stringProp("code", func(e *industrydata.PublicInnerError) *string { return &e.Code })),
	declaredNullable(complexCollectionProp("details", PublicErrorDetail, func(e *industrydata.PublicInnerError) *[]industrydata.PublicErrorDetail { return &e.Details })),
	declaredNullable(stringProp("message", func(e *industrydata.PublicInnerError) *string { return &e.Message })),
	declaredNullable(stringProp("target", func(e *industrydata.PublicInnerError) *string { return &e.Target })),
}}

// PublicError is microsoft.graph.publicError.
var PublicError = &ComplexType{Namespace: GraphNamespace, Name: "publicError", Properties: []*Property{
	declaredNullable(stringProp("code", func(e *industrydata.PublicError) *string { return &e.Code })),
	declaredNullable(stringProp("message", func(e *industrydata.PublicError) *string { return &e.Message })),
	declaredNullable(stringProp("target", func(e *industrydata.PublicError) *string { return &e.Target })),
	declaredNullable(complexCollectionProp("details", PublicErrorDetail, func(e *industrydata.PublicError) *[]industrydata.PublicErrorDetail { return &e.Details })),
	complexProp("innerError", PublicInnerError, func(e *industrydata.PublicError) **industrydata.PublicInnerError { return &e.InnerError }),
}}

// ComplexTypes lists every complex type of the model.
var ComplexTypes = []*ComplexType{PublicErrorDetail, PublicInnerError, PublicError, RoleCountMetric, OrgCountMetric, UserReportSummary,
	ReferenceValue, FileFormatReferenceValue, IdentifierTypeReferenceValue, RoleReferenceValue,
	UserMatchTargetReferenceValue, YearReferenceValue, UserMatchingSetting, FileUploadSession,
	EntityCountMetric, IndustryDataActivityStatistics, InboundActivityResults, AggregatedInboundStatistics, IndustryDataRunStatistics}

// Entity is microsoft.graph.entity, the root of every entity type.
var Entity = &EntityType{Namespace: GraphNamespace, Name: "entity", Abstract: true,
	Properties: []*Property{{
		Name: "id", Kind: String, ReadOnly: true, Checked: true,
		Get: func(e any) any { return e.(interface{ EntityID() string }).EntityID() },
	}},
}

// LongRunningOperation is microsoft.graph.longRunningOperation (seed 003);
// properties in the order the seed's response shows them.
var LongRunningOperation = &EntityType{Namespace: GraphNamespace, Name: "longRunningOperation", Base: Entity,
	Properties: []*Property{
		// createdDateTime and status are nullable in the published
		// metadata; the service always has them and refuses null (seed 003).
		declaredNullable(timeProp("createdDateTime", func(o *industrydata.Operation) *time.Time { return &o.CreatedDateTime })),
		nullableTimeProp("lastActionDateTime", func(o *industrydata.Operation) **time.Time { return &o.LastActionDateTime }),
		declaredNullable(enumProp("status", LongRunningOperationStatus, func(o *industrydata.Operation) *industrydata.LongRunningOperationStatus { return &o.Status })),
		nullableStringProp("statusDetail", func(o *industrydata.Operation) **string { return &o.StatusDetail }),
		link(nullableStringProp("resourceLocation", func(o *industrydata.Operation) **string { return &o.ResourceLocation })),
	},
}

// MutableEntity is microsoft.graph.industryData.mutableEntity: an entity with
// an eTag, the concurrency token of SPEC §3.
var MutableEntity = &EntityType{Namespace: IndustryDataNamespace, Name: "mutableEntity", Base: Entity, Abstract: true, Own: true,
	Properties: []*Property{{
		Name: "eTag", Kind: String, ReadOnly: true, Checked: true,
		Get: func(e any) any { return e.(interface{ EntityETag() string }).EntityETag() },
	}},
}

// IndustryDataRun is microsoft.graph.industryData.industryDataRun.
var IndustryDataRun = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataRun", Base: Entity,
	Properties: []*Property{
		complexProp("blockingError", PublicError, func(r *industrydata.Run) **industrydata.PublicError { return &r.BlockingError }),
		readOnly(stringProp("displayName", func(r *industrydata.Run) *string { return &r.DisplayName })),
		readOnly(nullableTimeProp("endDateTime", func(r *industrydata.Run) **time.Time { return &r.EndDateTime })),
		readOnly(timeProp("startDateTime", func(r *industrydata.Run) *time.Time { return &r.StartDateTime })),
		readOnly(enumProp("status", IndustryDataRunStatus, func(r *industrydata.Run) *industrydata.IndustryDataRunStatus { return &r.Status })),
	},
	// A run's activities are the service's record of what it did.
	Navigation: []*NavigationProperty{{Name: "activities", Target: IndustryDataRunActivity, Collection: true, ContainsTarget: true,
		Restrictions: Restrictions{NoInsert: true, NoUpdate: true, NoDelete: true}}},
}

// Process is microsoft.graph.industryData.process, the abstract base of
// every process type (seed 000).
var Process = &EntityType{Namespace: IndustryDataNamespace, Name: "process", Base: MutableEntity, Abstract: true, Own: true,
	Properties: []*Property{
		stringProp("displayName", func(p *industrydata.Process) *string { return &p.DisplayName }),
		enumProp("readinessStatus", ReadinessStatus, func(p *industrydata.Process) *industrydata.ReadinessStatus { return &p.ReadinessStatus }),
	},
	// POST starts a run; a run is never changed or deleted.
	Navigation: []*NavigationProperty{{Name: "runs", Target: IndustryDataRun, Collection: true,
		Restrictions: Restrictions{NoUpdate: true, NoDelete: true}}},
}

// SystemProcess is microsoft.graph.industryData.systemProcess: a process the
// service provisions, one per tenant.
var SystemProcess = &EntityType{Namespace: IndustryDataNamespace, Name: "systemProcess", Base: Process, Abstract: true, Own: true}

// UserReportRefreshProcess is microsoft.graph.industryData.userReportRefreshProcess.
var UserReportRefreshProcess = &EntityType{Namespace: IndustryDataNamespace, Name: "userReportRefreshProcess", Base: SystemProcess, Own: true}

// IndustryDataRoot is microsoft.graph.industryData.industryDataRoot: the
// per-tenant root that contains operations, processes and runs. processes
// is this service's own navigation; published Graph has the others.
var IndustryDataRoot = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataRoot", Base: Entity,
	Restrictions: Restrictions{NoInsert: true, NoUpdate: true, NoDelete: true},
	Navigation: []*NavigationProperty{
		{Name: "dataConnectors", Target: IndustryDataConnector, Collection: true, ContainsTarget: true},
		{Name: "inboundFlows", Target: InboundFlow, Collection: true, ContainsTarget: true},
		{Name: "operations", Target: LongRunningOperation, Collection: true, ContainsTarget: true},
		// A process's eTag is its concurrency token (SPEC §3).
		{Name: "processes", Target: Process, Collection: true, ContainsTarget: true, ConcurrencyTokens: []string{"eTag"}},
		{Name: "referenceDefinitions", Target: ReferenceDefinition, Collection: true, ContainsTarget: true},
		{Name: "roleGroups", Target: RoleGroup, Collection: true, ContainsTarget: true},
		// Runs are started by POST processes/{id}/runs or runs/start, never
		// by POST runs, and never changed or deleted.
		{Name: "runs", Target: IndustryDataRun, Collection: true, ContainsTarget: true,
			Restrictions: Restrictions{NoInsert: true, NoUpdate: true, NoDelete: true}},
		{Name: "sourceSystems", Target: SourceSystemDefinition, Collection: true, ContainsTarget: true},
		{Name: "years", Target: YearTimePeriodDefinition, Collection: true, ContainsTarget: true},
	},
}

// External is microsoft.graph.externalConnectors.external, the type of
// the /external singleton, whose industryData navigation is where published
// Graph serves the API (/external/industryData). As in Graph it has no base
// type and no key; of its navigations only industryData is served.
var External = &EntityType{Namespace: ExternalConnectorsNamespace, Name: "external", Keyless: true,
	Navigation: []*NavigationProperty{{Name: "industryData", Target: IndustryDataRoot, ContainsTarget: true}},
}

// Singleton is an entity container member addressed by name.
type Singleton struct {
	Name string
	Type *EntityType
}

// Container is the entity container of the service: the seed's path
// /industryData and published Graph's /external/industryData.
var Container = []Singleton{
	{Name: "industryData", Type: IndustryDataRoot},
	{Name: "external", Type: External},
}

// EntityTypes lists every entity type of the model, bases before derived types.
var EntityTypes = []*EntityType{
	Entity, LongRunningOperation, MutableEntity, IndustryDataRun,
	Process, SystemProcess, UserReportRefreshProcess, IndustryDataRoot, External,
	UserReport, UserReportEntry,
	ReferenceDefinition, RoleGroup, SourceSystemDefinition, YearTimePeriodDefinition,
	IndustryDataConnector, FileDataConnector, AzureDataLakeConnector,
	IndustryDataActivity, InboundFlow, InboundFileFlow,
	IndustryDataRunActivity, InboundFlowActivity,
	ValidateOperation, FileValidateOperation,
}

// Caps, in characters, of the free-text properties a client writes
// (docs/API.md §9): they bound what one entity holds, so a page of 999 of
// them stays a few MB whatever was stored. The service's own values (a
// run's progress and outcome, a report's URL) are far shorter.
const (
	MaxStatusDetailLength     = 4096
	MaxResourceLocationLength = 2048
	MaxDisplayNameLength      = 256
)

func init() {
	LongRunningOperation.Property("statusDetail").MaxLength = MaxStatusDetailLength
	LongRunningOperation.Property("resourceLocation").MaxLength = MaxResourceLocationLength
	Process.Property("displayName").MaxLength = MaxDisplayNameLength
	// A run's displayName is its process's, copied when it starts.
	IndustryDataRun.Property("displayName").MaxLength = MaxDisplayNameLength
}
