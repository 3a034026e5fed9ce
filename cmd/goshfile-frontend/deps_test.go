package main

import (
	"testing"

	"github.com/gosh-sh/sign-cli/internal/depcheck"
)

func TestNoTestOnlyDependencies(t *testing.T) {
	depcheck.AssertNoDependency(t, ".",
		"testing",
		"net/http/httptest",
		"github.com/gosh-sh/sign-cli/internal/depcheck",
		"github.com/gosh-sh/sign-cli/internal/buildkittest",
	)
}
