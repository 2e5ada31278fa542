package postgres

import (
	"database/sql"
	"errors"
	"fmt"
	"industrydata"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// retryable reports whether a transaction that failed with err may simply
// be run again: PostgreSQL chose it as a deadlock's victim, or could not
// serialize it, or it lost a race over a row another one referred to or
// deleted. The store never writes a reference it has not just checked,
// so a foreign key violation is such a race: a content released (deleted
// once nothing holds it) while another transaction made a new reference
// to it. Neither sees the other's uncommitted row; whichever commits
// second fails the key's check. Run again, it sees the other's outcome: a
// release finds the content held and keeps it (the new reference wins),
// a new reference finds it gone (ErrNotFound).
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "23503": // serialization_failure, deadlock_detected, foreign_key_violation
			return true
		}
	}
	return false
}

// retryReason is the metrics' name of the failure retryable accepted.
func retryReason(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return "foreign_key"
	}
	return "serialization"
}

// unreachable reports whether err says the database could not be reached
// or the connection to it was lost, rather than that it refused the
// statement.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P0x: the server is shutting
		// down, crashed or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, os.ErrDeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "closed pool") ||
		strings.Contains(msg, "unexpected EOF")
}

// classify marks an error that says the database is out of reach as
// ErrUnavailable (errors.Is finds both it and the cause).
func classify(err error) error {
	if err == nil || errors.Is(err, industrydata.ErrUnavailable) || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", industrydata.ErrUnavailable, err)
}

// translate turns the driver's answers to expected conditions into the
// root's sentinels: no row is ErrNotFound and a unique violation is
// ErrDuplicate. An unreachable database is ErrUnavailable. Anything else
// is returned as it is, to be reported as an internal error.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, sql.ErrNoRows) {
		return industrydata.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return industrydata.ErrDuplicate
	}
	return classify(err)
}
