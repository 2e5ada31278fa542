package sqlite

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data, and the metadata needed to read it back (its
// size), to the disk: what SQLite itself calls to sync the WAL on Linux.
// Unlike fsync it does not wait for a journal commit of the file's times.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
