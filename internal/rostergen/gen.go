// Package rostergen writes synthetic OneRoster v1.1 rosters of any size for tests
// and benchmarks. The output depends only on the number of users: the same
// call writes the same bytes, so figures are comparable from run to run and
// no data file needs to be committed.
//
// About one user in a hundred carries an issue (a missing or invalid email,
// a username that another user has too, an unknown or missing org, an
// unknown role), so that a report over it does all of its work.
package rostergen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// UsersPerSchool is how many users share one school org.
const UsersPerSchool = 500

// Schools returns the number of school orgs of a roster of n users.
func Schools(n int) int { return max(1, n/UsersPerSchool) }

var (
	orgHeader = []string{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"}
	// userHeader is OneRoster's order, but for a trailing column of the
	// kind exporters add, which readers ignore.
	userHeader = []string{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds",
		"role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
		"sms", "phone", "agentSourcedIds", "grades", "password", "metadata.exportedBy"}
	givenNames  = []string{"Ada", "Björn", "Chloé", "Dmitri", "Eve", "Farah", "Grace", "Hiro", "Ines", "José"}
	familyNames = []string{"Okafor", "Lindqvist", "Martin", "Ivanov", "Nakamura", "García", "Smith", "Haddad"}
	grades      = []string{"KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}
)

const modified = "2024-05-01T08:30:00.000Z"

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteOrgs writes the orgs.csv of a roster of n users: one district and
// Schools(n) schools.
func WriteOrgs(w io.Writer, n int) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // as most exporters write it
	_ = cw.Write(orgHeader)
	_ = cw.Write([]string{"district-1", "active", modified, "Springfield Unified", "district", "D1", ""})
	for s := range Schools(n) {
		id := schoolID(s)
		_ = cw.Write([]string{id, "active", modified, fmt.Sprintf("School %d", s+1), "school", strconv.Itoa(1000 + s), "district-1"})
	}
	cw.Flush()
	return cw.Error()
}

// WriteUsers writes the users.csv of a roster of n users.
func WriteUsers(w io.Writer, n int) error {
	rng := rand.New(rand.NewPCG(uint64(n), 2024))
	schools := Schools(n)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write(userHeader)
	row := make([]string, len(userHeader))
	for i := range n {
		school := i / UsersPerSchool % schools
		role, grade := "student", grades[rng.IntN(len(grades))]
		switch r := rng.IntN(100); {
		case r < 6:
			role, grade = "teacher", ""
		case r < 7:
			role, grade = "administrator", ""
		case r < 8:
			role, grade = "aide", ""
		case r < 14:
			role, grade = "guardian", ""
		}
		username := fmt.Sprintf("user%07d", i)
		email := username + "@springfield.example.edu"
		orgs := schoolID(school)
		if role == "teacher" && school+1 < schools {
			orgs += "," + schoolID(school+1) // a quoted, comma-separated list
		}
		status, enabled := "active", "true"
		switch r := rng.IntN(1000); {
		case r < 20:
			status = "tobedeleted"
		case r < 50:
			enabled = "false"
		}
		switch r := rng.IntN(1000); {
		case r < 2:
			role, grade, email = "teacher", "", "" // missingEmail
		case r < 4:
			email = "not an address"
		case r < 6:
			username = fmt.Sprintf("USER%07d", max(0, i-1)) // duplicates the previous user
		case r < 7:
			username = ""
		case r < 8:
			orgs = "school-unknown"
		case r < 9:
			orgs = ""
		case r < 10:
			role = "staff"
		}
		// Every row its own timestamp, as when records change one by one.
		modified := epoch.Add(time.Duration(rng.IntN(365*24*3600)) * time.Second).Format("2006-01-02T15:04:05.000Z")
		given, family := givenNames[rng.IntN(len(givenNames))], familyNames[rng.IntN(len(familyNames))]
		row = append(row[:0], fmt.Sprintf("u-%08d", i), status, modified, enabled, orgs, role,
			username, "{LDAP:"+username+"}", given, family, "", strconv.Itoa(100000+i), email,
			"", "", "", grade, "", "gen")
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Files writes orgs.csv and users.csv of a roster of n users into dir and
// returns their paths.
func Files(dir string, n int) (orgsPath, usersPath string, err error) {
	orgsPath, usersPath = filepath.Join(dir, "orgs.csv"), filepath.Join(dir, "users.csv")
	if err := writeFile(orgsPath, func(w io.Writer) error { return WriteOrgs(w, n) }); err != nil {
		return "", "", err
	}
	if err := writeFile(usersPath, func(w io.Writer) error { return WriteUsers(w, n) }); err != nil {
		return "", "", err
	}
	return orgsPath, usersPath, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		_ = f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func schoolID(s int) string { return fmt.Sprintf("school-%04d", s+1) }

// Reader streams what write writes for n users (WriteUsers or WriteOrgs),
// produced on a goroutine as it is read, so a roster of any size can be
// handed on without a file or the memory to hold it.
func Reader(n int, write func(io.Writer, int) error) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw, n)) }()
	return pr
}
