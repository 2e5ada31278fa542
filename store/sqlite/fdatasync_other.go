//go:build !linux

package sqlite

import "os"

// fdatasync flushes f to the disk; elsewhere than on Linux it is fsync.
func fdatasync(f *os.File) error { return f.Sync() }
