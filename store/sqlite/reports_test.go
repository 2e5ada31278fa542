package sqlite

import (
	"fmt"

	"industrydata"
)

// benchEntries returns n entries from seq first, shaped like a roster's.
func benchEntries(first int64, n int) []industrydata.UserReportEntry {
	out := make([]industrydata.UserReportEntry, n)
	roles := []string{"student", "student", "student", "teacher", "administrator", "guardian"}
	for i := range out {
		seq := first + int64(i)
		e := industrydata.UserReportEntry{
			Seq:           seq,
			SourcedID:     fmt.Sprintf("user-%08d", seq),
			Username:      fmt.Sprintf("user.%d@school.example", seq),
			Role:          roles[seq%int64(len(roles))],
			OrgSourcedIDs: []string{fmt.Sprintf("org-%d", seq%40)},
			IsActive:      seq%9 != 0,
		}
		if seq%7 == 0 {
			e.OrgSourcedIDs = append(e.OrgSourcedIDs, "org-district")
		}
		if seq%11 == 0 {
			e.Issues = []industrydata.UserReportIssue{industrydata.IssueMissingEmail, industrydata.IssueUnknownOrg}
		}
		out[i] = e
	}
	return out
}
