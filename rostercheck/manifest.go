package rostercheck

import (
	"context"
	"hash/maphash"
	"io"
	"strings"

	"industrydata/roster"
)

// declaration is a file.* property of manifest.csv.
type declaration struct {
	file      string // such as users.csv
	mode      string // bulk, delta or absent, lower-cased
	line, col int    // of the value
}

// readManifest checks manifest.csv's rows (propertyName,value): each
// property once, file.* values bulk, delta or absent, oneroster.version
// 1.1. What the file.* properties announce is compared with the files
// present once all are read (checkManifest).
func (v *validator) readManifest(ctx context.Context, r io.Reader, ropts roster.Options) error {
	name := roster.FileManifest
	rr := roster.NewRowReader(r, name, ropts)
	defer func() { v.rows = rr.Rows() }()
	seed := maphash.MakeSeed()
	seen := map[uint64]bool{} // bounded by the file's row limit
	return eachRow(ctx, v, name, rr.Next, func(_ int, f []string) {
		prop, value := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if h := maphash.String(seed, strings.ToLower(prop)); seen[h] {
			line, col := rr.Pos(0)
			v.problem(CodeDuplicateProperty, name, line, col, "property %q is named on an earlier row too", short(prop))
			return
		} else {
			seen[h] = true
		}
		line, col := rr.Pos(1)
		switch lower := strings.ToLower(prop); {
		case lower == "oneroster.version":
			if value != "1.1" {
				v.problem(CodeInvalidManifest, name, line, col, "oneroster.version is %q; this service reads OneRoster 1.1", short(value))
			}
		case strings.HasPrefix(lower, "file."):
			mode := strings.ToLower(value)
			if mode != "bulk" && mode != "delta" && mode != "absent" {
				v.problem(CodeInvalidManifest, name, line, col, "%s is %q, not bulk, delta or absent", short(prop), short(value))
				return
			}
			if file := bindingFile(prop[len("file."):]); file != "" {
				v.declare = append(v.declare, declaration{file: file, mode: mode, line: line, col: col})
			}
		}
	})
}

// bindingFile returns the file of roster.Files that a manifest's file.*
// property names (file.users is users.csv), or "".
func bindingFile(base string) string {
	for _, f := range roster.Files {
		if strings.EqualFold(f, base+".csv") {
			return f
		}
	}
	return ""
}

// checkManifest compares what manifest.csv announces with the files
// present: a file announced bulk or delta must be there; one announced
// absent but present is checked all the same, with a warning.
func (v *validator) checkManifest() {
	for _, d := range v.declare {
		switch {
		case d.mode != "absent" && !v.present[d.file] && d.file != roster.FileOrgs && d.file != roster.FileUsers: // those two are reported missing already
			v.problem(CodeMissingFile, roster.FileManifest, d.line, d.col, "manifest.csv announces %s (%s), which the roster lacks", d.file, d.mode)
		case d.mode == "absent" && v.present[d.file]:
			v.problem(CodeManifestMismatch, roster.FileManifest, d.line, d.col, "manifest.csv says %s is absent, but it is present; it was checked", d.file)
		}
	}
}
