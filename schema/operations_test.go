package schema

import (
	"encoding/xml"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parsedOperations is the reader's view of a schema's Action and Function
// elements.
type (
	parsedOperations struct {
		Schemas []struct {
			Namespace string            `xml:"Namespace,attr"`
			Actions   []parsedOperation `xml:"Action"`
			Functions []parsedOperation `xml:"Function"`
		} `xml:"DataServices>Schema"`
	}
	parsedOperation struct {
		Name         string            `xml:"Name,attr"`
		IsBound      string            `xml:"IsBound,attr"`
		IsComposable string            `xml:"IsComposable,attr"`
		Parameters   []parsedParameter `xml:"Parameter"`
		ReturnType   *struct {
			Type string `xml:"Type,attr"`
		} `xml:"ReturnType"`
	}
	parsedParameter struct {
		Name        string             `xml:"Name,attr"`
		Type        string             `xml:"Type,attr"`
		Annotations []parsedAnnotation `xml:"Annotation"`
	}
)

// operationLine is one operation as a line a reader can compare: kind,
// name, parameters, result.
func operationLine(kind string, o parsedOperation) string {
	s := kind + " " + o.Name + "("
	for i, p := range o.Parameters {
		if i > 0 {
			s += ", "
		}
		s += p.Name + " " + p.Type
		for _, a := range p.Annotations {
			s += " @" + a.Term
		}
	}
	s += ")"
	if o.ReturnType != nil {
		s += " " + o.ReturnType.Type
	}
	if o.IsBound != "true" {
		s += " unbound"
	}
	if o.IsComposable == "true" {
		s += " composable"
	}
	return s
}

// TestCSDLOperations pins the bound actions and functions by hand, as the
// published beta metadata declares the ones this service serves.
func TestCSDLOperations(t *testing.T) {
	var doc parsedOperations
	if err := xml.Unmarshal(CSDL(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range doc.Schemas {
		for _, a := range s.Actions {
			got[s.Namespace] = append(got[s.Namespace], operationLine("action", a))
		}
		for _, f := range s.Functions {
			got[s.Namespace] = append(got[s.Namespace], operationLine("function", f))
		}
	}
	for ns := range got {
		slices.Sort(got[ns])
	}
	const id = "microsoft.graph.industryData."
	want := map[string][]string{"microsoft.graph.industryData": {
		"action start(bindingParameter Collection(" + id + "industryDataRun))",
		"action validate(bindingParameter " + id + "industryDataConnector)",
		"function getStatistics(bindingParameter Collection(" + id + "industryDataRun)) " + id + "industryDataRunStatistics composable",
		"function getStatistics(bindingParameter " + id + "industryDataRun) " + id + "industryDataRunStatistics composable",
		"function getUploadSession(bindingParameter " + id + "azureDataLakeConnector, resetSession Edm.Boolean @Org.OData.Core.V1.OptionalParameter) " + id + "fileUploadSession",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

// TestOperationsNameDeclaredTypes: every binding and result names a type
// the document declares, so a reader can resolve it.
func TestOperationsNameDeclaredTypes(t *testing.T) {
	for _, o := range Operations {
		if !slices.Contains(EntityTypes, o.Binding) {
			t.Errorf("%s is bound to %s, which EntityTypes does not declare", o.Name, o.Binding.FullName())
		}
		if o.Returns != nil && !slices.Contains(ComplexTypes, o.Returns) {
			t.Errorf("%s returns %s, which ComplexTypes does not declare", o.Name, o.Returns.FullName())
		}
		if o.Composable && !o.Function {
			t.Errorf("%s: only a function can be composable", o.Name)
		}
	}
}
