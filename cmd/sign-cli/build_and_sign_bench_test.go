//go:build !lean

package main

import (
	"fmt"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// BenchmarkBuildAndSignLocked measures what --locked costs a Dockerfile
// build: build-and-sign of the same small Dockerfile on the same BuildKit
// daemon, without the cache (so the run step runs each time) and with
// the registry signature only, plain and locked to its SBOM.
func BenchmarkBuildAndSignLocked(b *testing.B) {
	d := buildkittest.Shared(b)
	d.BaseImage(b) // skips without the base image's files
	w := newWorld(b)
	_, keyPath := w.keyFile("signer.json")
	_, _, dir, buildArgs, sbomFile := lockedDockerfile(b, d, "bench")
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"plain", nil},
		{"locked", []string{"--sbom", sbomFile, "--locked"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				args := []string{"build-and-sign", "-q", "--addr", d.Addr, "--secret-file", keyPath, "--no-chain", "--no-cache",
					"-t", fmt.Sprintf("%s/bench/%s:%d", d.Registry.Host, bc.name, i)}
				args = append(append(append(args, buildArgs...), bc.args...), dir)
				if r := runCLI(b, w.env(), "", args...); r.code != 0 {
					b.Fatalf("build-and-sign: exit %d: %s", r.code, r.stderr)
				}
			}
		})
	}
}
