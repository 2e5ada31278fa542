package rostergen

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
)

// The rest of the binding for a roster of n users: one school year and two
// terms, a course per school, and classes of ClassSize enrollments, so that
// each user has EnrollmentsPerUser of them (the shape for figures:
// 10 enrollments a user).
const (
	EnrollmentsPerUser = 10
	ClassSize          = 25
)

// Classes returns the number of classes of a roster of n users.
func Classes(n int) int { return max(1, n*EnrollmentsPerUser/ClassSize) }

// WriteAcademicSessions writes the academicSessions.csv of any roster.
func WriteAcademicSessions(w io.Writer, _ int) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write([]string{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"})
	_ = cw.Write([]string{"year-2025", "active", modified, "2024-2025", "schoolYear", "2024-09-01", "2025-06-30", "", "2025"})
	_ = cw.Write([]string{"term-1", "active", modified, "Fall", "term", "2024-09-01", "2025-01-31", "year-2025", "2025"})
	_ = cw.Write([]string{"term-2", "active", modified, "Spring", "term", "2025-02-01", "2025-06-30", "year-2025", "2025"})
	cw.Flush()
	return cw.Error()
}

// WriteCourses writes the courses.csv of a roster of n users: a course per
// school.
func WriteCourses(w io.Writer, n int) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write([]string{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"})
	for s := range Schools(n) {
		_ = cw.Write([]string{courseID(s), "active", modified, "year-2025", fmt.Sprintf("Course %d", s+1), fmt.Sprintf("C%d", s+1), "09,10", schoolID(s), "math", ""})
	}
	cw.Flush()
	return cw.Error()
}

// WriteClasses writes the classes.csv of a roster of n users.
func WriteClasses(w io.Writer, n int) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write([]string{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
		"classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"})
	row := make([]string, 14)
	for c := range Classes(n) {
		s := classSchool(c, n)
		row = append(row[:0], classID(c), "active", modified, fmt.Sprintf("Class %d", c+1), "09", courseID(s), fmt.Sprintf("K%d", c+1),
			"scheduled", "Room 1", schoolID(s), "term-1,term-2", "", "", "1")
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteEnrollments writes the enrollments.csv of a roster of n users:
// user i is in the classes i*10/25 ... onwards, EnrollmentsPerUser of them.
func WriteEnrollments(w io.Writer, n int) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write([]string{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"})
	classes := Classes(n)
	row := make([]string, 10)
	for i := range n {
		for k := range EnrollmentsPerUser {
			c := (i*EnrollmentsPerUser/ClassSize + k*ClassSize/EnrollmentsPerUser) % classes
			row = append(row[:0], fmt.Sprintf("e-%08d-%d", i, k), "active", modified, classID(c), schoolID(classSchool(c, n)),
				fmt.Sprintf("u-%08d", i), "student", "false", "2024-09-01", "")
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// AllFiles writes every file above and orgs.csv and users.csv into dir.
func AllFiles(dir string, n int) error {
	if _, _, err := Files(dir, n); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer, int) error{
		"academicSessions.csv": WriteAcademicSessions, "courses.csv": WriteCourses,
		"classes.csv": WriteClasses, "enrollments.csv": WriteEnrollments,
	} {
		if err := writeFile(filepath.Join(dir, name), func(w io.Writer) error { return write(w, n) }); err != nil {
			return err
		}
	}
	return nil
}

func classSchool(c, n int) int { return c * Schools(n) / Classes(n) }
func courseID(s int) string    { return fmt.Sprintf("course-%04d", s+1) }
func classID(c int) string     { return fmt.Sprintf("class-%07d", c+1) }
