package schema

// An internal test: besides checking the document CSDL returns against the
// model, it drives buildCSDL with declarations that are not in the model, to
// show the document follows the declarations and nothing else.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The reader's view of the document, kept apart from the writer's structs so
// the test checks what is on the wire. Tags name the XML namespaces, so an
// element in the wrong one is not found.
type (
	parsedDoc struct {
		XMLName      xml.Name `xml:"http://docs.oasis-open.org/odata/ns/edmx Edmx"`
		Version      string   `xml:"Version,attr"`
		DataServices struct {
			Schemas []parsedSchema `xml:"http://docs.oasis-open.org/odata/ns/edm Schema"`
		} `xml:"http://docs.oasis-open.org/odata/ns/edmx DataServices"`
	}
	parsedSchema struct {
		Namespace    string            `xml:"Namespace,attr"`
		EnumTypes    []parsedEnum      `xml:"EnumType"`
		ComplexTypes []parsedComplex   `xml:"ComplexType"`
		EntityTypes  []parsedEntity    `xml:"EntityType"`
		Containers   []parsedContainer `xml:"EntityContainer"`
		Annotations  []parsedTargeted  `xml:"Annotations"`
	}
	parsedTargeted struct {
		Target      string             `xml:"Target,attr"`
		Annotations []parsedAnnotation `xml:"Annotation"`
	}
	parsedEnum struct {
		Name    string         `xml:"Name,attr"`
		Members []parsedMember `xml:"Member"`
	}
	parsedMember struct {
		Name  string `xml:"Name,attr"`
		Value string `xml:"Value,attr"`
	}
	parsedComplex struct {
		Name       string           `xml:"Name,attr"`
		Properties []parsedProperty `xml:"Property"`
	}
	parsedEntity struct {
		Name       string           `xml:"Name,attr"`
		BaseType   string           `xml:"BaseType,attr"`
		Abstract   string           `xml:"Abstract,attr"`
		Key        []parsedName     `xml:"Key>PropertyRef"`
		Properties []parsedProperty `xml:"Property"`
		Navigation []parsedNav      `xml:"NavigationProperty"`
	}
	parsedName struct {
		Name string `xml:"Name,attr"`
	}
	parsedProperty struct {
		Name        string             `xml:"Name,attr"`
		Type        string             `xml:"Type,attr"`
		Nullable    string             `xml:"Nullable,attr"` // "" when absent
		Annotations []parsedAnnotation `xml:"Annotation"`
	}
	parsedAnnotation struct {
		Term   string                `xml:"Term,attr"`
		Bool   string                `xml:"Bool,attr"`
		Record []parsedPropertyValue `xml:"Record>PropertyValue"`
		Paths  []string              `xml:"Collection>PropertyPath"`
	}
	parsedPropertyValue struct {
		Property string `xml:"Property,attr"`
		Bool     string `xml:"Bool,attr"`
	}
	parsedNav struct {
		Name           string `xml:"Name,attr"`
		Type           string `xml:"Type,attr"`
		ContainsTarget string `xml:"ContainsTarget,attr"`
	}
	parsedContainer struct {
		Name        string             `xml:"Name,attr"`
		Singletons  []parsedSingleton  `xml:"Singleton"`
		Annotations []parsedAnnotation `xml:"Annotation"`
	}
	parsedSingleton struct {
		Name string `xml:"Name,attr"`
		Type string `xml:"Type,attr"`
	}
)

// parseCSDL checks doc is well-formed XML from end to end, then decodes it.
func parseCSDL(t *testing.T, doc []byte) parsedDoc {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("document does not start with the XML declaration: %.60q", doc)
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("document is not well-formed XML: %v", err)
		}
	}
	var p parsedDoc
	if err := xml.Unmarshal(doc, &p); err != nil {
		t.Fatalf("unmarshal CSDL: %v", err)
	}
	if p.Version != "4.0" {
		t.Errorf("Edmx Version = %q, want 4.0", p.Version)
	}
	return p
}

// schemaNamed returns the document's Schema for ns, failing if it is absent.
func (p parsedDoc) schemaNamed(t *testing.T, ns string) parsedSchema {
	t.Helper()
	for _, s := range p.DataServices.Schemas {
		if s.Namespace == ns {
			return s
		}
	}
	t.Fatalf("no Schema with Namespace %q in the document", ns)
	return parsedSchema{}
}

func (p parsedDoc) namespaces() []string {
	var out []string
	for _, s := range p.DataServices.Schemas {
		out = append(out, s.Namespace)
	}
	return out
}

// wantType is the CSDL type a property must carry, worked out here from its
// kind rather than by the code under test.
func wantType(p *Property) string {
	switch p.Kind {
	case String:
		return "Edm.String"
	case DateTimeOffset:
		return "Edm.DateTimeOffset"
	case Boolean:
		return "Edm.Boolean"
	case Int64:
		return "Edm.Int64"
	case Int32:
		return "Edm.Int32"
	case Date:
		return "Edm.Date"
	case Enum:
		return p.Enum.Namespace + "." + p.Enum.Name
	case Complex:
		return p.Complex.Namespace + "." + p.Complex.Name
	}
	return "unknown kind " + strconv.Itoa(int(p.Kind))
}

func wantProperties(props []*Property) []parsedProperty {
	var out []parsedProperty
	for _, p := range props {
		w := parsedProperty{Name: p.Name, Type: wantType(p)}
		if p.Collection {
			w.Type = "Collection(" + w.Type + ")"
		}
		if !p.Nullable && !p.DeclaredNullable {
			w.Nullable = "false"
		}
		out = append(out, w)
	}
	return out
}

func wantEntity(typ *EntityType) parsedEntity {
	w := parsedEntity{Name: typ.Name, Properties: wantProperties(typ.Properties)}
	if typ.Base != nil {
		w.BaseType = typ.Base.Namespace + "." + typ.Base.Name
	} else if typ.Keyless {
		// no Key element
	} else if typ.Key != "" {
		w.Key = []parsedName{{Name: typ.Key}}
	} else {
		w.Key = []parsedName{{Name: "id"}}
	}
	if typ.Abstract {
		w.Abstract = "true"
	}
	for _, n := range typ.Navigation {
		nav := parsedNav{Name: n.Name, Type: n.Target.Namespace + "." + n.Target.Name}
		if n.Collection {
			nav.Type = "Collection(" + nav.Type + ")"
		}
		if n.ContainsTarget {
			nav.ContainsTarget = "true"
		}
		w.Navigation = append(w.Navigation, nav)
	}
	return w
}

// wantComputed is the Core.Computed annotations of owner's read-only
// properties other than those the service checks (id, eTag).
func wantComputed(owner string, props []*Property) []parsedTargeted {
	var out []parsedTargeted
	for _, p := range props {
		if p.ReadOnly && !p.Checked {
			out = append(out, parsedTargeted{Target: owner + "/" + p.Name,
				Annotations: []parsedAnnotation{{Term: "Org.OData.Core.V1.Computed", Bool: "true"}}})
		}
	}
	return out
}

func wantRestrictions(r Restrictions) []parsedAnnotation {
	var out []parsedAnnotation
	if r.NoInsert {
		out = append(out, parsedAnnotation{Term: "Org.OData.Capabilities.V1.InsertRestrictions", Record: []parsedPropertyValue{{"Insertable", "false"}}})
	}
	if r.NoUpdate {
		out = append(out, parsedAnnotation{Term: "Org.OData.Capabilities.V1.UpdateRestrictions", Record: []parsedPropertyValue{{"Updatable", "false"}}})
	}
	if r.NoDelete {
		out = append(out, parsedAnnotation{Term: "Org.OData.Capabilities.V1.DeleteRestrictions", Record: []parsedPropertyValue{{"Deletable", "false"}}})
	}
	return out
}

func wantCapabilities(typ *EntityType) []parsedTargeted {
	var out []parsedTargeted
	name := typ.Namespace + "." + typ.Name
	if as := wantRestrictions(typ.Restrictions); len(as) > 0 {
		out = append(out, parsedTargeted{Target: name, Annotations: as})
	}
	for _, n := range typ.Navigation {
		as := wantRestrictions(n.Restrictions)
		if len(n.ConcurrencyTokens) > 0 {
			as = append(as, parsedAnnotation{Term: "Org.OData.Core.V1.OptimisticConcurrency", Paths: n.ConcurrencyTokens})
		}
		if len(as) > 0 {
			out = append(out, parsedTargeted{Target: name + "/" + n.Name, Annotations: as})
		}
	}
	return out
}

// checkDocument asserts that doc holds exactly the given declarations, each
// in the Schema of its namespace, in declaration order.
func checkDocument(t *testing.T, doc parsedDoc, enums []*EnumType, complexes []*ComplexType, entities []*EntityType, container []Singleton) {
	t.Helper()
	want := map[string]*parsedSchema{}
	schemaFor := func(ns string) *parsedSchema {
		if want[ns] == nil {
			want[ns] = &parsedSchema{Namespace: ns}
		}
		return want[ns]
	}
	for _, e := range enums {
		w := parsedEnum{Name: e.Name}
		for i, m := range e.Members {
			w.Members = append(w.Members, parsedMember{Name: m, Value: strconv.Itoa(e.Value(i))})
		}
		slices.SortStableFunc(w.Members, func(a, b parsedMember) int {
			x, _ := strconv.Atoi(a.Value)
			y, _ := strconv.Atoi(b.Value)
			return x - y
		})
		s := schemaFor(e.Namespace)
		s.EnumTypes = append(s.EnumTypes, w)
	}
	for _, c := range complexes {
		s := schemaFor(c.Namespace)
		s.ComplexTypes = append(s.ComplexTypes, parsedComplex{Name: c.Name, Properties: wantProperties(c.Properties)})
		s.Annotations = append(s.Annotations, wantComputed(c.Namespace+"."+c.Name, c.Properties)...)
	}
	for _, typ := range entities {
		s := schemaFor(typ.Namespace)
		s.EntityTypes = append(s.EntityTypes, wantEntity(typ))
		s.Annotations = append(s.Annotations, wantCapabilities(typ)...)
		s.Annotations = append(s.Annotations, wantComputed(typ.Namespace+"."+typ.Name, typ.Properties)...)
	}
	if len(container) > 0 {
		c := parsedContainer{Name: "GraphService",
			Annotations: []parsedAnnotation{{Term: "Org.OData.Capabilities.V1.KeyAsSegmentSupported", Bool: "true"}}}
		for _, sg := range container {
			c.Singletons = append(c.Singletons, parsedSingleton{Name: sg.Name, Type: sg.Type.Namespace + "." + sg.Type.Name})
		}
		schemaFor(GraphNamespace).Containers = []parsedContainer{c}
	}
	var wantNS []string
	for ns := range want {
		wantNS = append(wantNS, ns)
	}
	slices.Sort(wantNS)
	if diff := cmp.Diff(wantNS, doc.namespaces()); diff != "" {
		t.Errorf("Schema namespaces (-want +got):\n%s", diff)
	}
	for _, ns := range wantNS {
		got := doc.schemaNamed(t, ns)
		if diff := cmp.Diff(*want[ns], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Schema %s (-want +got):\n%s", ns, diff)
		}
	}
}

func TestCSDLDescribesTheModel(t *testing.T) {
	doc := parseCSDL(t, CSDL())
	checkDocument(t, doc, EnumTypes, ComplexTypes, EntityTypes, Container)
}

// TestCSDLSpotChecks pins a few facts by hand, so a mistake shared by the
// generator and checkDocument still shows.
func TestCSDLSpotChecks(t *testing.T) {
	doc := parseCSDL(t, CSDL())
	if diff := cmp.Diff([]string{"microsoft.graph", "microsoft.graph.externalConnectors", "microsoft.graph.industryData"}, doc.namespaces()); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	graph := doc.schemaNamed(t, "microsoft.graph")
	industry := doc.schemaNamed(t, "microsoft.graph.industryData")
	entity := func(s parsedSchema, name string) parsedEntity {
		t.Helper()
		for _, e := range s.EntityTypes {
			if e.Name == name {
				return e
			}
		}
		t.Fatalf("no EntityType %s.%s", s.Namespace, name)
		return parsedEntity{}
	}
	prop := func(e parsedEntity, name string) parsedProperty {
		t.Helper()
		for _, p := range e.Properties {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no Property %s on %s", name, e.Name)
		return parsedProperty{}
	}

	root := entity(graph, "entity")
	if root.BaseType != "" || root.Abstract != "true" || len(root.Key) != 1 || root.Key[0].Name != "id" {
		t.Errorf("entity: %+v", root)
	}
	op := entity(graph, "longRunningOperation")
	if op.BaseType != "microsoft.graph.entity" || op.Abstract != "" || len(op.Key) != 0 {
		t.Errorf("longRunningOperation: %+v", op)
	}
	// Nullable as published, though the service refuses null for them.
	if p := prop(op, "status"); p.Type != "microsoft.graph.longRunningOperationStatus" || p.Nullable != "" {
		t.Errorf("longRunningOperation.status: %+v", p)
	}
	if p := prop(op, "statusDetail"); p.Type != "Edm.String" || p.Nullable != "" {
		t.Errorf("longRunningOperation.statusDetail: %+v", p)
	}
	if p := prop(op, "createdDateTime"); p.Type != "Edm.DateTimeOffset" || p.Nullable != "" {
		t.Errorf("longRunningOperation.createdDateTime: %+v", p)
	}
	proc := entity(industry, "process")
	if proc.BaseType != "microsoft.graph.industryData.mutableEntity" || proc.Abstract != "true" {
		t.Errorf("process: %+v", proc)
	}
	if p := prop(entity(industry, "mutableEntity"), "eTag"); p.Type != "Edm.String" || p.Nullable != "false" {
		t.Errorf("mutableEntity.eTag: %+v", p)
	}
	if p := prop(entity(industry, "industryDataRun"), "blockingError"); p.Type != "microsoft.graph.publicError" || p.Nullable != "" {
		t.Errorf("industryDataRun.blockingError: %+v", p)
	}
	urp := entity(industry, "userReportRefreshProcess")
	if urp.BaseType != "microsoft.graph.industryData.systemProcess" || urp.Abstract != "" || len(urp.Properties) != 0 {
		t.Errorf("userReportRefreshProcess (inherited properties must not repeat): %+v", urp)
	}
	wantNav := []parsedNav{
		{"dataConnectors", "Collection(microsoft.graph.industryData.industryDataConnector)", "true"},
		{"inboundFlows", "Collection(microsoft.graph.industryData.inboundFlow)", "true"},
		{"operations", "Collection(microsoft.graph.longRunningOperation)", "true"},
		{"processes", "Collection(microsoft.graph.industryData.process)", "true"},
		{"referenceDefinitions", "Collection(microsoft.graph.industryData.referenceDefinition)", "true"},
		{"roleGroups", "Collection(microsoft.graph.industryData.roleGroup)", "true"},
		{"runs", "Collection(microsoft.graph.industryData.industryDataRun)", "true"},
		{"sourceSystems", "Collection(microsoft.graph.industryData.sourceSystemDefinition)", "true"},
		{"years", "Collection(microsoft.graph.industryData.yearTimePeriodDefinition)", "true"},
	}
	if diff := cmp.Diff(wantNav, entity(industry, "industryDataRoot").Navigation); diff != "" {
		t.Errorf("industryDataRoot navigation (-want +got):\n%s", diff)
	}
	wantContainer := []parsedContainer{{Name: "GraphService", Singletons: []parsedSingleton{
		{"industryData", "microsoft.graph.industryData.industryDataRoot"},
		{"external", "microsoft.graph.externalConnectors.external"},
	}, Annotations: []parsedAnnotation{{Term: "Org.OData.Capabilities.V1.KeyAsSegmentSupported", Bool: "true"}}}}
	if diff := cmp.Diff(wantContainer, graph.Containers); diff != "" {
		t.Errorf("EntityContainer (-want +got):\n%s", diff)
	}
	if len(industry.Containers) != 0 {
		t.Errorf("EntityContainer also in microsoft.graph.industryData")
	}
}

func TestCSDLDeterministic(t *testing.T) {
	first := CSDL()
	if !bytes.Equal(first, CSDL()) {
		t.Fatal("two calls of CSDL differ")
	}
	// Fresh builds, not the cached one: map order must not leak in.
	for i := range 20 {
		if got := buildCSDL(EnumTypes, ComplexTypes, EntityTypes, Operations, Container); !bytes.Equal(first, got) {
			t.Fatalf("build %d differs from the first:\n%s", i, cmp.Diff(string(first), string(got)))
		}
	}
}

// TestCSDLFollowsDeclarations shows the one source of truth: declarations the
// model does not have appear in the document with no change to the generator.
func TestCSDLFollowsDeclarations(t *testing.T) {
	t.Run("property added to a model type appears", func(t *testing.T) {
		op := *LongRunningOperation
		op.Properties = append(slices.Clip(op.Properties),
			&Property{Name: "percentComplete", Kind: Int64},
			&Property{Name: "isCancelled", Kind: Boolean, Nullable: true, ReadOnly: true})
		entities := slices.Clone(EntityTypes)
		entities[slices.Index(entities, LongRunningOperation)] = &op

		got := entityTypeXML(&op).Properties
		last := got[len(got)-2:]
		want := []edmxProperty{
			{Name: "percentComplete", Type: "Edm.Int64", Nullable: "false"},
			{Name: "isCancelled", Type: "Edm.Boolean"},
		}
		if diff := cmp.Diff(want, last); diff != "" {
			t.Errorf("entityTypeXML new properties (-want +got):\n%s", diff)
		}
		doc := parseCSDL(t, buildCSDL(EnumTypes, ComplexTypes, entities, Operations, Container))
		checkDocument(t, doc, EnumTypes, ComplexTypes, entities, Container)
		if bytes.Contains(CSDL(), []byte("percentComplete")) {
			t.Error("the throwaway property leaked into the model's document")
		}
	})

	t.Run("new types and namespace appear", func(t *testing.T) {
		colour := &EnumType{Namespace: "contoso.widgets", Name: "colour", Members: []string{"red", `a&b<c>"d'`, "blue"}}
		size := &ComplexType{Namespace: "contoso.widgets", Name: "size", Properties: []*Property{
			{Name: "width", Kind: Int64}, {Name: "unit", Kind: String, Nullable: true},
		}}
		widget := &EntityType{Namespace: "contoso.widgets", Name: "widget", Base: Entity, Properties: []*Property{
			{Name: "colour", Kind: Enum, Enum: colour},
			{Name: "size", Kind: Complex, Complex: size, Nullable: true},
			{Name: "madeDateTime", Kind: DateTimeOffset, ReadOnly: true},
		}}
		gadget := &EntityType{Namespace: "contoso.widgets", Name: "gadget", Base: widget, Abstract: true,
			Navigation: []*NavigationProperty{
				{Name: "parts", Target: widget, Collection: true, ContainsTarget: true},
				{Name: "owner", Target: LongRunningOperation},
			}}
		enums := append(slices.Clone(EnumTypes), colour)
		complexes := append(slices.Clone(ComplexTypes), size)
		entities := append(slices.Clone(EntityTypes), widget, gadget)
		container := append(slices.Clone(Container), Singleton{Name: "widgets", Type: widget})

		doc := parseCSDL(t, buildCSDL(enums, complexes, entities, nil, container))
		checkDocument(t, doc, enums, complexes, entities, container)
	})

	t.Run("declarations alone make a document", func(t *testing.T) {
		thing := &EntityType{Namespace: "contoso.things", Name: "thing",
			Properties: []*Property{{Name: "id", Kind: String}}}
		doc := parseCSDL(t, buildCSDL(nil, nil, []*EntityType{thing}, nil, nil))
		checkDocument(t, doc, nil, nil, []*EntityType{thing}, nil)
	})
}

// TestCSDLAnnotations pins by hand the annotations generators read, each
// against what the routes do: keys as segments; root runs refuse POST,
// PATCH and DELETE; a process's runs refuse PATCH and DELETE (POST starts
// one); processes name eTag for If-Match; the root is not writable;
// Computed only where a client's value is ignored (never id or eTag, which
// the service checks).
func TestCSDLAnnotations(t *testing.T) {
	doc := parseCSDL(t, CSDL())
	targeted := map[string][]parsedAnnotation{}
	for _, s := range doc.DataServices.Schemas {
		for _, a := range s.Annotations {
			if _, dup := targeted[a.Target]; dup {
				t.Errorf("two Annotations elements target %s", a.Target)
			}
			targeted[a.Target] = a.Annotations
		}
	}
	noWrites := []parsedAnnotation{
		{Term: "Org.OData.Capabilities.V1.InsertRestrictions", Record: []parsedPropertyValue{{"Insertable", "false"}}},
		{Term: "Org.OData.Capabilities.V1.UpdateRestrictions", Record: []parsedPropertyValue{{"Updatable", "false"}}},
		{Term: "Org.OData.Capabilities.V1.DeleteRestrictions", Record: []parsedPropertyValue{{"Deletable", "false"}}},
	}
	computed := []parsedAnnotation{{Term: "Org.OData.Core.V1.Computed", Bool: "true"}}
	want := map[string][]parsedAnnotation{
		"microsoft.graph.industryData.industryDataRoot":      noWrites,
		"microsoft.graph.industryData.industryDataRoot/runs": noWrites,
		"microsoft.graph.industryData.process/runs":          noWrites[1:],
		"microsoft.graph.industryData.industryDataRoot/processes": {
			{Term: "Org.OData.Core.V1.OptimisticConcurrency", Paths: []string{"eTag"}}},
		"microsoft.graph.industryData.industryDataRun/status":               computed,
		"microsoft.graph.industryData.industryDataRun/blockingError":        computed,
		"microsoft.graph.industryData.industryDataRunRoleCountMetric/count": computed,
		"microsoft.graph.entity/id":                                         nil,
		"microsoft.graph.industryData.mutableEntity/eTag":                   nil,
		"microsoft.graph.longRunningOperation/createdDateTime":              nil,
		"microsoft.graph.longRunningOperation/status":                       nil,
		"microsoft.graph.industryData.process/displayName":                  nil,
		"microsoft.graph.industryData.industryDataRoot/operations":          nil,
	}
	for target, w := range want {
		if diff := cmp.Diff(w, targeted[target], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("annotations of %s (-want +got):\n%s", target, diff)
		}
	}
	doc2 := CSDL()
	for _, ref := range []string{"Org.OData.Core.V1.xml", "Org.OData.Capabilities.V1.xml"} {
		if !bytes.Contains(doc2, []byte(ref)) {
			t.Errorf("no edmx:Reference to %s", ref)
		}
	}
}
