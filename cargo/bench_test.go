package cargo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/cargo/cargotest"
)

// benchCrates is a lock of 200 crates, each depending on the one before,
// served by a loopback registry.
func benchCrates(b *testing.B) (*cargotest.Registry, []cargo.Crate) {
	var made []cargotest.Crate
	var crates []cargo.Crate
	for i := range 200 {
		var deps []cargotest.Dep
		if i > 0 {
			deps = append(deps, cargotest.Dep{Name: made[i-1].Name, Version: made[i-1].Version})
		}
		c := cargotest.NewCrate(fmt.Sprintf("crate%03d", i), "1.0.0", deps...)
		made = append(made, c)
		crates = append(crates, c.Locked())
	}
	return cargotest.NewRegistry(b, made...), crates
}

// BenchmarkPrepare200 lays out 200 crates with an empty cache (every
// index file and crate fetched, checked and cached) and with a warm one
// (no request at all); compare the two in one run.
func BenchmarkPrepare200(b *testing.B) {
	reg, crates := benchCrates(b)
	registry := func() *cargo.Registry {
		r, err := cargo.NewRegistry(reg.URL, cargo.RegistryOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := &cargo.Preparer{Registry: registry(), Cache: &cargo.Cache{Dir: b.TempDir()}}
			if _, err := p.Prepare(context.Background(), crates, filepath.Join(b.TempDir(), "out")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		cache := &cargo.Cache{Dir: b.TempDir()}
		p := &cargo.Preparer{Registry: registry(), Cache: cache}
		if _, err := p.Prepare(context.Background(), crates, filepath.Join(b.TempDir(), "out")); err != nil {
			b.Fatal(err)
		}
		reg.Reset()
		for b.Loop() {
			res, err := p.Prepare(context.Background(), crates, filepath.Join(b.TempDir(), "out"))
			if err != nil {
				b.Fatal(err)
			}
			if res.Cached != len(crates) {
				b.Fatalf("warm run downloaded %d crates", res.Downloaded)
			}
		}
		if n := len(reg.Requests()); n != 0 {
			b.Fatalf("warm runs made %d requests", n)
		}
	})
}
