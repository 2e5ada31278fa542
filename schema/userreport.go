package schema

import (
	"time"

	"industrydata"
)

// The user report of SPEC §10: what a run of a userReportRefreshProcess
// found in the tenant's roster. It is not part of published Graph; its
// types live in the industryData namespace beside the process that makes it,
// and usersByRole reuses Graph's industryDataRunRoleCountMetric.

// UserReportIssue is the enum of the issue codes an entry lists.
var UserReportIssue = &EnumType{Namespace: IndustryDataNamespace, Name: "userReportIssue",
	Members: industrydata.UserReportIssues, Own: true}

// RoleCountMetric is microsoft.graph.industryData.industryDataRunRoleCountMetric.
var RoleCountMetric = &ComplexType{Namespace: IndustryDataNamespace, Name: "industryDataRunRoleCountMetric",
	Properties: []*Property{
		stringProp("role", func(c *industrydata.RoleCount) *string { return &c.Role }),
		// Edm.Int32, nullable, as published; the report always has a count.
		declaredNullable(asInt32(intProp("count", func(c *industrydata.RoleCount) *int { return &c.Count }))),
	}}

// OrgCountMetric is how many users of the report belong to one org.
var OrgCountMetric = &ComplexType{Namespace: IndustryDataNamespace, Name: "userReportOrgCountMetric", Own: true,
	Properties: []*Property{
		stringProp("orgSourcedId", func(c *industrydata.OrgCount) *string { return &c.OrgSourcedID }),
		stringProp("orgName", func(c *industrydata.OrgCount) *string { return &c.OrgName }),
		intProp("count", func(c *industrydata.OrgCount) *int { return &c.Count }),
	}}

// UserReportSummary is the summary of a user report.
var UserReportSummary = &ComplexType{Namespace: IndustryDataNamespace, Name: "userReportSummary", Own: true,
	Properties: []*Property{
		intProp("totalUsers", func(s *industrydata.UserReportSummary) *int { return &s.TotalUsers }),
		intProp("activeUsers", func(s *industrydata.UserReportSummary) *int { return &s.ActiveUsers }),
		intProp("inactiveUsers", func(s *industrydata.UserReportSummary) *int { return &s.InactiveUsers }),
		intProp("usersWithIssues", func(s *industrydata.UserReportSummary) *int { return &s.UsersWithIssues }),
		complexCollectionProp("usersByRole", RoleCountMetric, func(s *industrydata.UserReportSummary) *[]industrydata.RoleCount { return &s.UsersByRole }),
		complexCollectionProp("usersByOrg", OrgCountMetric, func(s *industrydata.UserReportSummary) *[]industrydata.OrgCount { return &s.UsersByOrg }),
	}}

// UserReport is microsoft.graph.industryData.userReport: a run's report,
// addressed as processes/{pid}/runs/{rid}/userReport, its id the run's.
var UserReport = &EntityType{Namespace: IndustryDataNamespace, Name: "userReport", Base: Entity, Own: true,
	Properties: []*Property{
		readOnly(timeProp("createdDateTime", func(r *industrydata.UserReport) *time.Time { return &r.CreatedDateTime })),
		complexValueProp("summary", UserReportSummary, func(r *industrydata.UserReport) *industrydata.UserReportSummary { return &r.Summary }),
	},
}

// UserReportEntry is microsoft.graph.industryData.userReportEntry: one user
// of a report, keyed by its OneRoster sourcedId (unique in users.csv).
var UserReportEntry = &EntityType{Namespace: IndustryDataNamespace, Name: "userReportEntry", Key: "sourcedId", Own: true,
	Properties: []*Property{
		readOnly(stringProp("sourcedId", func(e *industrydata.UserReportEntry) *string { return &e.SourcedID })),
		readOnly(stringProp("username", func(e *industrydata.UserReportEntry) *string { return &e.Username })),
		readOnly(stringProp("role", func(e *industrydata.UserReportEntry) *string { return &e.Role })),
		readOnly(stringsProp("orgSourcedIds", func(e *industrydata.UserReportEntry) *[]string { return &e.OrgSourcedIDs })),
		readOnly(valueProp("isActive", Boolean, func(e *industrydata.UserReportEntry) *bool { return &e.IsActive })),
		readOnly(enumsProp("issues", UserReportIssue, func(e *industrydata.UserReportEntry) *[]industrydata.UserReportIssue { return &e.Issues })),
		// The inbound flow whose data lists the user (SPEC §12).
		readOnly(stringProp("inboundFlowId", func(e *industrydata.UserReportEntry) *string { return &e.FlowID })),
	},
}
