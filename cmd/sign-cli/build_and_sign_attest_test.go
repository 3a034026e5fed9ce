//go:build !lean

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// TestBuildAndSignAttest builds a goshfile locked to its SBOM with
// --attest on a real BuildKit daemon: the image pushed carries that SBOM as
// a verified attestation, on chain too, and building again attests
// nothing new.
func TestBuildAndSignAttest(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t) // skips without the base image's files
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()

	base := pushLockedBase(t, d, "attest/base:1", "pinned")
	dir := buildContext(t, lockedGoshfile(base))
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", sbomFile, dir); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	ref := d.Registry.Host + "/attest/app:1"
	build := func() signedSBOMLine {
		t.Helper()
		r := runCLI(t, w.env(), "", "build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref, "-o", "json", "--sbom", sbomFile, "--locked", "--attest", dir)
		if r.code != 0 {
			t.Fatalf("build-and-sign --attest: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
		}
		return decodeLines[signedSBOMLine](t, r.stdout)[0]
	}
	first := build()
	if first.SBOM == nil || first.SBOM.Proof == nil || first.SBOM.Attestation == "" {
		t.Fatalf("build-and-sign --attest attested nothing: %+v", first)
	}
	r := runCLI(t, w.env(), "", "check", "--attestation", "--source", "all", pub, first.Target)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "verified") {
		t.Fatalf("check --attestation: %+v", r)
	}
	want, err := os.ReadFile(sbomFile)
	if err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, w.env(), "", "sbom", "show", "--public", pub, "-o", "json", first.Target); r.code != 0 || !jsonEqual(t, r.stdout, string(want)) {
		t.Fatalf("sbom show: %+v", r)
	}
	if again := build(); again.Digest == first.Digest && (!again.SBOM.AlreadyPresent || !again.SBOM.Proof.AlreadyDeployed) {
		t.Errorf("the same image built again was attested again: %+v", again.SBOM)
	}
}
