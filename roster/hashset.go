package roster

import "math/bits"

// HashSet is a set of 64-bit hashes, such as hash/maphash values: the set a
// reader finds duplicate sourcedIds with, and package report duplicate
// usernames. It is an open-addressing table with linear probing, 8 bytes a
// slot, at most 4/5 full. Sized by Reserve, a million entries take 10 to 12
// MB, against 38 MB for a map[uint64]struct{}, and go in several times
// faster. The zero value is an empty set.
//
// Hashes should be evenly spread over 64 bits, as maphash's are.
type HashSet struct {
	slots []uint64 // 0 marks an empty slot; the hash 0 is kept in zero
	n     int      // entries in slots
	zero  bool
}

// Add adds h to the set and reports whether it was not there yet.
func (s *HashSet) Add(h uint64) bool {
	if h == 0 {
		added := !s.zero
		s.zero = true
		return added
	}
	if (s.n+1)*5 > len(s.slots)*4 {
		s.resize(max(64, 2*len(s.slots)))
	}
	for i := s.home(h); ; {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// Has reports whether h is in the set.
func (s *HashSet) Has(h uint64) bool {
	if h == 0 {
		return s.zero
	}
	if s.n == 0 {
		return false
	}
	for i := s.home(h); ; {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// Reserve makes room for n hashes in all, so that adding them does not grow
// the table again and again (each growth puts every entry back).
func (s *HashSet) Reserve(n int) {
	if size := (n+1)*5/4 + 1; size > len(s.slots) {
		s.resize(size)
	}
}

// Len returns the number of hashes in the set.
func (s *HashSet) Len() int {
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// home is the slot where h belongs: h, spread by a Fibonacci multiply in
// case it is not, scaled to the table's size (Lemire's multiply-shift, which
// needs no power-of-two size).
func (s *HashSet) home(h uint64) int {
	hi, _ := bits.Mul64(h*0x9E3779B97F4A7C15, uint64(len(s.slots)))
	return int(hi)
}

// resize moves the entries to a table of size slots.
func (s *HashSet) resize(size int) {
	old := s.slots
	s.slots = make([]uint64, size)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := s.home(h)
		for s.slots[i] != 0 {
			if i++; i == size {
				i = 0
			}
		}
		s.slots[i] = h
	}
}
