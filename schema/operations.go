package schema

// BoundOperation is an OData action or function the API serves, bound to an
// entity type or to a collection of it, as published Graph declares it.
// The $metadata document lists them so that tools which read it (SDK
// generators, the OASIS OpenAPI converter) see the calls a client can make.
type BoundOperation struct {
	Namespace string
	Name      string
	// Function is a call without side effects (GET); otherwise an action
	// (POST).
	Function bool
	// Binding is the type the operation is bound to; Collection binds it to
	// a collection of that type.
	Binding    *EntityType
	Collection bool
	Parameters []OperationParameter
	// Returns is the result's type; nil for an action that returns nothing
	// in the published metadata.
	Returns *ComplexType
	// Composable lets a function's result be addressed further.
	Composable bool
}

// OperationParameter is a parameter of a bound operation besides its
// binding. Optional parameters carry Core.OptionalParameter.
type OperationParameter struct {
	Name     string
	Type     string
	Optional bool
}

// FullName is the operation's qualified name, which a path may use in
// place of its short name.
func (o *BoundOperation) FullName() string { return o.Namespace + "." + o.Name }

// Operations are the bound actions and functions the API serves, as the
// published beta metadata declares them (microsoft.graph.industryData).
var Operations = []*BoundOperation{
	{Namespace: IndustryDataNamespace, Name: "getStatistics", Function: true, Composable: true,
		Binding: IndustryDataRun, Collection: true, Returns: IndustryDataRunStatistics},
	{Namespace: IndustryDataNamespace, Name: "getStatistics", Function: true, Composable: true,
		Binding: IndustryDataRun, Returns: IndustryDataRunStatistics},
	// Published Graph declares start without a result; this service answers
	// 202 with the run it started, which a client may read or ignore.
	{Namespace: IndustryDataNamespace, Name: "start", Binding: IndustryDataRun, Collection: true},
	{Namespace: IndustryDataNamespace, Name: "getUploadSession", Function: true,
		Binding: AzureDataLakeConnector, Returns: FileUploadSession,
		Parameters: []OperationParameter{{Name: "resetSession", Type: "Edm.Boolean", Optional: true}}},
	{Namespace: IndustryDataNamespace, Name: "validate", Binding: IndustryDataConnector},
}

// The wire shape of an Action or Function element.
type (
	edmxOperation struct {
		Name         string          `xml:"Name,attr"`
		IsBound      string          `xml:"IsBound,attr"`
		IsComposable string          `xml:"IsComposable,attr,omitempty"`
		Parameters   []edmxParameter `xml:"Parameter"`
		ReturnType   *edmxReturnType `xml:"ReturnType"`
	}
	edmxParameter struct {
		Name        string           `xml:"Name,attr"`
		Type        string           `xml:"Type,attr"`
		Nullable    string           `xml:"Nullable,attr,omitempty"`
		Annotations []edmxAnnotation `xml:"Annotation"`
	}
	edmxReturnType struct {
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr,omitempty"`
	}
)

// termOptionalParameter marks a parameter a call may leave out.
const termOptionalParameter = "Org.OData.Core.V1.OptionalParameter"

// operationXML renders o: the binding parameter first, named
// bindingParameter as in Graph's metadata, then the others.
func operationXML(o *BoundOperation) edmxOperation {
	binding := o.Binding.FullName()
	if o.Collection {
		binding = "Collection(" + binding + ")"
	}
	out := edmxOperation{Name: o.Name, IsBound: "true",
		Parameters: []edmxParameter{{Name: "bindingParameter", Type: binding}}}
	if o.Composable {
		out.IsComposable = "true"
	}
	for _, p := range o.Parameters {
		x := edmxParameter{Name: p.Name, Type: p.Type}
		if p.Optional {
			x.Annotations = []edmxAnnotation{{Term: termOptionalParameter, Record: &edmxRecord{}}}
		}
		out.Parameters = append(out.Parameters, x)
	}
	if o.Returns != nil {
		out.ReturnType = &edmxReturnType{Type: o.Returns.FullName()}
	}
	return out
}
