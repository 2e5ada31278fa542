package throttle

// Len returns the number of tenants whose buckets are kept, so that the
// tests can check that memory stays bounded. It lives here, not beside
// Allow, because nothing but those tests asks.
func (l *Limiter) Len() int {
	if !l.Enabled() {
		return 0
	}
	n := 0
	for _, s := range l.shards {
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
