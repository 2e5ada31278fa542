package client

import (
	"strings"
	"time"
)

// The import surface (docs/API.md §11): how a school describes where its
// roster comes from. Fields a struct leaves at their zero value are not
// sent, so one struct serves to read, to create and to update; the
// navigations are set with the …Bind fields (Bind makes their value) and
// read, with $expand, in the fields of the target's type.

// ReferenceValue is microsoft.graph.industryData.referenceValue: a code of
// a reference definition ({"code":"2026"}).
type ReferenceValue struct {
	Code string `json:"code"`
}

// Code returns a ReferenceValue of code.
func Code(code string) *ReferenceValue { return &ReferenceValue{Code: code} }

// Bind is the value of an @odata.bind: the URL of the entity id of set
// ("sourceSystems"), relative to the industryData root, which the service
// accepts as published Graph's absolute form.
func Bind(set, id string) string {
	return set + "('" + strings.ReplaceAll(id, "'", "''") + "')"
}

// SourceSystem is microsoft.graph.industryData.sourceSystemDefinition.
type SourceSystem struct {
	Entity
	DisplayName          string                `json:"displayName,omitempty"`
	Vendor               *string               `json:"vendor,omitempty"`
	UserMatchingSettings []UserMatchingSetting `json:"userMatchingSettings,omitempty"`
}

// UserMatchingSetting is microsoft.graph.industryData.userMatchingSetting.
// Its role group is written (RoleGroupBind), not read back.
type UserMatchingSetting struct {
	RoleGroupBind    string          `json:"roleGroup@odata.bind,omitempty"`
	MatchTarget      *ReferenceValue `json:"matchTarget,omitempty"`
	PriorityOrder    int32           `json:"priorityOrder"`
	SourceIdentifier *ReferenceValue `json:"sourceIdentifier,omitempty"`
}

// Year is microsoft.graph.industryData.yearTimePeriodDefinition: a school
// year; Year's code is the RefAcademicYear the year ends in ("2026").
type Year struct {
	Entity
	DisplayName string `json:"displayName,omitempty"`
	// StartDate and EndDate are dates, YYYY-MM-DD.
	StartDate string          `json:"startDate,omitempty"`
	EndDate   string          `json:"endDate,omitempty"`
	Year      *ReferenceValue `json:"year,omitempty"`
}

// RoleGroup is microsoft.graph.industryData.roleGroup.
type RoleGroup struct {
	Entity
	DisplayName string           `json:"displayName,omitempty"`
	Roles       []ReferenceValue `json:"roles,omitempty"`
}

// DataConnector is microsoft.graph.industryData.azureDataLakeConnector
// (the concrete industryDataConnector): where a roster's files are
// uploaded.
type DataConnector struct {
	Entity
	DisplayName string          `json:"displayName,omitempty"`
	FileFormat  *ReferenceValue `json:"fileFormat,omitempty"`
	// SourceSystemBind sets the sourceSystem navigation (required on
	// create): Bind("sourceSystems", id).
	SourceSystemBind string `json:"sourceSystem@odata.bind,omitempty"`
	// SourceSystem is the navigation read with $expand=sourceSystem.
	SourceSystem *SourceSystem `json:"sourceSystem,omitempty"`
}

// InboundFlow is microsoft.graph.industryData.inboundFileFlow: a data
// connector's files brought in for one school year.
type InboundFlow struct {
	Entity
	DisplayName string `json:"displayName,omitempty"`
	// ReadinessStatus is the service's (read-only): ready once the
	// connector has validated files.
	ReadinessStatus    ReadinessStatus `json:"readinessStatus,omitempty"`
	DataDomain         string          `json:"dataDomain,omitempty"`
	EffectiveDateTime  time.Time       `json:"effectiveDateTime,omitzero"`
	ExpirationDateTime *time.Time      `json:"expirationDateTime,omitempty"`
	// DataConnectorBind and YearBind set the navigations (required on
	// create).
	DataConnectorBind string `json:"dataConnector@odata.bind,omitempty"`
	YearBind          string `json:"year@odata.bind,omitempty"`
	// DataConnector and Year are read with $expand.
	DataConnector *DataConnector `json:"dataConnector,omitempty"`
	Year          *Year          `json:"year,omitempty"`
}

// ReferenceDefinition is microsoft.graph.industryData.referenceDefinition:
// one code of a reference type; its id is {referenceType}-{code}.
type ReferenceDefinition struct {
	Entity
	ReferenceType string  `json:"referenceType,omitempty"`
	Code          string  `json:"code,omitempty"`
	DisplayName   *string `json:"displayName,omitempty"`
	IsDisabled    *bool   `json:"isDisabled,omitempty"`
	SortIndex     *int32  `json:"sortIndex,omitempty"`
	// Source ("system" or "tenant") and the dates are read-only.
	Source               string    `json:"source,omitempty"`
	CreatedDateTime      time.Time `json:"createdDateTime,omitzero"`
	LastModifiedDateTime time.Time `json:"lastModifiedDateTime,omitzero"`
}

// SourceSystems is the set of source systems.
func (c *Client) SourceSystems() *Set[SourceSystem] {
	return newSet[SourceSystem](c, "sourceSystems", "")
}

// Years is the set of school years.
func (c *Client) Years() *Set[Year] { return newSet[Year](c, "years", "") }

// RoleGroups is the set of role groups.
func (c *Client) RoleGroups() *Set[RoleGroup] { return newSet[RoleGroup](c, "roleGroups", "") }

// DataConnectors is the set of data connectors; Create sends
// azureDataLakeConnector unless told another type.
func (c *Client) DataConnectors() *Set[DataConnector] {
	return newSet[DataConnector](c, "dataConnectors", "microsoft.graph.industryData.azureDataLakeConnector")
}

// InboundFlows is the set of inbound flows; Create sends inboundFileFlow
// unless told another type.
func (c *Client) InboundFlows() *Set[InboundFlow] {
	return newSet[InboundFlow](c, "inboundFlows", "microsoft.graph.industryData.inboundFileFlow")
}

// ReferenceDefinitions is the set of reference definitions: the system's
// and the tenant's own codes.
func (c *Client) ReferenceDefinitions() *Set[ReferenceDefinition] {
	return newSet[ReferenceDefinition](c, "referenceDefinitions", "")
}
