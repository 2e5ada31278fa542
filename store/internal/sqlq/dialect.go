package sqlq

import "strconv"

// SQLite is the Dialect of SQLite. Text compares with the BINARY collation
// (memcmp), so nothing needs a COLLATE clause. The string functions work on
// the text's bytes (instr compares bytes; the others go through BLOB casts),
// because length and substr on TEXT count characters and stop at a NUL. The
// length guard keeps them two-valued: substr of an empty BLOB is NULL.
var SQLite Dialect = sqliteDialect{}

type sqliteDialect struct{}

func (sqliteDialect) Placeholder(n int) string { return "?" + strconv.Itoa(n) }

func (sqliteDialect) Contains(col, p string) string { return "instr(" + col + ", " + p + ") > 0" }

func (sqliteDialect) StartsWith(col, p string) string {
	return sqliteAffix(col, p, "1, ")
}

func (sqliteDialect) EndsWith(col, p string) string {
	return sqliteAffix(col, p, "-")
}

// sqliteAffix compares p with as many bytes of col, taken from its start
// (from "1, ") or its end (from "-").
func sqliteAffix(col, p, from string) string {
	b, pb := "CAST("+col+" AS BLOB)", "CAST("+p+" AS BLOB)"
	return "(length(" + b + ") >= length(" + pb + ") AND substr(" + b + ", " + from + "length(" + pb + ")) = " + pb + ")"
}

// LimitOffset: SQLite has no OFFSET without LIMIT; LIMIT -1 is no limit.
func (sqliteDialect) LimitOffset(limit, offset string) string {
	switch {
	case limit == "" && offset == "":
		return ""
	case offset == "":
		return "LIMIT " + limit
	case limit == "":
		return "LIMIT -1 OFFSET " + offset
	}
	return "LIMIT " + limit + " OFFSET " + offset
}

// Postgres is the Dialect of PostgreSQL. Its text columns must be declared
// COLLATE "C", for byte-wise comparison and ordering. Parameters of the string functions are cast to text, which the
// server could not otherwise infer.
var Postgres Dialect = postgresDialect{}

type postgresDialect struct{}

func (postgresDialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (postgresDialect) Contains(col, p string) string {
	return "strpos(" + col + ", " + p + "::text) > 0"
}

func (postgresDialect) StartsWith(col, p string) string {
	return "starts_with(" + col + ", " + p + "::text)"
}

func (postgresDialect) EndsWith(col, p string) string {
	return "right(" + col + ", length(" + p + "::text)) = " + p + "::text"
}

func (postgresDialect) LimitOffset(limit, offset string) string {
	s := ""
	if limit != "" {
		s = "LIMIT " + limit
	}
	if offset != "" {
		if s != "" {
			s += " "
		}
		s += "OFFSET " + offset
	}
	return s
}
