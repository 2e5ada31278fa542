package sqlq

import (
	"strconv"
	"strings"
	"sync"
)

// rebinds caches Rebind's answers: the queries are constants, a few
// dozen, and the list queries' texts depend only on their shapes.
var rebinds sync.Map

// Rebind turns the SQLite-style placeholders the queries are written
// with (? numbered in order, ?N numbered) into PostgreSQL's ($N). A ?
// after a ?N is numbered one past the largest number so far, as SQLite
// does. Queries already in $N form are left as they are.
func Rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	max := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' { // a string literal: copied as it is
			j := strings.IndexByte(q[i+1:], '\'')
			if j < 0 {
				b.WriteString(q[i:])
				break
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
			continue
		}
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		n := max + 1
		if j > i+1 {
			n, _ = strconv.Atoi(q[i+1 : j])
		}
		if n > max {
			max = n
		}
		b.WriteString("$" + strconv.Itoa(n))
		i = j - 1
	}
	out := b.String()
	rebinds.Store(q, out)
	return out
}
