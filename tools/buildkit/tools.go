//go:build tools

// Package tools pins the BuildKit daemon and client, and crane, that the
// end-to-end build tests run. It is a module of its own so that the
// daemon's dependencies never enter sign-cli's go.mod; `make buildkit-tools`
// builds the binaries into .tools/bin.
package tools

import (
	_ "github.com/google/go-containerregistry/cmd/crane"
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
)
