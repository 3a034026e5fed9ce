//go:build !lean

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/cargo/cargotest"
	"github.com/gosh-sh/sign-cli/keys"
)

// TestSBOMCargo records a context's Cargo.lock in its SBOM, verifies it,
// and holds a locked build's Cargo.lock to the SBOM: a Cargo.lock that
// differs is exit code 1 with the difference, before anything is built.
func TestSBOMCargo(t *testing.T) {
	leaf := cargotest.NewCrate("leaf", "1.0.0")
	other := cargotest.NewCrate("leaf", "1.0.1")
	mid := cargotest.NewCrate("mid", "0.3.1", cargotest.Dep{Name: "leaf", Version: "1.0.0"})
	crates := cargotest.NewRegistry(t, leaf, other, mid)
	lock := cargotest.Lock(3, "app", []cargotest.Dep{{Name: "mid", Version: "0.3.1"}}, leaf, mid)
	w := newSBOMWorld(t, map[string]string{
		"goshfile.yaml": "apiVersion: 1\nimage: REG/base:1\n",
		"Cargo.lock":    lock,
	})
	w.push(t, "base:1")
	writeLock := func(text string) {
		if err := os.WriteFile(filepath.Join(w.dir, "Cargo.lock"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "sbom.spdx.json")
	reg := []string{"--cargo-registry", crates.URL}
	if r := runCLI(t, nil, "", append([]string{"sbom", "generate", "-o", out}, append(reg, w.dir)...)...); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	doc, _ := os.ReadFile(out)
	for _, frag := range []string{`"referenceLocator": "pkg:cargo/leaf@1.0.0"`, `"referenceLocator": "pkg:cargo/mid@0.3.1"`, leaf.Checksum, `"relationshipType": "DEPENDS_ON"`, `"comment": "cargo-lock=Cargo.lock"`, "/api/v1/crates/mid/0.3.1/download"} {
		if !strings.Contains(string(doc), frag) {
			t.Errorf("the SBOM lacks %s", frag)
		}
	}
	if strings.Contains(string(doc), "leaf@1.0.1") {
		t.Error("the SBOM records a crate Cargo.lock does not name")
	}
	verify := func() result {
		return runCLI(t, nil, "", append([]string{"sbom", "verify", "--sbom", out}, append(reg, w.dir)...)...)
	}
	if r := verify(); r.code != 0 || r.stdout != "" {
		t.Fatalf("verify, nothing changed: %+v", r)
	}
	locked := func() result {
		return runCLI(t, nil, "", "build-and-sign", "--sbom", out, "--locked", "--addr", "tcp://127.0.0.1:1", "-t", w.host+"/app:1", w.dir)
	}

	// Another version of leaf: both verify and the locked build say so.
	mid2 := cargotest.NewCrate("mid", "0.3.1", cargotest.Dep{Name: "leaf", Version: "1.0.1"})
	writeLock(cargotest.Lock(3, "app", []cargotest.Dep{{Name: "mid", Version: "0.3.1"}}, other, mid2))
	want := "~ pkg:cargo/mid@0.3.1 (DEPENDS_ON): sha256:" + mid.Checksum + " -> sha256:" + mid2.Checksum + "\n" +
		"- pkg:cargo/leaf@1.0.0 sha256:" + leaf.Checksum + "\n" +
		"- pkg:cargo/mid@0.3.1 DEPENDS_ON pkg:cargo/leaf@1.0.0\n" +
		"+ pkg:cargo/leaf@1.0.1 sha256:" + other.Checksum + "\n" +
		"+ pkg:cargo/mid@0.3.1 DEPENDS_ON pkg:cargo/leaf@1.0.1\n"
	if r := verify(); r.code != exitNotVerified || r.stdout != want {
		t.Errorf("verify after an update: code %d, stdout\n%s\nwant\n%s", r.code, r.stdout, want)
	}
	if r := locked(); r.code != exitNotVerified || r.stdout != want {
		t.Errorf("locked build after an update: code %d, stdout\n%s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	// The same Cargo.lock passes the check (and the build then fails on
	// something else: there is no daemon).
	writeLock(lock)
	if r := locked(); r.code == exitNotVerified || strings.Contains(r.stderr, "Cargo.lock") {
		t.Errorf("locked build with the SBOM's Cargo.lock: %+v", r)
	}

	// Bad input, one line each.
	writeLock(lock + "\n[[package]]\nname = \"gitdep\"\nversion = \"0.1.0\"\nsource = \"git+https://example.com/gitdep.git#0123456789abcdef\"\n")
	verify().wantError(t, exitUsage, "Cargo.lock: gitdep 0.1.0 is a git dependency")
	locked().wantError(t, exitUsage, "Cargo.lock: gitdep 0.1.0 is a git dependency")
	os.Remove(filepath.Join(w.dir, "Cargo.lock"))
	locked().wantError(t, exitUsage, "the SBOM pins 2 crates and the build context has no Cargo.lock")
	elsewhere := filepath.Join(t.TempDir(), "Other.lock")
	os.WriteFile(elsewhere, []byte(lock), 0o644)
	if r := runCLI(t, nil, "", append([]string{"sbom", "verify", "--sbom", out, "--cargo-lock", elsewhere}, append(reg, w.dir)...)...); r.code != 0 {
		t.Errorf("verify --cargo-lock: %+v", r)
	}
	runCLI(t, nil, "", "sbom", "generate", "--cargo-lock", elsewhere, "--cargo-registry", "http://crates.example.com/", w.dir).
		wantError(t, exitUsage, "--cargo-registry", "plain HTTP is used only on loopback")
	runCLI(t, nil, "", "sbom", "generate", "--cargo-lock", elsewhere, "--cargo-registry", "http://127.0.0.1:1/", w.dir).
		wantError(t, exitFailure, "127.0.0.1:1/config.json")
	runCLI(t, nil, "", "sbom", "generate", "--cargo-lock", filepath.Join(w.dir, "missing.lock"), w.dir).
		wantError(t, exitUsage, "missing.lock")
}

// TestBuildAndSignCargoRefusals: a goshfile whose steps mount the crates
// needs a Cargo.lock the crates can be prepared from, and crates that
// match it; each refusal comes before the daemon is asked for anything
// (there is none at --addr).
func TestBuildAndSignCargoRefusals(t *testing.T) {
	leaf := cargotest.NewCrate("leaf", "1.0.0")
	crates := cargotest.NewRegistry(t, leaf)
	tampered := slices.Clone(leaf.Data)
	tampered[10] ^= 1
	crates.Override(cargotest.DownloadPath(leaf), http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.Write(tampered) }))
	k, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(t.TempDir(), "signer.json")
	if err := keys.WriteKeyFile(keyPath, k, false); err != nil {
		t.Fatal(err)
	}
	goshfile := "apiVersion: 1\nimage: scratch\nsteps:\n  - cargo: true\n    run: {command: [cargo, build]}\n"
	lock := cargotest.Lock(3, "app", []cargotest.Dep{{Name: "leaf", Version: "1.0.0"}}, leaf)
	git := lock + "\n[[package]]\nname = \"gitdep\"\nversion = \"0.1.0\"\nsource = \"git+https://example.com/gitdep.git#0123456789abcdef\"\n"
	tests := []struct {
		name      string
		lock      string
		code      int
		fragments []string
	}{
		{"no Cargo.lock", "", exitUsage, []string{"goshfile.yaml has steps with cargo: true and the build context has no Cargo.lock"}},
		{"a git dependency", git, exitUsage, []string{"Cargo.lock: not locked: gitdep 0.1.0 is a git dependency"}},
		{"a tampered crate", lock, exitFailure, []string{"preparing crates: crate leaf 1.0.0", leaf.Checksum, cargotest.Sum(tampered)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := buildContext(t, goshfile)
			if tt.lock != "" {
				os.WriteFile(filepath.Join(dir, "Cargo.lock"), []byte(tt.lock), 0o644)
			}
			env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
			r := runCLI(t, env, "", "build-and-sign", "--no-chain", "--secret-file", keyPath, "--addr", "tcp://127.0.0.1:1",
				"--cargo-registry", crates.URL, "-t", "127.0.0.1:1/app:1", dir)
			r.wantError(t, tt.code, tt.fragments...)
		})
	}
}
