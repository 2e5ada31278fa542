package report

import (
	"hash/maphash"
	"net/mail"
	"testing"
)

func TestPlausibleEmail(t *testing.T) {
	for _, tc := range []struct {
		email string
		want  bool
	}{
		{"jdoe@example.edu", true},
		{"j.doe+roster@mail.example.edu", true},
		{"o'brien@example.ie", true},
		{"jdoe@localhost", true},                   // net/mail accepts a dotless domain
		{"zoë@example.fr", true},                   // not simple, but net/mail takes it
		{"j!doe@example.edu", true},                // the same
		{"jdoe@[192.0.2.1]", true},                 // a domain literal
		{"John Doe <jdoe@example.edu>", false},     // a display name
		{"<jdoe@example.edu>", false},              // not exactly the address
		{"jdoe@example.edu (Jane)", false},         // a comment
		{`"j doe"@example.edu`, false},             // net/mail gives the address back unquoted
		{"jdoe", false},                            // no domain
		{"@example.edu", false},                    // no local part
		{"jdoe@", false},                           // no domain
		{"j..doe@example.edu", false},              // double dot
		{".jdoe@example.edu", false},               // leading dot
		{"jdoe@example..edu", false},               // double dot in the domain
		{"jdoe@example.edu.", false},               // trailing dot
		{"jdoe@ex@ample.edu", false},               // two @
		{"jdoe@example.edu, x@example.edu", false}, // a list
		{"not an address", false},
	} {
		if got := plausibleEmail(tc.email); got != tc.want {
			t.Errorf("plausibleEmail(%q) = %v, want %v", tc.email, got, tc.want)
		}
	}
}

// simpleEmail is a fast path of plausibleEmail: it must accept nothing that
// net/mail would not give back exactly.
func FuzzSimpleEmail(f *testing.F) {
	for _, s := range []string{"a@b.c", "a.b-c_d+e'f@g-h.i", "a@b", "a@-b", "-@b", "'@'", "a@b.c."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !simpleEmail(s) {
			return
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			t.Fatalf("simpleEmail(%q) = true, but net/mail gives %v, %v", s, a, err)
		}
	})
}

func TestUsernameKey(t *testing.T) {
	seed := maphash.MakeSeed()
	var buf []byte
	key := func(s string) uint64 {
		h, ok := UsernameKey(seed, &buf, s)
		if !ok {
			t.Fatalf("UsernameKey(%q) found no username", s)
		}
		return h
	}
	for _, same := range [][2]string{
		{"jdoe", "JDoe"}, {"jdoe", " jdoe "}, {"ZOË", "zoë"}, {"Jdoe.Ünal", "jdoe.ünal"},
	} {
		if key(same[0]) != key(same[1]) {
			t.Errorf("%q and %q differ", same[0], same[1])
		}
	}
	if key("jdoe") == key("jdoe2") {
		t.Error("jdoe and jdoe2 collide")
	}
	for _, empty := range []string{"", "  ", "\t"} {
		if _, ok := UsernameKey(seed, &buf, empty); ok {
			t.Errorf("UsernameKey(%q) found a username", empty)
		}
	}
}
