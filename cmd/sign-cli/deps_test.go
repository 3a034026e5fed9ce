package main

import (
	"slices"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/depcheck"
)

// testOnly are packages that exist for tests; the binary links none of them.
var testOnly = []string{
	"testing",
	"testing/fstest",
	"testing/iotest",
	"testing/quick",
	"testing/synctest",
	"github.com/gosh-sh/sign-cli/internal/depcheck",
	"github.com/gosh-sh/sign-cli/internal/buildkittest",
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest",
}

func TestNoTestOnlyDependencies(t *testing.T) {
	depcheck.AssertNoDependency(t, ".", testOnly...)

	// go-containerregistry's in-memory registry, which `devnet` serves,
	// imports net/http/httptest for its TLS helpers; nothing else may.
	allowed := []string{
		"github.com/google/go-containerregistry/pkg/registry",
		"github.com/google/go-containerregistry/internal/httptest",
	}
	g := depcheck.Load(t, ".")
	for _, p := range g.Importers("net/http/httptest") {
		if !slices.Contains(allowed, p) {
			t.Errorf("%s imports net/http/httptest", p)
		}
	}
}
