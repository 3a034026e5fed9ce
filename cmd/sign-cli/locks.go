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
	base := a.Getenv("XDG_CACHE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home := a.Getenv("HOME")
		if home == "" {
			return nil
		}
		base = filepath.Join(home, ".cache")
	}
	dir := runlock.Dir(filepath.Join(base, "sign-cli", "locks"))
	return func(ctx context.Context, name string, waiting func()) (proof.Lock, error) {
		return dir.Acquire(ctx, name, waiting)
	}
}
