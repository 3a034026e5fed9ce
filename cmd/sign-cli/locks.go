package main

import (
	"context"
	"path/filepath"

	"github.com/gosh-sh/sign-cli/internal/runlock"
	"github.com/gosh-sh/sign-cli/proof"
)

// proofLocks are the locks by which sign-cli runs on this machine take
// turns at funding and deploying a proof, kept in the user's cache
// directory ($XDG_CACHE_HOME/sign-cli/locks, else ~/.cache/sign-cli/locks).
// Without a cache directory runs do not coordinate, as on two machines.
func (a *App) proofLocks() proof.Locks {
	base := a.cacheDir()
	if base == "" {
		return nil
	}
	dir := runlock.Dir(filepath.Join(base, "sign-cli", "locks"))
	return func(ctx context.Context, name string, waiting func()) (proof.Lock, error) {
		return dir.Acquire(ctx, name, waiting)
	}
}

// cacheDir is the user's cache directory, $XDG_CACHE_HOME or ~/.cache;
// empty when there is none.
func (a *App) cacheDir() string {
	base := a.Getenv("XDG_CACHE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home := a.Getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return base
}
