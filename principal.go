package industrydata

// Permission is a Graph permission name, granted through a token's scp
// (delegated) or roles (application) claim (SPEC §7).
type Permission string

// The permissions of SPEC §7.
const (
	PermReadBasic              Permission = "IndustryData.ReadBasic.All"
	PermRunRead                Permission = "IndustryData-Run.Read.All"
	PermRunStart               Permission = "IndustryData-Run.Start"
	PermOperationReadWrite     Permission = "IndustryData-Operation.ReadWrite.All"
	PermProcessReadWrite       Permission = "IndustryData-Process.ReadWrite.All"
	PermDataConnectorRead      Permission = "IndustryData-DataConnector.Read.All"
	PermDataConnectorReadWrite Permission = "IndustryData-DataConnector.ReadWrite.All"
	PermDataConnectorUpload    Permission = "IndustryData-DataConnector.Upload"

	PermInboundFlowRead              Permission = "IndustryData-InboundFlow.Read.All"
	PermInboundFlowReadWrite         Permission = "IndustryData-InboundFlow.ReadWrite.All"
	PermSourceSystemRead             Permission = "IndustryData-SourceSystem.Read.All"
	PermSourceSystemReadWrite        Permission = "IndustryData-SourceSystem.ReadWrite.All"
	PermTimePeriodRead               Permission = "IndustryData-TimePeriod.Read.All"
	PermTimePeriodReadWrite          Permission = "IndustryData-TimePeriod.ReadWrite.All"
	PermReferenceDefinitionRead      Permission = "IndustryData-ReferenceDefinition.Read.All"
	PermReferenceDefinitionReadWrite Permission = "IndustryData-ReferenceDefinition.ReadWrite.All"
)

// AllPermissions lists every permission of SPEC §7.
var AllPermissions = []Permission{
	PermReadBasic, PermRunRead, PermRunStart, PermOperationReadWrite,
	PermProcessReadWrite, PermDataConnectorRead, PermDataConnectorReadWrite,
	PermDataConnectorUpload, PermInboundFlowRead, PermInboundFlowReadWrite,
	PermSourceSystemRead, PermSourceSystemReadWrite, PermTimePeriodRead, PermTimePeriodReadWrite,
	PermReferenceDefinitionRead, PermReferenceDefinitionReadWrite,
}

// Principal is who a request acts for, as its verified token says.
type Principal struct {
	Tenant TenantID
	// Subject is the caller's object id (oid), or sub when the token has none.
	Subject string
	// App is the client application (azp or appid).
	App string
	// Delegated is true when the permissions came from scp rather than roles.
	Delegated   bool
	Permissions []Permission
}

// HasAny reports whether p holds at least one of perms.
func (p Principal) HasAny(perms ...Permission) bool {
	for _, have := range p.Permissions {
		for _, want := range perms {
			if have == want {
				return true
			}
		}
	}
	return false
}
