package schema

import (
	"encoding/xml"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
)

// XML namespaces of an EDMX 4.0 CSDL document.
const (
	edmxNamespace = "http://docs.oasis-open.org/odata/ns/edmx"
	edmNamespace  = "http://docs.oasis-open.org/odata/ns/edm"
)

// The OData vocabularies the document's annotations use: Core for
// Computed and OptimisticConcurrency, Capabilities for KeyAsSegmentSupported
// and the Insert/Update/Delete restrictions.
const (
	coreVocabulary         = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"
	capabilitiesVocabulary = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml"
)

// Annotation terms, by their full names as published Graph writes them.
const (
	termComputed              = "Org.OData.Core.V1.Computed"
	termOptimisticConcurrency = "Org.OData.Core.V1.OptimisticConcurrency"
	termKeyAsSegment          = "Org.OData.Capabilities.V1.KeyAsSegmentSupported"
	termInsertRestrictions    = "Org.OData.Capabilities.V1.InsertRestrictions"
	termUpdateRestrictions    = "Org.OData.Capabilities.V1.UpdateRestrictions"
	termDeleteRestrictions    = "Org.OData.Capabilities.V1.DeleteRestrictions"
)

// The wire shape of the document. encoding/xml writes prefixed names and
// xmlns attributes literally, which is how EDMX spells them.
type (
	edmxDoc struct {
		XMLName    xml.Name        `xml:"edmx:Edmx"`
		Version    string          `xml:"Version,attr"`
		XMLNS      string          `xml:"xmlns:edmx,attr"`
		References []edmxReference `xml:"edmx:Reference"`
		Schemas    []*edmxSchema   `xml:"edmx:DataServices>Schema"`
	}
	edmxReference struct {
		URI     string `xml:"Uri,attr"`
		Include struct {
			Namespace string `xml:"Namespace,attr"`
			Alias     string `xml:"Alias,attr"`
		} `xml:"edmx:Include"`
	}
	edmxSchema struct {
		Namespace    string            `xml:"Namespace,attr"`
		XMLNS        string            `xml:"xmlns,attr"`
		EnumTypes    []edmxEnumType    `xml:"EnumType"`
		ComplexTypes []edmxComplexType `xml:"ComplexType"`
		EntityTypes  []edmxEntityType  `xml:"EntityType"`
		Actions      []edmxOperation   `xml:"Action"`
		Functions    []edmxOperation   `xml:"Function"`
		Container    *edmxContainer    `xml:"EntityContainer"`
		Annotations  []edmxAnnotations `xml:"Annotations"`
	}
	// edmxAnnotations is an out-of-line Annotations element, the way
	// published Graph annotates its types and their members.
	edmxAnnotations struct {
		Target      string           `xml:"Target,attr"`
		Annotations []edmxAnnotation `xml:"Annotation"`
	}
	edmxEnumType struct {
		Name    string       `xml:"Name,attr"`
		Members []edmxMember `xml:"Member"`
	}
	edmxMember struct {
		Name  string `xml:"Name,attr"`
		Value string `xml:"Value,attr"`
	}
	edmxComplexType struct {
		Name       string               `xml:"Name,attr"`
		BaseType   string               `xml:"BaseType,attr,omitempty"`
		Abstract   string               `xml:"Abstract,attr,omitempty"`
		Properties []edmxProperty       `xml:"Property"`
		Navigation []edmxNavigationProp `xml:"NavigationProperty"`
	}
	edmxEntityType struct {
		Name       string               `xml:"Name,attr"`
		BaseType   string               `xml:"BaseType,attr,omitempty"`
		Abstract   string               `xml:"Abstract,attr,omitempty"`
		Key        *edmxKey             `xml:"Key"`
		Properties []edmxProperty       `xml:"Property"`
		Navigation []edmxNavigationProp `xml:"NavigationProperty"`
	}
	edmxKey struct {
		PropertyRef struct {
			Name string `xml:"Name,attr"`
		} `xml:"PropertyRef"`
	}
	edmxProperty struct {
		Name     string `xml:"Name,attr"`
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr,omitempty"`
	}
	edmxAnnotation struct {
		Term       string          `xml:"Term,attr"`
		Bool       string          `xml:"Bool,attr,omitempty"`
		Record     *edmxRecord     `xml:"Record"`
		Collection *edmxPathValues `xml:"Collection"`
	}
	edmxRecord struct {
		PropertyValues []edmxPropertyValue `xml:"PropertyValue"`
	}
	edmxPropertyValue struct {
		Property string `xml:"Property,attr"`
		Bool     string `xml:"Bool,attr"`
	}
	edmxPathValues struct {
		PropertyPaths []string `xml:"PropertyPath"`
	}
	edmxNavigationProp struct {
		Name           string `xml:"Name,attr"`
		Type           string `xml:"Type,attr"`
		Nullable       string `xml:"Nullable,attr,omitempty"`
		ContainsTarget string `xml:"ContainsTarget,attr,omitempty"`
	}
	edmxContainer struct {
		Name        string           `xml:"Name,attr"`
		Singletons  []edmxSingleton  `xml:"Singleton"`
		Annotations []edmxAnnotation `xml:"Annotation"`
	}
	edmxSingleton struct {
		Name string `xml:"Name,attr"`
		Type string `xml:"Type,attr"`
	}
)

// containerName is the entity container's name, as in Graph's own CSDL.
const containerName = "GraphService"

// csdl holds the document: the model is static, so it is built once.
var csdl = sync.OnceValue(func() []byte {
	return buildCSDL(EnumTypes, ComplexTypes, EntityTypes, Operations, Container)
})

// CSDL returns the $metadata document (EDMX 4.0 CSDL XML) of the model,
// derived only from EnumTypes, ComplexTypes, EntityTypes, Operations and
// Container, so a
// declaration added there appears here unchanged. The slice is shared:
// callers must not modify it.
func CSDL() []byte { return csdl() }

// buildCSDL renders the given declarations as one document: a Schema per
// namespace (sorted), each holding its enums, complex types, entity types
// and bound actions and functions in declaration order; the entity container
// lives in microsoft.graph.
func buildCSDL(enums []*EnumType, complexes []*ComplexType, entities []*EntityType, ops []*BoundOperation, container []Singleton) []byte {
	schemas := map[string]*edmxSchema{}
	schemaOf := func(ns string) *edmxSchema {
		if s, ok := schemas[ns]; ok {
			return s
		}
		s := &edmxSchema{Namespace: ns, XMLNS: edmNamespace}
		schemas[ns] = s
		return s
	}
	for _, e := range enums {
		s := schemaOf(e.Namespace)
		s.EnumTypes = append(s.EnumTypes, enumTypeXML(e))
	}
	for _, c := range complexes {
		s := schemaOf(c.Namespace)
		s.ComplexTypes = append(s.ComplexTypes, complexTypeXML(c))
		s.Annotations = append(s.Annotations, computedXML(c.FullName(), c.Properties)...)
	}
	for _, t := range entities {
		s := schemaOf(t.Namespace)
		s.EntityTypes = append(s.EntityTypes, entityTypeXML(t))
		s.Annotations = append(s.Annotations, capabilitiesXML(t)...)
		s.Annotations = append(s.Annotations, computedXML(t.FullName(), t.Properties)...)
	}
	for _, o := range ops {
		s := schemaOf(o.Namespace)
		if o.Function {
			s.Functions = append(s.Functions, operationXML(o))
		} else {
			s.Actions = append(s.Actions, operationXML(o))
		}
	}
	if len(container) > 0 {
		// Keys are path segments (/operations/{id}), as in Graph.
		c := &edmxContainer{Name: containerName,
			Annotations: []edmxAnnotation{{Term: termKeyAsSegment, Bool: "true"}}}
		for _, sg := range container {
			c.Singletons = append(c.Singletons, edmxSingleton{Name: sg.Name, Type: sg.Type.FullName()})
		}
		schemaOf(GraphNamespace).Container = c
	}

	doc := edmxDoc{Version: "4.0", XMLNS: edmxNamespace}
	for _, v := range []struct{ uri, ns, alias string }{
		{coreVocabulary, "Org.OData.Core.V1", "Core"},
		{capabilitiesVocabulary, "Org.OData.Capabilities.V1", "Capabilities"},
	} {
		ref := edmxReference{URI: v.uri}
		ref.Include.Namespace, ref.Include.Alias = v.ns, v.alias
		doc.References = append(doc.References, ref)
	}
	for _, ns := range slices.Sorted(maps.Keys(schemas)) {
		doc.Schemas = append(doc.Schemas, schemas[ns])
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		// Only a type encoding/xml cannot encode fails, and the wire
		// structs above hold strings only: a programming error.
		panic(fmt.Sprintf("schema: marshal CSDL: %v", err))
	}
	return append(append([]byte(xml.Header), out...), '\n')
}

// enumTypeXML writes the members with their values (EnumType.Value), in
// the order of the values.
func enumTypeXML(e *EnumType) edmxEnumType {
	out := edmxEnumType{Name: e.Name}
	order := make([]int, len(e.Members))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return e.Value(a) - e.Value(b) })
	for _, i := range order {
		out.Members = append(out.Members, edmxMember{Name: e.Members[i], Value: strconv.Itoa(e.Value(i))})
	}
	return out
}

// entityTypeXML renders t's own (not inherited) properties; the key is
// declared once, on the root of the hierarchy.
func entityTypeXML(t *EntityType) edmxEntityType {
	out := edmxEntityType{Name: t.Name, Properties: propertiesXML(t.Properties)}
	if t.Base != nil {
		out.BaseType = t.Base.FullName()
	} else if !t.Keyless {
		out.Key = &edmxKey{}
		out.Key.PropertyRef.Name = "id"
		if t.Key != "" {
			out.Key.PropertyRef.Name = t.Key
		}
	}
	if t.Abstract {
		out.Abstract = "true"
	}
	out.Navigation = navigationXML(t.Navigation)
	return out
}

// complexTypeXML renders c's own properties and navigations.
func complexTypeXML(c *ComplexType) edmxComplexType {
	out := edmxComplexType{Name: c.Name, Properties: propertiesXML(c.Properties), Navigation: navigationXML(c.Navigation)}
	if c.Base != nil {
		out.BaseType = c.Base.FullName()
	}
	if c.Abstract {
		out.Abstract = "true"
	}
	return out
}

// navigationXML writes Nullable="false" on the single-valued navigations
// a body must bind (the others leave CSDL's default).
func navigationXML(navs []*NavigationProperty) []edmxNavigationProp {
	var out []edmxNavigationProp
	for _, n := range navs {
		nav := edmxNavigationProp{Name: n.Name, Type: n.Target.FullName()}
		if n.Collection {
			nav.Type = "Collection(" + nav.Type + ")"
		}
		if n.Set != nil && !n.Nullable {
			nav.Nullable = "false"
		}
		if n.ContainsTarget {
			nav.ContainsTarget = "true"
		}
		out = append(out, nav)
	}
	return out
}

// propertiesXML writes Nullable only when false (true is CSDL's default):
// a DeclaredNullable property is written nullable.
func propertiesXML(props []*Property) []edmxProperty {
	var out []edmxProperty
	for _, p := range props {
		x := edmxProperty{Name: p.Name, Type: propertyType(p)}
		if !p.Nullable && !p.DeclaredNullable {
			x.Nullable = "false"
		}
		out = append(out, x)
	}
	return out
}

// computed reports whether the CSDL calls p Core.Computed: the service makes
// its value and ignores a client's. A Checked property is read from the body
// (id, eTag), so it is not.
func computed(p *Property) bool { return p.ReadOnly && !p.Checked }

// computedXML annotates owner's computed properties Core.Computed, one
// Annotations element each, as published Graph writes them.
func computedXML(owner string, props []*Property) []edmxAnnotations {
	var out []edmxAnnotations
	for _, p := range props {
		if computed(p) {
			out = append(out, edmxAnnotations{Target: owner + "/" + p.Name,
				Annotations: []edmxAnnotation{{Term: termComputed, Bool: "true"}}})
		}
	}
	return out
}

// capabilitiesXML writes t's restrictions (on the type, as published Graph
// annotates industryDataRoot) and its navigations' restrictions and
// concurrency tokens (on each navigation property).
func capabilitiesXML(t *EntityType) []edmxAnnotations {
	var out []edmxAnnotations
	if as := restrictionsXML(t.Restrictions); len(as) > 0 {
		out = append(out, edmxAnnotations{Target: t.FullName(), Annotations: as})
	}
	for _, n := range t.Navigation {
		as := restrictionsXML(n.Restrictions)
		if len(n.ConcurrencyTokens) > 0 {
			as = append(as, edmxAnnotation{Term: termOptimisticConcurrency,
				Collection: &edmxPathValues{PropertyPaths: n.ConcurrencyTokens}})
		}
		if len(as) > 0 {
			out = append(out, edmxAnnotations{Target: t.FullName() + "/" + n.Name, Annotations: as})
		}
	}
	return out
}

// restrictionsXML states only what is refused: what is allowed is the
// vocabulary's default.
func restrictionsXML(r Restrictions) []edmxAnnotation {
	var out []edmxAnnotation
	for _, x := range []struct {
		refused      bool
		term, record string
	}{
		{r.NoInsert, termInsertRestrictions, "Insertable"},
		{r.NoUpdate, termUpdateRestrictions, "Updatable"},
		{r.NoDelete, termDeleteRestrictions, "Deletable"},
	} {
		if x.refused {
			out = append(out, edmxAnnotation{Term: x.term,
				Record: &edmxRecord{PropertyValues: []edmxPropertyValue{{Property: x.record, Bool: "false"}}}})
		}
	}
	return out
}

// propertyType is the CSDL type name of p's values.
func propertyType(p *Property) string {
	name := p.Kind.EdmName()
	switch {
	case p.Kind == Enum && p.Enum != nil:
		name = p.Enum.FullName()
	case p.Kind == Complex && p.Complex != nil:
		name = p.Complex.FullName()
	}
	if p.Collection {
		return "Collection(" + name + ")"
	}
	return name
}
