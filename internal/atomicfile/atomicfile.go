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
)

// Write stores data at path with the given mode, through a temporary file
// in the same directory that is synced and then renamed (or linked) into
// place. Unless overwrite is set, an existing path is left alone and the
// error wraps fs.ErrExist.
func Write(path string, data []byte, mode fs.FileMode, overwrite bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
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
