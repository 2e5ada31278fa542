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

// coreVocabulary is the OData Core vocabulary, referenced for the
// Core.Computed annotation on read-only properties.
const coreVocabulary = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"

// The wire shape of the document. encoding/xml writes prefixed names and
// xmlns attributes literally, which is how EDMX spells them.
type (
	edmxDoc struct {
		XMLName   xml.Name      `xml:"edmx:Edmx"`
		Version   string        `xml:"Version,attr"`
		XMLNS     string        `xml:"xmlns:edmx,attr"`
		Reference edmxReference `xml:"edmx:Reference"`
		Schemas   []*edmxSchema `xml:"edmx:DataServices>Schema"`
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
		Container    *edmxContainer    `xml:"EntityContainer"`
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
		Name       string         `xml:"Name,attr"`
		Properties []edmxProperty `xml:"Property"`
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
		Name        string           `xml:"Name,attr"`
		Type        string           `xml:"Type,attr"`
		Nullable    string           `xml:"Nullable,attr,omitempty"`
		Annotations []edmxAnnotation `xml:"Annotation"`
	}
	edmxAnnotation struct {
		Term string `xml:"Term,attr"`
		Bool string `xml:"Bool,attr"`
	}
	edmxNavigationProp struct {
		Name           string `xml:"Name,attr"`
		Type           string `xml:"Type,attr"`
		ContainsTarget string `xml:"ContainsTarget,attr,omitempty"`
	}
	edmxContainer struct {
		Name       string          `xml:"Name,attr"`
		Singletons []edmxSingleton `xml:"Singleton"`
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
	return buildCSDL(EnumTypes, ComplexTypes, EntityTypes, Container)
})

// CSDL returns the $metadata document (EDMX 4.0 CSDL XML) of the model,
// derived only from EnumTypes, ComplexTypes, EntityTypes and Container, so a
// declaration added there appears here unchanged. The slice is shared:
// callers must not modify it.
func CSDL() []byte { return csdl() }

// buildCSDL renders the given declarations as one document: a Schema per
// namespace (sorted), each holding its enums, complex types and entity types
// in declaration order; the entity container lives in microsoft.graph.
func buildCSDL(enums []*EnumType, complexes []*ComplexType, entities []*EntityType, container []Singleton) []byte {
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
		s.ComplexTypes = append(s.ComplexTypes, edmxComplexType{Name: c.Name, Properties: propertiesXML(c.Properties)})
	}
	for _, t := range entities {
		s := schemaOf(t.Namespace)
		s.EntityTypes = append(s.EntityTypes, entityTypeXML(t))
	}
	if len(container) > 0 {
		c := &edmxContainer{Name: containerName}
		for _, sg := range container {
			c.Singletons = append(c.Singletons, edmxSingleton{Name: sg.Name, Type: sg.Type.FullName()})
		}
		schemaOf(GraphNamespace).Container = c
	}

	doc := edmxDoc{Version: "4.0", XMLNS: edmxNamespace}
	doc.Reference.URI = coreVocabulary
	doc.Reference.Include.Namespace = "Org.OData.Core.V1"
	doc.Reference.Include.Alias = "Core"
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

// enumTypeXML numbers the members 0, 1, 2… in declaration order.
func enumTypeXML(e *EnumType) edmxEnumType {
	out := edmxEnumType{Name: e.Name}
	for i, m := range e.Members {
		out.Members = append(out.Members, edmxMember{Name: m, Value: strconv.Itoa(i)})
	}
	return out
}

// entityTypeXML renders t's own (not inherited) properties; the key is
// declared once, on the root of the hierarchy.
func entityTypeXML(t *EntityType) edmxEntityType {
	out := edmxEntityType{Name: t.Name, Properties: propertiesXML(t.Properties)}
	if t.Base != nil {
		out.BaseType = t.Base.FullName()
	} else {
		out.Key = &edmxKey{}
		out.Key.PropertyRef.Name = "id"
		if t.Key != "" {
			out.Key.PropertyRef.Name = t.Key
		}
	}
	if t.Abstract {
		out.Abstract = "true"
	}
	for _, n := range t.Navigation {
		nav := edmxNavigationProp{Name: n.Name, Type: n.Target.FullName()}
		if n.Collection {
			nav.Type = "Collection(" + nav.Type + ")"
		}
		if n.ContainsTarget {
			nav.ContainsTarget = "true"
		}
		out.Navigation = append(out.Navigation, nav)
	}
	return out
}

// propertiesXML writes Nullable only when false (true is CSDL's default) and
// marks read-only properties Core.Computed.
func propertiesXML(props []*Property) []edmxProperty {
	var out []edmxProperty
	for _, p := range props {
		x := edmxProperty{Name: p.Name, Type: propertyType(p)}
		if !p.Nullable {
			x.Nullable = "false"
		}
		if p.ReadOnly {
			x.Annotations = []edmxAnnotation{{Term: "Org.OData.Core.V1.Computed", Bool: "true"}}
		}
		out = append(out, x)
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
