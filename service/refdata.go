package service

import (
	"fmt"
	"time"

	"industrydata"
)

// The reference types of SPEC §11. Every tenant sees the system's
// definitions; a tenant may add codes to the extensible types only.
const (
	RefAcademicSubject = "RefAcademicSubject"
	RefAcademicYear    = "RefAcademicYear"
	RefEthnicity       = "RefEthnicity"
	RefFileFormat      = "RefFileFormat"
	RefGradeLevel      = "RefGradeLevel"
	RefIdentifierType  = "RefIdentifierType"
	RefOrgType         = "RefOrgType"
	RefPersonFlagType  = "RefPersonFlagType"
	RefRace            = "RefRace"
	RefRole            = "RefRole"
	RefUserMatchTarget = "RefUserMatchTarget"
)

// extensibleTypes are the reference types a tenant may add codes to.
var extensibleTypes = map[string]bool{
	RefAcademicSubject: true, RefRace: true, RefEthnicity: true,
	RefGradeLevel: true, RefOrgType: true, RefPersonFlagType: true,
}

// Sources of a definition.
const (
	sourceSystem = "system"
	sourceTenant = "tenant"
)

// systemDefinitionsDate stamps the system's definitions: they are part of
// the service, not of any tenant's history.
var systemDefinitionsDate = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// systemETag versions every system definition a tenant has not changed;
// it changes when this list does.
const systemETag = "system-1"

// systemCodes lists the system's codes of each type, in sort order, with
// their display names. The roles and org types are OneRoster v1.1's (SPEC
// §10); grades are its CEDS grade levels.
var systemCodes = []struct {
	refType string
	codes   [][2]string // code, displayName
}{
	{RefRole, [][2]string{{"administrator", "Administrator"}, {"aide", "Aide"}, {"guardian", "Guardian"},
		{"parent", "Parent"}, {"proctor", "Proctor"}, {"relative", "Relative"}, {"student", "Student"}, {"teacher", "Teacher"}}},
	{RefOrgType, [][2]string{{"department", "Department"}, {"school", "School"}, {"district", "District"},
		{"local", "Local"}, {"state", "State"}, {"national", "National"}}},
	{RefGradeLevel, gradeLevels()},
	{RefAcademicYear, academicYears(2000, 2050)},
	{RefIdentifierType, [][2]string{{"sourcedId", "sourcedId"}, {"identifier", "identifier"},
		{"username", "username"}, {"email", "email"}}},
	{RefUserMatchTarget, [][2]string{{"userPrincipalName", "User principal name"}, {"mail", "Mail"},
		{"employeeId", "Employee ID"}}},
	{RefFileFormat, [][2]string{{"oneRoster", "OneRoster v1.1 CSV"}}},
}

func gradeLevels() [][2]string {
	out := [][2]string{{"IT", "Infant/toddler"}, {"PR", "Preschool"}, {"PK", "Prekindergarten"},
		{"TK", "Transitional Kindergarten"}, {"KG", "Kindergarten"}}
	for g := 1; g <= 13; g++ {
		out = append(out, [2]string{fmt.Sprintf("%02d", g), fmt.Sprintf("Grade %d", g)})
	}
	return append(out, [2]string{"PS", "Postsecondary"}, [2]string{"UG", "Ungraded"}, [2]string{"Other", "Other"})
}

func academicYears(from, to int) [][2]string {
	var out [][2]string
	for y := from; y <= to; y++ {
		out = append(out, [2]string{fmt.Sprint(y), fmt.Sprintf("%d-%d", y-1, y)})
	}
	return out
}

// systemDefinitions are the system's definitions, Seq 1, 2, … in list
// order; systemIndex finds one by id.
var systemDefinitions, systemIndex = func() ([]industrydata.ReferenceDefinition, map[string]int) {
	var defs []industrydata.ReferenceDefinition
	index := map[string]int{}
	for _, group := range systemCodes {
		for i, c := range group.codes {
			name := c[1]
			d := industrydata.ReferenceDefinition{
				ResourceMeta:  industrydata.ResourceMeta{ID: industrydata.ReferenceDefinitionID(group.refType, c[0]), ETag: systemETag, Seq: int64(len(defs) + 1)},
				ReferenceType: group.refType, Code: c[0], DisplayName: &name, SortIndex: int64(i + 1),
				Source: sourceSystem, CreatedDateTime: systemDefinitionsDate, LastModifiedDateTime: systemDefinitionsDate,
			}
			index[d.ID] = len(defs)
			defs = append(defs, d)
		}
	}
	return defs, index
}()

// tenantSeqBase places a tenant's own codes after every system definition
// in the set's order.
const tenantSeqBase = 1 << 40

// systemDefinition returns a copy of the system definition id.
func systemDefinition(id string) (industrydata.ReferenceDefinition, bool) {
	i, ok := systemIndex[id]
	if !ok {
		return industrydata.ReferenceDefinition{}, false
	}
	d := systemDefinitions[i]
	name := *d.DisplayName
	d.DisplayName = &name
	return d, true
}
