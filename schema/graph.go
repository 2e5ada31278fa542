package schema

import (
	"time"

	"industrydata"
)

// Namespaces of the model.
const (
	GraphNamespace        = "microsoft.graph"
	IndustryDataNamespace = "microsoft.graph.industryData"
)

// Enum types.
var (
	LongRunningOperationStatus = &EnumType{Namespace: GraphNamespace, Name: "longRunningOperationStatus",
		Members: industrydata.LongRunningOperationStatuses}
	ReadinessStatus = &EnumType{Namespace: IndustryDataNamespace, Name: "readinessStatus",
		Members: industrydata.ReadinessStatuses}
	IndustryDataRunStatus = &EnumType{Namespace: IndustryDataNamespace, Name: "industryDataRunStatus",
		Members: industrydata.IndustryDataRunStatuses}
)

// EnumTypes lists every enum type of the model.
var EnumTypes = []*EnumType{LongRunningOperationStatus, ReadinessStatus, IndustryDataRunStatus, UserReportIssue}

// PublicError is microsoft.graph.publicError.
var PublicError = &ComplexType{Namespace: GraphNamespace, Name: "publicError", Properties: []*Property{
	stringProp("code", func(e *industrydata.PublicError) *string { return &e.Code }),
	stringProp("message", func(e *industrydata.PublicError) *string { return &e.Message }),
	stringProp("target", func(e *industrydata.PublicError) *string { return &e.Target }),
}}

// ComplexTypes lists every complex type of the model.
var ComplexTypes = []*ComplexType{PublicError, RoleCountMetric, OrgCountMetric, UserReportSummary}

// Entity is microsoft.graph.entity, the root of every entity type.
var Entity = &EntityType{Namespace: GraphNamespace, Name: "entity", Abstract: true,
	Properties: []*Property{{
		Name: "id", Kind: String, ReadOnly: true,
		Get: func(e any) any { return e.(interface{ EntityID() string }).EntityID() },
	}},
}

// LongRunningOperation is microsoft.graph.longRunningOperation (seed 003);
// properties in the order the seed's response shows them.
var LongRunningOperation = &EntityType{Namespace: GraphNamespace, Name: "longRunningOperation", Base: Entity,
	Properties: []*Property{
		timeProp("createdDateTime", func(o *industrydata.Operation) *time.Time { return &o.CreatedDateTime }),
		nullableTimeProp("lastActionDateTime", func(o *industrydata.Operation) **time.Time { return &o.LastActionDateTime }),
		enumProp("status", LongRunningOperationStatus, func(o *industrydata.Operation) *industrydata.LongRunningOperationStatus { return &o.Status }),
		nullableStringProp("statusDetail", func(o *industrydata.Operation) **string { return &o.StatusDetail }),
		link(nullableStringProp("resourceLocation", func(o *industrydata.Operation) **string { return &o.ResourceLocation })),
	},
}

// MutableEntity is microsoft.graph.industryData.mutableEntity: an entity with
// an eTag, the concurrency token of SPEC §3.
var MutableEntity = &EntityType{Namespace: IndustryDataNamespace, Name: "mutableEntity", Base: Entity, Abstract: true,
	Properties: []*Property{{
		Name: "eTag", Kind: String, ReadOnly: true,
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
}

// Process is microsoft.graph.industryData.process, the abstract base of
// every process type (seed 000).
var Process = &EntityType{Namespace: IndustryDataNamespace, Name: "process", Base: MutableEntity, Abstract: true,
	Properties: []*Property{
		stringProp("displayName", func(p *industrydata.Process) *string { return &p.DisplayName }),
		enumProp("readinessStatus", ReadinessStatus, func(p *industrydata.Process) *industrydata.ReadinessStatus { return &p.ReadinessStatus }),
	},
	Navigation: []*NavigationProperty{{Name: "runs", Target: IndustryDataRun, Collection: true}},
}

// SystemProcess is microsoft.graph.industryData.systemProcess: a process the
// service provisions, one per tenant.
var SystemProcess = &EntityType{Namespace: IndustryDataNamespace, Name: "systemProcess", Base: Process, Abstract: true}

// UserReportRefreshProcess is microsoft.graph.industryData.userReportRefreshProcess.
var UserReportRefreshProcess = &EntityType{Namespace: IndustryDataNamespace, Name: "userReportRefreshProcess", Base: SystemProcess}

// IndustryDataRoot is microsoft.graph.industryData.industryDataRoot: the
// per-tenant root that contains operations, processes and runs.
var IndustryDataRoot = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataRoot", Base: Entity,
	Navigation: []*NavigationProperty{
		{Name: "operations", Target: LongRunningOperation, Collection: true, ContainsTarget: true},
		{Name: "processes", Target: Process, Collection: true, ContainsTarget: true},
		{Name: "runs", Target: IndustryDataRun, Collection: true, ContainsTarget: true},
	},
}

// External is microsoft.graph.external, whose industryData navigation is
// where published Graph serves the API (/external/industryData).
var External = &EntityType{Namespace: GraphNamespace, Name: "external", Base: Entity,
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
