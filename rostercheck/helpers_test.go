package rostercheck_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"strings"
	"testing"

	"industrydata/rostercheck"
)

// base is a small valid roster of every file of the binding, by file and
// line (line 1, the header, is base[file][0]).
var base = map[string][]string{
	"manifest.csv": {
		"propertyName,value",
		"manifest.version,1.0",
		"oneroster.version,1.1",
		"file.academicSessions,bulk",
		"file.categories,absent",
		"file.classes,bulk",
		"file.classResources,absent",
		"file.courses,bulk",
		"file.courseResources,absent",
		"file.demographics,bulk",
		"file.enrollments,bulk",
		"file.lineItems,absent",
		"file.orgs,bulk",
		"file.resources,absent",
		"file.results,absent",
		"file.users,bulk",
		"source.systemName,SIS",
	},
	"orgs.csv": {
		"sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
		"d1,active,2024-05-01T08:30:00Z,District,district,D1,",
		"s1,active,2024-05-01T08:30:00Z,School,school,S1,d1",
	},
	"academicSessions.csv": {
		"sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear",
		"y1,active,2024-05-01,2024-2025,schoolYear,2024-09-01,2025-06-30,,2025",
		"t1,,,Fall,term,2024-09-01,2024-12-20,y1,2025",
	},
	"courses.csv": {
		"sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes",
		`c1,,,y1,Algebra,ALG,"09,10",s1,math,`,
	},
	"classes.csv": {
		"sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
		"k1,,,Algebra 1,09,c1,A1,scheduled,Room 1,s1,t1,,,1",
	},
	"users.csv": {
		"sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password",
		"u1,active,2024-05-01T08:30:00Z,true,s1,teacher,tee,,Ada,Lovelace,,,ada@example.org,,,,,",
		"u2,active,2024-05-01T08:30:00Z,true,s1,student,stu,,Bob,Smith,,,,,,,09,",
	},
	"enrollments.csv": {
		"sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate",
		"e1,,,k1,s1,u1,teacher,true,2024-09-01,",
		"e2,,,k1,s1,u2,student,false,,",
	},
	"demographics.csv": {
		"sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus",
		"u2,,,2010-03-04,male,false,false,false,false,true,false,false,US,CA,Springfield,",
	},
}

// files is a roster by name, as open gives them.
type files map[string]string

// baseFiles returns the files of base, LF line ends.
func baseFiles() files {
	fl := files{}
	for name, lines := range base {
		fl[name] = strings.Join(lines, "\n") + "\n"
	}
	return fl
}

// edit is a change to base: line n of file becomes text (n past the end
// appends it); with n == 0, text is the whole file, and "-" removes it.
type edit struct {
	file string
	n    int
	text string
}

func edited(edits ...edit) files {
	lines := map[string][]string{}
	for name, l := range base {
		lines[name] = append([]string(nil), l...)
	}
	whole := files{}
	for _, e := range edits {
		switch {
		case e.n == 0:
			whole[e.file] = e.text
		case e.n > len(lines[e.file]):
			lines[e.file] = append(lines[e.file], e.text)
		default:
			lines[e.file][e.n-1] = e.text
		}
	}
	fl := files{}
	for name, l := range lines {
		fl[name] = strings.Join(l, "\n") + "\n"
	}
	maps.Copy(fl, whole)
	for name, text := range fl {
		if text == "-" {
			delete(fl, name)
		}
	}
	return fl
}

// opener opens from fl; readers, when set, override a file with a reader
// of their own.
func opener(fl files, readers map[string]func() io.Reader) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		if r, ok := readers[name]; ok {
			return io.NopCloser(r()), nil
		}
		text, ok := fl[name]
		if !ok {
			return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
		}
		return io.NopCloser(strings.NewReader(text)), nil
	}
}

func validate(t testing.TB, fl files, opts rostercheck.Options) *rostercheck.Result {
	t.Helper()
	res, err := rostercheck.Validate(context.Background(), opener(fl, nil), opts)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return res
}

// problems renders every kept problem as "code file:line:col", errors
// first.
func problems(res *rostercheck.Result) []string {
	var out []string
	for _, p := range append(append([]rostercheck.Problem(nil), res.Errors...), res.Warnings...) {
		out = append(out, fmt.Sprintf("%s %s:%d:%d", p.Code, p.File, p.Line, p.Column))
	}
	return out
}
