// Package atomicfile writes files so that a reader, or a crash, sees the
// old content or the new one, never a mix: key files, signed messages,
// devnet settings and the emulator's state all need that.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotRegular is an existing path that is not a regular file (a device,
// a directory, a FIFO, a socket or a symbolic link): Write never replaces
// one, even when asked to overwrite, since replacing /dev/null or a link
// with a file holding a secret is never what was meant.
var ErrNotRegular = errors.New("not a regular file")

// Write stores data at path with the given mode, through a temporary file
// in the same directory that is synced and then renamed (or linked) into
// place. Unless overwrite is set, an existing path is left alone and the
// error wraps fs.ErrExist; with it, only a regular file is replaced.
//
// The temporary file's name carries the writer's process id, so that the
// temporary files of writers that were killed before they could remove
// theirs are found and removed by the next write of the same path.
func Write(path string, data []byte, mode fs.FileMode, overwrite bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Lstat(path); err == nil {
		if !overwrite {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: %w", path, ErrNotRegular)
		}
	}
	removeStale(dir, base)
	tmp, err := os.CreateTemp(dir, tempPrefix(base, os.Getpid())+"*.tmp")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once the name has moved
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if overwrite {
		return os.Rename(tmpName, path)
	}
	// A hard link fails if the name exists, which closes the window between
	// the check above and the rename that a racing writer could use.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		// Some file systems have no hard links: fall back to a rename, which
		// is still atomic for readers.
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		return os.Rename(tmpName, path)
	}
	return nil
}

func tempPrefix(base string, pid int) string {
	return "." + base + "." + strconv.Itoa(pid) + "."
}

// removeStale removes the temporary files of earlier writes of base in dir
// whose writer process no longer exists. It is best effort: what it cannot
// remove stays for the next write to try.
func removeStale(dir, base string) {
	names, err := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*.tmp"))
	if err != nil {
		return
	}
	for _, name := range names {
		rest := strings.TrimPrefix(filepath.Base(name), "."+base+".")
		pidText, _, ok := strings.Cut(rest, ".")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processExists(pid) {
			continue
		}
		os.Remove(name)
	}
}

// processExists tells whether a process with this id runs (or cannot be
// signalled by us, which also means it exists).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`)
	return r.Replace(s)
}
