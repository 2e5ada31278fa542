package schema

import "industrydata"

// A run's activities and statistics (SPEC §12), declared as Microsoft's
// published beta metadata declares them; the Go types are in the root
// package's activity.go.

// ActivityStatus is microsoft.graph.industryData.industryDataActivityStatus.
var ActivityStatus = &EnumType{Namespace: IndustryDataNamespace, Name: "industryDataActivityStatus",
	Members: industrydata.ActivityStatuses}

// IndustryDataRunActivity is microsoft.graph.industryData.industryDataRunActivity,
// the abstract type of a run's activities collection.
var IndustryDataRunActivity = &EntityType{Namespace: IndustryDataNamespace, Name: "industryDataRunActivity", Base: Entity, Abstract: true,
	Properties: []*Property{
		complexProp("blockingError", PublicError, func(a *industrydata.RunActivity) **industrydata.PublicError { return &a.BlockingError }),
		readOnly(stringProp("displayName", func(a *industrydata.RunActivity) *string { return &a.DisplayName })),
		readOnly(enumProp("status", ActivityStatus, func(a *industrydata.RunActivity) *industrydata.ActivityStatus { return &a.Status })),
	},
	// The flow the activity executed (an inbound flow, an
	// industryDataActivity), served as activities/{id}/activity.
	Navigation: []*NavigationProperty{{Name: "activity", Target: IndustryDataActivity, Nullable: true}},
}

// InboundFlowActivity is microsoft.graph.industryData.inboundFlowActivity:
// what a run did with one inbound flow.
var InboundFlowActivity = &EntityType{Namespace: IndustryDataNamespace, Name: "inboundFlowActivity", Base: IndustryDataRunActivity}

// EntityCountMetric is microsoft.graph.industryData.industryDataRunEntityCountMetric.
var EntityCountMetric = &ComplexType{Namespace: IndustryDataNamespace, Name: "industryDataRunEntityCountMetric",
	Properties: []*Property{
		countProp("active", func(c *industrydata.EntityCounts) *int { return &c.Active }),
		countProp("inactive", func(c *industrydata.EntityCounts) *int { return &c.Inactive }),
		countProp("total", func(c *industrydata.EntityCounts) *int { return &c.Total }),
	}}

// IndustryDataActivityStatistics is
// microsoft.graph.industryData.industryDataActivityStatistics; every value
// the service has is an inboundActivityResults.
var IndustryDataActivityStatistics = &ComplexType{Namespace: IndustryDataNamespace, Name: "industryDataActivityStatistics", Abstract: true,
	Properties: []*Property{
		stringProp("activityId", func(s *industrydata.ActivityStatistics) *string { return &s.ActivityID }),
		stringProp("displayName", func(s *industrydata.ActivityStatistics) *string { return &s.DisplayName }),
		enumProp("status", ActivityStatus, func(s *industrydata.ActivityStatistics) *industrydata.ActivityStatus { return &s.Status }),
	},
}

func init() {
	// Set here: the derived type refers to its base, so the base cannot
	// name it in its own declaration.
	IndustryDataActivityStatistics.Concrete = func(any) *ComplexType { return InboundActivityResults }
}

// InboundActivityResults is microsoft.graph.industryData.inboundActivityResults.
// Its figures are null for an activity that counted nothing; the people
// matched to directory users (by role) need a directory, which the service
// does not have, and are not written (SPEC §12).
var InboundActivityResults = &ComplexType{Namespace: IndustryDataNamespace, Name: "inboundActivityResults", Base: IndustryDataActivityStatistics,
	Properties: []*Property{
		activityCount("errors", func(c *industrydata.InboundCounts) int { return c.Errors }),
		activityMetric("groups", func(c *industrydata.InboundCounts) *industrydata.EntityCounts { return &c.Groups }),
		unserved(declaredNullable(complexCollectionProp("matchedPeopleByRole", RoleCountMetric, noRoleCounts[industrydata.ActivityStatistics]))),
		activityMetric("memberships", func(c *industrydata.InboundCounts) *industrydata.EntityCounts { return &c.Memberships }),
		activityMetric("organizations", func(c *industrydata.InboundCounts) *industrydata.EntityCounts { return &c.Organizations }),
		activityMetric("people", func(c *industrydata.InboundCounts) *industrydata.EntityCounts { return &c.People }),
		unserved(declaredNullable(complexCollectionProp("unmatchedPeopleByRole", RoleCountMetric, noRoleCounts[industrydata.ActivityStatistics]))),
		activityCount("warnings", func(c *industrydata.InboundCounts) int { return c.Warnings }),
	}}

// AggregatedInboundStatistics is microsoft.graph.industryData.aggregatedInboundStatistics.
var AggregatedInboundStatistics = &ComplexType{Namespace: IndustryDataNamespace, Name: "aggregatedInboundStatistics",
	Properties: []*Property{
		countProp("errors", func(t *industrydata.InboundTotals) *int { return &t.Errors }),
		countProp("groups", func(t *industrydata.InboundTotals) *int { return &t.Groups }),
		unserved(declaredNullable(complexCollectionProp("matchedPeopleByRole", RoleCountMetric, noRoleCounts[industrydata.InboundTotals]))),
		countProp("memberships", func(t *industrydata.InboundTotals) *int { return &t.Memberships }),
		countProp("organizations", func(t *industrydata.InboundTotals) *int { return &t.Organizations }),
		countProp("people", func(t *industrydata.InboundTotals) *int { return &t.People }),
		unserved(declaredNullable(complexCollectionProp("unmatchedPeopleByRole", RoleCountMetric, noRoleCounts[industrydata.InboundTotals]))),
		countProp("warnings", func(t *industrydata.InboundTotals) *int { return &t.Warnings }),
	}}

// IndustryDataRunStatistics is microsoft.graph.industryData.industryDataRunStatistics,
// what getStatistics answers.
var IndustryDataRunStatistics = &ComplexType{Namespace: IndustryDataNamespace, Name: "industryDataRunStatistics",
	Properties: []*Property{
		declaredNullable(complexCollectionProp("activityStatistics", IndustryDataActivityStatistics,
			func(s *industrydata.RunStatistics) *[]industrydata.ActivityStatistics { return &s.Activities })),
		declaredNullable(complexValueProp("inboundTotals", AggregatedInboundStatistics,
			func(s *industrydata.RunStatistics) *industrydata.InboundTotals { return &s.Totals })),
		stringProp("runId", func(s *industrydata.RunStatistics) *string { return &s.RunID }),
		enumProp("status", IndustryDataRunStatus, func(s *industrydata.RunStatistics) *industrydata.IndustryDataRunStatus { return &s.Status }),
	}}

// countProp binds an int field as a count: Edm.Int32, nullable as
// published, always written.
func countProp[T any](name string, field func(*T) *int) *Property {
	return declaredNullable(asInt32(intProp(name, field)))
}

// activityCount is one of an activity's counts: null when it counted
// nothing.
func activityCount(name string, count func(*industrydata.InboundCounts) int) *Property {
	return &Property{Name: name, Kind: Int32, Nullable: true, ReadOnly: true,
		Get: func(e any) any {
			if c := e.(*industrydata.ActivityStatistics).Counts; c != nil {
				return int64(count(c))
			}
			return nil
		},
	}
}

// activityMetric is one of an activity's entity counts: null when it
// counted nothing.
func activityMetric(name string, metric func(*industrydata.InboundCounts) *industrydata.EntityCounts) *Property {
	return &Property{Name: name, Kind: Complex, Complex: EntityCountMetric, Nullable: true, ReadOnly: true,
		Get: func(e any) any {
			if c := e.(*industrydata.ActivityStatistics).Counts; c != nil {
				return metric(c)
			}
			return nil
		},
	}
}

// noRoleCounts is the field behind an unserved by-role count: always none.
func noRoleCounts[T any](*T) *[]industrydata.RoleCount { return new([]industrydata.RoleCount) }

func unserved(p *Property) *Property {
	p.Unserved = true
	return p
}
