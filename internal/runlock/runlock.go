// Package runlock lets processes on one machine take turns at a named
// resource through lock files in a directory, and pass each other a note:
// what a holder was doing when it stopped. The locks are flock(2) locks,
// which the kernel releases when their holder exits, however it exits, so
// a lock is never left stale; the note stays in the file for the next
// holder to read.
package runlock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// pollInterval is how often a waiting Acquire tries again.
const pollInterval = 50 * time.Millisecond

// Dir is a directory of lock files, created (mode 0700) on first use.
type Dir string

// Held is a lock this process holds.
type Held struct {
	f *os.File
}

// Acquire takes the lock called name, waiting while another process (or
// another Acquire in this one) holds it; waiting, if not nil, is called
// once when it has to wait. The wait ends with ctx.
func (d Dir) Acquire(ctx context.Context, name string, waiting func()) (*Held, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("lock name %q: expected a plain file name", name)
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	path := filepath.Join(string(d), name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &Held{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, context.Cause(ctx)
		case <-time.After(pollInterval):
		}
	}
}

// Note is what the holders of the lock left in it; empty when nothing.
func (h *Held) Note() ([]byte, error) {
	if _, err := h.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(h.f, 1<<20))
}

// SetNote replaces the note and syncs it to disk before returning, so that
// a note written before an action survives the holder being killed during
// it. An empty note clears it.
func (h *Held) SetNote(b []byte) error {
	if err := h.f.Truncate(0); err != nil {
		return err
	}
	if _, err := h.f.WriteAt(b, 0); err != nil {
		return err
	}
	return h.f.Sync()
}

// Release gives the lock up; the note stays.
func (h *Held) Release() {
	syscall.Flock(int(h.f.Fd()), syscall.LOCK_UN)
	h.f.Close()
}
