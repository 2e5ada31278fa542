package odata

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"industrydata"
)

// tokenKind classifies the tokens of $filter.
type tokenKind int

const (
	tEOF    tokenKind = iota
	tIdent            // name, keyword or dotted qualified name
	tString           // 'text', '' unescaped in text
	tNumber           // -?digits
	tDate             // an unquoted date-time, checked when typed
	tEnum             // Namespace.enumType'member': text the type, value the member
	tLParen
	tRParen
	tComma
	tColon
	tSlash
)

// token is one lexeme; pos is its byte offset in the $filter text.
type token struct {
	kind  tokenKind
	pos   int
	text  string // source text (identifier, number, date, enum type name)
	value string // unescaped content of tString and tEnum
}

// describe names a token for error messages, clipped so that a hostile
// literal is not echoed whole.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "'" + clip(strings.ReplaceAll(t.value, "'", "''")) + "'"
	case tEnum:
		return clip(t.text) + "'" + clip(t.value) + "'"
	case tLParen:
		return "'('"
	case tRParen:
		return "')'"
	case tComma:
		return "','"
	case tColon:
		return "':'"
	case tSlash:
		return "'/'"
	}
	return "'" + clip(t.text) + "'"
}

// lex splits s into tokens. It fails on a character OData does not allow
// outside a string literal and on an unterminated string.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':' || c == '/':
			toks = append(toks, token{kind: punct[c], pos: i, text: s[i : i+1]})
			i++
		case c == '\'':
			v, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, pos: i, text: s[i:n], value: v})
			i = n
		case isIdentStart(c):
			start := i
			for i < len(s) && (isIdentPart(s[i]) || s[i] == '.' && i+1 < len(s) && isIdentStart(s[i+1])) {
				i++
			}
			name := s[start:i]
			if i < len(s) && s[i] == '\'' {
				// Namespace.enumType'member': the type name touches the quote.
				v, n, err := lexString(s, i)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{kind: tEnum, pos: start, text: name, value: v})
				i = n
				continue
			}
			toks = append(toks, token{kind: tIdent, pos: start, text: name})
		case isDigit(c) || c == '-' && i+1 < len(s) && isDigit(s[i+1]):
			// Numbers and date-times are one run of these characters; the
			// run is classified whole so that 5-3 or 2024-05-01 are refused
			// as what they are rather than half-read.
			start := i
			i++
			for i < len(s) && (isIdentPart(s[i]) || strings.IndexByte(":.+-", s[i]) >= 0) {
				i++
			}
			toks = append(toks, classifyNumber(s, start, i))
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, syntaxError(s, i, "unexpected character %q", r)
		}
	}
	return append(toks, token{kind: tEOF, pos: len(s)}), nil
}

var punct = map[byte]tokenKind{'(': tLParen, ')': tRParen, ',': tComma, ':': tColon, '/': tSlash}

// lexString reads the string literal starting at the quote s[i]: it returns
// its unescaped value and the offset just after the closing quote.
func lexString(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '\'' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return b.String(), j + 1, nil
	}
	return "", 0, syntaxError(s, i, "the string literal is not closed; end it with ' and write a quote inside it as ''")
}

// classifyNumber makes a token of the run s[start:end] that began with a
// digit or a minus sign.
func classifyNumber(s string, start, end int) token {
	run := s[start:end]
	if allDigits(strings.TrimPrefix(run, "-")) {
		return token{kind: tNumber, pos: start, text: run}
	}
	// Anything else is a date-time or nothing; typing says which, with a
	// message naming the run.
	return token{kind: tDate, pos: start, text: run}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// syntaxError is the badRequest for malformed $filter text at byte offset
// pos; the message gives the position in characters, as a client counts.
func syntaxError(s string, pos int, format string, args ...any) *industrydata.Error {
	at := utf8.RuneCountInString(s[:min(pos, len(s))])
	return industrydata.BadProperty("$filter", "Invalid $filter at position %d: %s.", at, fmt.Sprintf(format, args...))
}

// badFilter is the error for a $filter that parses but does not check
// against the entity type. Target names the property at fault (or $filter)
// and the message names $filter too: a request carries several options, and
// a property name alone does not say which of them is wrong.
func badFilter(target, format string, args ...any) *industrydata.Error {
	return industrydata.BadProperty(target, "Invalid $filter: "+format, args...)
}

// clip keeps client text echoed in messages short.
func clip(s string) string { return industrydata.Shorten(s, 40) }
