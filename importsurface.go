package industrydata

import "time"

// The entity types of the import surface (SPEC §11): how a school describes
// where its roster comes from. Each is kept as a Resource; the service
// converts between these types and Resource.Doc.

// ResourceMeta is what every import-surface entity carries besides its
// Graph properties: its id, its stored version and its insertion order.
type ResourceMeta struct {
	ID   string
	ETag string
	// Seq orders the collection and is the keyset paging key.
	Seq int64
}

// EntityID returns the entity's id (microsoft.graph.entity's id).
func (m *ResourceMeta) EntityID() string { return m.ID }

// Meta returns the entity's identity, for code that handles every
// import-surface type alike.
func (m *ResourceMeta) Meta() *ResourceMeta { return m }

// ReferenceValue is microsoft.graph.industryData.referenceValue and its
// derived types: a code of a reference definition of one referenceType.
type ReferenceValue struct {
	Code string
}

// SourceSystem is microsoft.graph.industryData.sourceSystemDefinition.
type SourceSystem struct {
	ResourceMeta
	DisplayName          string
	Vendor               *string
	UserMatchingSettings []UserMatchingSetting
}

// UserMatchingSetting is microsoft.graph.industryData.userMatchingSetting.
type UserMatchingSetting struct {
	// RoleGroupID is the roleGroup navigation: the role group it applies to.
	RoleGroupID      string
	MatchTarget      *ReferenceValue
	PriorityOrder    int64
	SourceIdentifier ReferenceValue
}

// Year is microsoft.graph.industryData.yearTimePeriodDefinition.
type Year struct {
	ResourceMeta
	DisplayName string
	// StartDate and EndDate are Edm.Date values, YYYY-MM-DD.
	StartDate, EndDate string
	Year               ReferenceValue
}

// RoleGroup is microsoft.graph.industryData.roleGroup.
type RoleGroup struct {
	ResourceMeta
	DisplayName string
	Roles       []ReferenceValue
}

// DataConnector is microsoft.graph.industryData.industryDataConnector and
// its derived types (azureDataLakeConnector).
type DataConnector struct {
	ResourceMeta
	Type           string // full type name
	DisplayName    string
	SourceSystemID string
	FileFormat     *ReferenceValue
}

// SetEntityType records the connector's concrete type.
func (c *DataConnector) SetEntityType(name string) { c.Type = name }

// InboundDomain is microsoft.graph.industryData.inboundDomain.
type InboundDomain string

// InboundDomains lists every member.
var InboundDomains = []string{"educationRostering", "unknownFutureValue"}

// InboundFlow is microsoft.graph.industryData.inboundFlow and its derived
// types (inboundFileFlow).
type InboundFlow struct {
	ResourceMeta
	Type               string // full type name
	DisplayName        string
	ReadinessStatus    ReadinessStatus
	DataDomain         InboundDomain
	EffectiveDateTime  time.Time
	ExpirationDateTime *time.Time
	DataConnectorID    string
	YearID             string
}

// SetEntityType records the flow's concrete type.
func (f *InboundFlow) SetEntityType(name string) { f.Type = name }

// ReferenceDefinition is microsoft.graph.industryData.referenceDefinition:
// one code of a reference type. The system's definitions exist for every
// tenant; a tenant's own codes and its changes to system ones are stored.
type ReferenceDefinition struct {
	ResourceMeta
	ReferenceType        string
	Code                 string
	DisplayName          *string
	IsDisabled           bool
	SortIndex            int64
	Source               string
	CreatedDateTime      time.Time
	LastModifiedDateTime time.Time
}

// ReferenceDefinitionID is the id of a definition: {referenceType}-{code}.
func ReferenceDefinitionID(referenceType, code string) string {
	return referenceType + "-" + code
}
