package schema_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"industrydata"
	"industrydata/schema"
)

// importSurfaceTypes are the concrete import-surface types and, for each,
// a valid entity as the service would store it.
var importSurfaceTypes = []struct {
	typ   *schema.EntityType
	valid func() any
}{
	{schema.SourceSystemDefinition, func() any { return &industrydata.SourceSystem{DisplayName: "SIS"} }},
	{schema.YearTimePeriodDefinition, func() any {
		return &industrydata.Year{DisplayName: "y", StartDate: "2024-09-01", EndDate: "2025-06-30", Year: industrydata.ReferenceValue{Code: "2025"}}
	}},
	{schema.RoleGroup, func() any {
		return &industrydata.RoleGroup{DisplayName: "g", Roles: []industrydata.ReferenceValue{{Code: "student"}}}
	}},
	{schema.AzureDataLakeConnector, func() any { return &industrydata.DataConnector{DisplayName: "c", SourceSystemID: "s"} }},
	{schema.InboundFileFlow, func() any {
		return &industrydata.InboundFlow{DisplayName: "f", ReadinessStatus: industrydata.ReadinessNotReady, DataDomain: "educationRostering",
			EffectiveDateTime: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), DataConnectorID: "c", YearID: "y"}
	}},
	{schema.ReferenceDefinition, func() any {
		return &industrydata.ReferenceDefinition{ReferenceType: "RefRace", Code: "x", Source: "tenant"}
	}},
}

// FuzzImportSurfaceDocs checks, for every import-surface type, that no body
// panics Bind, that every failure is a badRequest, and that a valid entity
// updated by whatever binds survives the store's round trip: its document
// decodes to an entity whose document and references are the same.
func FuzzImportSurfaceDocs(f *testing.F) {
	for _, seed := range []string{
		`{"displayName":"SIS","vendor":"v","userMatchingSettings":[{"matchTarget":{"code":"mail"},"priorityOrder":3,"sourceIdentifier":{"code":"username"},"roleGroup@odata.bind":"roleGroups('g1')"}]}`,
		`{"displayName":"y","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"2025","@odata.type":"#microsoft.graph.industryData.yearReferenceValue"}}`,
		`{"displayName":"g","roles":[{"code":"student"},{"code":null}]}`,
		`{"displayName":"c","sourceSystem@odata.bind":"https://h/beta/external/industryData/sourceSystems('a''b')","fileFormat":{"code":"oneRoster"}}`,
		`{"displayName":"f","dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z","expirationDateTime":null,"dataConnector@odata.bind":"dataConnectors/x","year@odata.bind":"/beta/industryData/years/y"}`,
		`{"code":"math","referenceType":"RefAcademicSubject","displayName":null,"isDisabled":true,"sortIndex":-2147483648}`,
		`{"sortIndex":2147483648,"startDate":"2024-02-30","roles":[{}],"userMatchingSettings":[{"priorityOrder":1}]}`,
		`{"sourceSystem@odata.bind":5,"year":{"code":"x","extra":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := schema.ParseBody(data)
		if err != nil {
			return
		}
		for _, it := range importSurfaceTypes {
			patch, err := body.Bind(it.typ)
			if err != nil {
				checkBadRequest(t, it.typ.Name+" Bind", err)
				continue
			}
			e := it.valid()
			patch.Apply(e)
			doc, refs := schema.EncodeDoc(it.typ, e), schema.Refs(it.typ, e)
			back := reflect.New(reflect.TypeOf(e).Elem()).Interface()
			if err := schema.DecodeDoc(it.typ, doc, refs, back); err != nil {
				t.Fatalf("%s: the document %s of a bound body does not decode: %v", it.typ.Name, doc, err)
			}
			if again := schema.EncodeDoc(it.typ, back); !bytes.Equal(again, doc) {
				t.Fatalf("%s: round trip changed the document:\n%s\n%s", it.typ.Name, doc, again)
			}
			if again := schema.Refs(it.typ, back); len(again) != len(refs) {
				t.Fatalf("%s: round trip changed the references: %v, %v", it.typ.Name, refs, again)
			}
		}
	})
}
