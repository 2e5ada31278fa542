package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func typeNames(ts []*schema.EntityType) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.FullName())
	}
	return out
}

func propNames(ps []*schema.Property) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestLookupEntityType(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *schema.EntityType
	}{
		{"full name found", "microsoft.graph.longRunningOperation", schema.LongRunningOperation},
		{"@odata.type value with hash found", "#microsoft.graph.longRunningOperation", schema.LongRunningOperation},
		{"derived process type found", "microsoft.graph.industryData.userReportRefreshProcess", schema.UserReportRefreshProcess},
		{"derived process type with hash found", "#microsoft.graph.industryData.userReportRefreshProcess", schema.UserReportRefreshProcess},
		{"abstract type found", "#microsoft.graph.industryData.process", schema.Process},
		{"root entity found", "microsoft.graph.entity", schema.Entity},
		{"run found", "microsoft.graph.industryData.industryDataRun", schema.IndustryDataRun},
		{"systemProcess found", "microsoft.graph.industryData.systemProcess", schema.SystemProcess},
		{"unknown name is nil", "microsoft.graph.user", nil},
		{"empty name is nil", "", nil},
		{"hash alone is nil", "#", nil},
		{"two hashes is nil", "##microsoft.graph.longRunningOperation", nil},
		{"short name is nil", "longRunningOperation", nil},
		{"wrong namespace is nil", "microsoft.graph.userReportRefreshProcess", nil},
		{"wrong case is nil", "microsoft.graph.LongRunningOperation", nil},
		{"trailing space is nil", "microsoft.graph.longRunningOperation ", nil},
		{"enum type is not an entity type", "microsoft.graph.longRunningOperationStatus", nil},
		{"complex type is not an entity type", "microsoft.graph.publicError", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := schema.LookupEntityType(tt.in); got != tt.want {
				t.Errorf("LookupEntityType(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	for _, typ := range schema.EntityTypes {
		if got := schema.LookupEntityType(typ.ODataType()); got != typ {
			t.Errorf("LookupEntityType(%q) = %v, want the type itself", typ.ODataType(), got)
		}
	}
}

func TestTypeNames(t *testing.T) {
	tests := []struct {
		name          string
		typ           *schema.EntityType
		wantFull      string
		wantODataType string
	}{
		{"longRunningOperation", schema.LongRunningOperation, "microsoft.graph.longRunningOperation", "#microsoft.graph.longRunningOperation"},
		{"userReportRefreshProcess", schema.UserReportRefreshProcess, industrydata.TypeUserReportRefreshProcess, "#" + industrydata.TypeUserReportRefreshProcess},
		{"process", schema.Process, "microsoft.graph.industryData.process", "#microsoft.graph.industryData.process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.typ.FullName(); got != tt.wantFull {
				t.Errorf("FullName = %q, want %q", got, tt.wantFull)
			}
			if got := tt.typ.ODataType(); got != tt.wantODataType {
				t.Errorf("ODataType = %q, want %q", got, tt.wantODataType)
			}
		})
	}
	if got, want := schema.ReadinessStatus.FullName(), "microsoft.graph.industryData.readinessStatus"; got != want {
		t.Errorf("ReadinessStatus.FullName = %q, want %q", got, want)
	}
	if got, want := schema.PublicError.FullName(), "microsoft.graph.publicError"; got != want {
		t.Errorf("PublicError.FullName = %q, want %q", got, want)
	}
}

func TestConcreteSubtypes(t *testing.T) {
	tests := []struct {
		name string
		base *schema.EntityType
		want []*schema.EntityType
	}{
		{"process has only userReportRefreshProcess", schema.Process, []*schema.EntityType{schema.UserReportRefreshProcess}},
		{"systemProcess has only userReportRefreshProcess", schema.SystemProcess, []*schema.EntityType{schema.UserReportRefreshProcess}},
		{"mutableEntity has only userReportRefreshProcess", schema.MutableEntity, []*schema.EntityType{schema.UserReportRefreshProcess}},
		{"concrete type includes itself", schema.UserReportRefreshProcess, []*schema.EntityType{schema.UserReportRefreshProcess}},
		{"operation includes itself and the validation", schema.LongRunningOperation, []*schema.EntityType{schema.LongRunningOperation, schema.FileValidateOperation}},
		{"entity has every concrete type in model order", schema.Entity, []*schema.EntityType{
			schema.LongRunningOperation, schema.IndustryDataRun, schema.UserReportRefreshProcess, schema.IndustryDataRoot,
			schema.UserReport, schema.ReferenceDefinition, schema.RoleGroup, schema.SourceSystemDefinition, schema.YearTimePeriodDefinition,
			schema.AzureDataLakeConnector, schema.InboundFileFlow, schema.InboundFlowActivity, schema.FileValidateOperation}},
		{"a data connector is an azureDataLakeConnector", schema.IndustryDataConnector, []*schema.EntityType{schema.AzureDataLakeConnector}},
		{"an inbound flow is an inboundFileFlow", schema.IndustryDataActivity, []*schema.EntityType{schema.InboundFileFlow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(typeNames(tt.want), typeNames(schema.ConcreteSubtypes(tt.base))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDerivesFrom(t *testing.T) {
	tests := []struct {
		name string
		t    *schema.EntityType
		base *schema.EntityType
		want bool
	}{
		{"type derives from itself", schema.Process, schema.Process, true},
		{"leaf derives from its parent", schema.UserReportRefreshProcess, schema.SystemProcess, true},
		{"leaf derives from its grandparent", schema.UserReportRefreshProcess, schema.Process, true},
		{"leaf derives from mutableEntity", schema.UserReportRefreshProcess, schema.MutableEntity, true},
		{"everything derives from entity", schema.IndustryDataRun, schema.Entity, true},
		{"base does not derive from derived", schema.Process, schema.UserReportRefreshProcess, false},
		{"siblings do not derive from each other", schema.LongRunningOperation, schema.Process, false},
		{"operation is not mutable", schema.LongRunningOperation, schema.MutableEntity, false},
		{"nothing derives from nil", schema.Entity, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.DerivesFrom(tt.base); got != tt.want {
				t.Errorf("DerivesFrom = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAllProperties(t *testing.T) {
	tests := []struct {
		name string
		typ  *schema.EntityType
		want []string
	}{
		{"entity", schema.Entity, []string{"id"}},
		{"operation in seed order", schema.LongRunningOperation,
			[]string{"id", "createdDateTime", "lastActionDateTime", "status", "statusDetail", "resourceLocation"}},
		{"root has only id", schema.IndustryDataRoot, []string{"id"}},
		{"mutableEntity adds eTag", schema.MutableEntity, []string{"id", "eTag"}},
		{"process inherited first", schema.Process, []string{"id", "eTag", "displayName", "readinessStatus"}},
		{"userReportRefreshProcess inherits all", schema.UserReportRefreshProcess, []string{"id", "eTag", "displayName", "readinessStatus"}},
		{"run", schema.IndustryDataRun, []string{"id", "blockingError", "displayName", "endDateTime", "startDateTime", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, propNames(tt.typ.AllProperties())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Calling it must not disturb the declarations it reads.
	_ = append(schema.UserReportRefreshProcess.AllProperties(), &schema.Property{Name: "x"})
	_ = append(schema.IndustryDataRoot.AllProperties(), &schema.Property{Name: "y"})
	if diff := cmp.Diff([]string{"id", "eTag", "displayName", "readinessStatus"}, propNames(schema.Process.AllProperties())); diff != "" {
		t.Errorf("Process after appends (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"id"}, propNames(schema.Entity.AllProperties())); diff != "" {
		t.Errorf("Entity after appends (-want +got):\n%s", diff)
	}
}

func TestNavigation(t *testing.T) {
	for _, typ := range []*schema.EntityType{schema.Process, schema.SystemProcess, schema.UserReportRefreshProcess} {
		t.Run(typ.Name+" has runs", func(t *testing.T) {
			nav := typ.AllNavigation()
			if len(nav) != 1 || nav[0].Name != "runs" || nav[0].Target != schema.IndustryDataRun || !nav[0].Collection {
				t.Errorf("AllNavigation = %+v, want one collection runs of industryDataRun", nav)
			}
			if typ.NavigationProperty("runs") != nav[0] {
				t.Errorf("NavigationProperty(runs) not found")
			}
			if typ.Property("runs") != nil {
				t.Errorf("runs is also a structural property")
			}
		})
	}
	t.Run("operation has none", func(t *testing.T) {
		if nav := schema.LongRunningOperation.AllNavigation(); len(nav) != 0 {
			t.Errorf("AllNavigation = %+v", nav)
		}
		if schema.LongRunningOperation.NavigationProperty("runs") != nil {
			t.Errorf("operation has runs")
		}
	})
}

func TestPropertyLookup(t *testing.T) {
	tests := []struct {
		name     string
		typ      *schema.EntityType
		prop     string
		found    bool
		readOnly bool
		nullable bool
		kind     schema.Kind
	}{
		{"inherited id found and read-only", schema.UserReportRefreshProcess, "id", true, true, false, schema.String},
		{"inherited eTag found and read-only", schema.UserReportRefreshProcess, "eTag", true, true, false, schema.String},
		{"inherited displayName writable", schema.UserReportRefreshProcess, "displayName", true, false, false, schema.String},
		{"readinessStatus is an enum", schema.UserReportRefreshProcess, "readinessStatus", true, false, false, schema.Enum},
		{"createdDateTime not nullable", schema.LongRunningOperation, "createdDateTime", true, false, false, schema.DateTimeOffset},
		{"lastActionDateTime nullable", schema.LongRunningOperation, "lastActionDateTime", true, false, true, schema.DateTimeOffset},
		{"status is an enum", schema.LongRunningOperation, "status", true, false, false, schema.Enum},
		{"statusDetail nullable", schema.LongRunningOperation, "statusDetail", true, false, true, schema.String},
		{"resourceLocation nullable", schema.LongRunningOperation, "resourceLocation", true, false, true, schema.String},
		{"blockingError complex read-only", schema.IndustryDataRun, "blockingError", true, true, true, schema.Complex},
		{"run status read-only", schema.IndustryDataRun, "status", true, true, false, schema.Enum},
		{"eTag not on operation", schema.LongRunningOperation, "eTag", false, false, false, 0},
		{"lookup is case-sensitive", schema.LongRunningOperation, "Status", false, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.typ.Property(tt.prop)
			if (p != nil) != tt.found {
				t.Fatalf("Property(%q) = %v, want found %v", tt.prop, p, tt.found)
			}
			if p == nil {
				return
			}
			got := [3]any{p.ReadOnly, p.Nullable, p.Kind}
			if diff := cmp.Diff([3]any{tt.readOnly, tt.nullable, tt.kind}, got); diff != "" {
				t.Errorf("ReadOnly, Nullable, Kind (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnumTypes(t *testing.T) {
	tests := []struct {
		name string
		typ  *schema.EnumType
		want []string
	}{
		{"longRunningOperationStatus in seed order", schema.LongRunningOperationStatus,
			[]string{"notStarted", "running", "succeeded", "failed", "unknownFutureValue"}},
		{"readinessStatus with deleted and disabled", schema.ReadinessStatus,
			[]string{"notReady", "ready", "failed", "deleted", "expired", "unknownFutureValue", "disabled"}},
		{"industryDataRunStatus", schema.IndustryDataRunStatus,
			[]string{"running", "failed", "completed", "completedWithErrors", "completedWithWarnings", "unknownFutureValue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.typ.Members); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, m := range tt.want {
				if !tt.typ.Has(m) {
					t.Errorf("Has(%q) = false", m)
				}
			}
			for _, m := range []string{"", "bogus", "Ready", "NOTSTARTED"} {
				if tt.typ.Has(m) {
					t.Errorf("Has(%q) = true", m)
				}
			}
		})
	}
}

func TestEdmName(t *testing.T) {
	for kind, want := range map[schema.Kind]string{
		schema.String: "Edm.String", schema.DateTimeOffset: "Edm.DateTimeOffset",
		schema.Boolean: "Edm.Boolean", schema.Int64: "Edm.Int64",
		schema.Enum: "", schema.Complex: "", 0: "",
	} {
		if got := kind.EdmName(); got != want {
			t.Errorf("Kind(%d).EdmName() = %q, want %q", kind, got, want)
		}
	}
}

// The invariants every declaration in model.go must keep.
func TestModelInvariants(t *testing.T) {
	t.Run("type names unique", func(t *testing.T) {
		seen := map[string]bool{}
		var names []string
		for _, typ := range schema.EntityTypes {
			names = append(names, typ.FullName())
		}
		for _, typ := range schema.EnumTypes {
			names = append(names, typ.FullName())
		}
		for _, typ := range schema.ComplexTypes {
			names = append(names, typ.FullName())
		}
		for _, n := range names {
			if seen[n] {
				t.Errorf("type name %q declared twice", n)
			}
			seen[n] = true
		}
	})
	t.Run("bases listed before derived types", func(t *testing.T) {
		pos := map[*schema.EntityType]int{}
		for i, typ := range schema.EntityTypes {
			pos[typ] = i
		}
		for i, typ := range schema.EntityTypes {
			if typ.Base == nil {
				continue
			}
			j, ok := pos[typ.Base]
			if !ok || j >= i {
				t.Errorf("%s: base %s is not listed before it", typ.FullName(), typ.Base.FullName())
			}
		}
	})
	t.Run("every entity type derives from entity or has a key of its own", func(t *testing.T) {
		for _, typ := range schema.EntityTypes {
			if typ.Key != "" {
				if typ.Base != nil || typ.Property(typ.Key) == nil {
					t.Errorf("%s: key %q needs a root type declaring it", typ.FullName(), typ.Key)
				}
				continue
			}
			// A keyless type (externalConnectors.external) is Graph's
			// singleton type, with no id to derive.
			if !typ.Keyless && !typ.DerivesFrom(schema.Entity) {
				t.Errorf("%s does not derive from entity", typ.FullName())
			}
		}
	})
	t.Run("property names unique per type", func(t *testing.T) {
		for _, typ := range schema.EntityTypes {
			seen := map[string]bool{}
			for _, p := range typ.AllProperties() {
				if seen[p.Name] {
					t.Errorf("%s: property %q twice", typ.FullName(), p.Name)
				}
				seen[p.Name] = true
			}
			for _, n := range typ.AllNavigation() {
				if seen[n.Name] {
					t.Errorf("%s: navigation property %q clashes", typ.FullName(), n.Name)
				}
				seen[n.Name] = true
			}
		}
	})
	t.Run("enum members unique", func(t *testing.T) {
		for _, e := range schema.EnumTypes {
			seen := map[string]bool{}
			for _, m := range e.Members {
				if seen[m] {
					t.Errorf("%s: member %q twice", e.FullName(), m)
				}
				seen[m] = true
			}
		}
	})
	t.Run("properties of concrete types have Get", func(t *testing.T) {
		for _, typ := range schema.EntityTypes {
			if typ.Abstract {
				continue
			}
			for _, p := range typ.AllProperties() {
				if p.Get == nil {
					t.Errorf("%s.%s has no Get", typ.FullName(), p.Name)
				}
			}
		}
		for _, ct := range schema.ComplexTypes {
			for _, p := range ct.Properties {
				if p.Get == nil {
					t.Errorf("%s.%s has no Get", ct.FullName(), p.Name)
				}
			}
		}
	})
	t.Run("writable properties have Set", func(t *testing.T) {
		for _, typ := range schema.EntityTypes {
			for _, p := range typ.AllProperties() {
				if !p.ReadOnly && p.Set == nil {
					t.Errorf("%s.%s is writable but has no Set", typ.FullName(), p.Name)
				}
			}
		}
	})
	t.Run("kinds carry their types", func(t *testing.T) {
		for _, typ := range schema.EntityTypes {
			for _, p := range typ.AllProperties() {
				switch {
				case p.Kind == schema.Enum && p.Enum == nil:
					t.Errorf("%s.%s: enum without EnumType", typ.FullName(), p.Name)
				case p.Kind == schema.Complex && p.Complex == nil:
					t.Errorf("%s.%s: complex without ComplexType", typ.FullName(), p.Name)
				case p.Kind != schema.Enum && p.Kind != schema.Complex && p.Kind.EdmName() == "":
					t.Errorf("%s.%s: kind %d has no EDM name", typ.FullName(), p.Name, p.Kind)
				}
			}
		}
	})
	t.Run("enums and complex types are registered", func(t *testing.T) {
		enums := map[*schema.EnumType]bool{}
		for _, e := range schema.EnumTypes {
			enums[e] = true
		}
		complexes := map[*schema.ComplexType]bool{}
		for _, c := range schema.ComplexTypes {
			complexes[c] = true
		}
		for _, typ := range schema.EntityTypes {
			for _, p := range typ.AllProperties() {
				if p.Enum != nil && !enums[p.Enum] {
					t.Errorf("%s.%s: enum %s not in EnumTypes", typ.FullName(), p.Name, p.Enum.FullName())
				}
				if p.Complex != nil && !complexes[p.Complex] {
					t.Errorf("%s.%s: complex %s not in ComplexTypes", typ.FullName(), p.Name, p.Complex.FullName())
				}
			}
		}
	})
	t.Run("enum members match the domain lists", func(t *testing.T) {
		if diff := cmp.Diff(industrydata.ReadinessStatuses, schema.ReadinessStatus.Members); diff != "" {
			t.Errorf("readinessStatus (-domain +schema):\n%s", diff)
		}
		if diff := cmp.Diff(industrydata.LongRunningOperationStatuses, schema.LongRunningOperationStatus.Members); diff != "" {
			t.Errorf("longRunningOperationStatus (-domain +schema):\n%s", diff)
		}
		if diff := cmp.Diff(industrydata.IndustryDataRunStatuses, schema.IndustryDataRunStatus.Members); diff != "" {
			t.Errorf("industryDataRunStatus (-domain +schema):\n%s", diff)
		}
		if diff := cmp.Diff(industrydata.UserReportIssues, schema.UserReportIssue.Members); diff != "" {
			t.Errorf("userReportIssue (-domain +schema):\n%s", diff)
		}
	})
	t.Run("concrete types read their zero entities", func(t *testing.T) {
		// Every Get of a concrete type works on the Go type behind it.
		entities := map[*schema.EntityType]any{
			schema.LongRunningOperation:     &industrydata.Operation{},
			schema.UserReportRefreshProcess: &industrydata.Process{},
			schema.IndustryDataRun:          &industrydata.Run{},
			schema.IndustryDataRoot:         rootEntity{},
			schema.External:                 rootEntity{},
			schema.UserReport:               &industrydata.UserReport{},
			schema.UserReportEntry:          &industrydata.UserReportEntry{},
			schema.ReferenceDefinition:      &industrydata.ReferenceDefinition{},
			schema.RoleGroup:                &industrydata.RoleGroup{},
			schema.SourceSystemDefinition:   &industrydata.SourceSystem{},
			schema.YearTimePeriodDefinition: &industrydata.Year{},
			schema.AzureDataLakeConnector:   &industrydata.DataConnector{},
			schema.InboundFileFlow:          &industrydata.InboundFlow{},
			schema.FileValidateOperation:    &industrydata.Operation{},
			schema.InboundFlowActivity:      &industrydata.RunActivity{},
		}
		for _, typ := range schema.EntityTypes {
			if typ.Abstract {
				continue
			}
			e, ok := entities[typ]
			if !ok {
				t.Errorf("%s: no test entity; add one here", typ.FullName())
				continue
			}
			for _, p := range typ.AllProperties() {
				_ = p.Get(e)
			}
		}
	})
}

type rootEntity struct{}

func (rootEntity) EntityID() string { return "industryData" }
