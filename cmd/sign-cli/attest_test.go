package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
)

// signedSBOMLine is a line of `sign -o json` with its attestation.
type signedSBOMLine struct {
	signedLine
	SBOM *attestedJSON `json:"sbom"`
}

// checkedSBOMLine is a line of `check -o json` with its attestation.
type checkedSBOMLine struct {
	Verified bool                    `json:"verified"`
	SBOM     *attestationVerdictJSON `json:"sbom"`
	ExitCode int                     `json:"exit_code"`
}

// sbomFile generates the SBOM of a Dockerfile built on base with sign-cli
// itself and returns its path.
func (w *world) sbomFile(base string) string {
	w.t.Helper()
	ctxDir := filepath.Join(w.dir, "build")
	if err := os.MkdirAll(ctxDir, 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM "+base+"\n"), 0o644); err != nil {
		w.t.Fatal(err)
	}
	out := filepath.Join(w.dir, "sbom.spdx.json")
	if r := runCLI(w.t, nil, "", "sbom", "generate", "--name", "app", "-o", out, "--force", ctxDir); r.code != 0 {
		w.t.Fatalf("sbom generate: %+v", r)
	}
	return out
}

func TestSignAttestAndCheck(t *testing.T) { inBothModes(t, testSignAttestAndCheck) }

func testSignAttestAndCheck(t *testing.T, w *world) {
	base, _ := w.image("team/base", nil)
	ref, digest := w.image("team/app", nil)
	sbomPath := w.sbomFile(base)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()

	r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--attest", sbomPath, "-o", "json", ref)
	if r.code != 0 {
		t.Fatalf("sign --attest: %+v", r)
	}
	got := decodeLines[signedSBOMLine](t, r.stdout)[0]
	a := got.SBOM
	if a == nil || !strings.HasPrefix(a.Statement, image.StatementDigestPrefix) || a.Proof == nil || a.Proof.Transaction == "" || a.AlreadyPresent || a.Attestations != 1 {
		t.Fatalf("sign --attest output %+v", a)
	}
	if len(a.Statement) > contract.MaxContentLen {
		t.Fatalf("statement content of %d bytes", len(a.Statement))
	}
	sp, _ := contract.NewProof(signer.Public().Ed25519(), a.Statement)
	if a.Proof.Address != sp.Address().String() || a.Proof.Address == got.Proof.Address {
		t.Fatalf("statement proof at %s, want %s apart from the image's %s", a.Proof.Address, sp.Address(), got.Proof.Address)
	}

	// Signing again pays, deploys and pushes nothing.
	pushes := w.pushes()
	bal := w.balance(w.chain.GiverAddress)
	r = runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--attest", sbomPath, "-o", "json", ref)
	again := decodeLines[signedSBOMLine](t, r.stdout)[0]
	if r.code != 0 || !again.SBOM.AlreadyPresent || !again.SBOM.Proof.AlreadyDeployed || !again.Proof.AlreadyDeployed {
		t.Fatalf("second sign --attest: %+v %+v", r, again.SBOM)
	}
	if w.pushes() != pushes {
		t.Fatalf("second sign pushed %d manifests", w.pushes()-pushes)
	}
	if b := w.balance(w.chain.GiverAddress); b.Cmp(bal) != 0 {
		t.Fatalf("second sign paid: wallet %s, then %s", bal, b)
	}
	if n := w.proofTransactions(sp.Address().String()); n != 1 {
		t.Fatalf("%d constructor transactions of the statement's proof, want 1", n)
	}

	for _, src := range []string{"registry", "all"} {
		t.Run("check/"+src, func(t *testing.T) {
			r := runCLI(t, w.env(), "", "check", "--attestation", "--source", src, "-o", "json", pub, ref)
			line := decodeLines[checkedSBOMLine](t, r.stdout)[0]
			if r.code != 0 || !line.Verified || line.SBOM == nil || !line.SBOM.Verified || line.SBOM.Statement != a.Statement {
				t.Fatalf("check --attestation: %+v %+v", r, line.SBOM)
			}
			if (src == "registry") != (line.SBOM.Chain == nil) {
				t.Fatalf("chain verdict %+v with --source %s", line.SBOM.Chain, src)
			}
		})
	}
	t.Run("sbom show", func(t *testing.T) {
		want, err := os.ReadFile(sbomPath)
		if err != nil {
			t.Fatal(err)
		}
		env := w.env()
		env["WALLET_PUBLIC"] = pub
		r := runCLI(t, env, "", "sbom", "show", "-o", "json", ref)
		if r.code != 0 || !jsonEqual(t, r.stdout, string(want)) {
			t.Fatalf("sbom show -o json: %+v", r)
		}
		r = runCLI(t, w.env(), "", "sbom", "show", "--public", pub, ref+"@"+digest.String())
		if r.code != 0 || !strings.Contains(r.stdout, base) || !strings.Contains(r.stdout, a.Statement) {
			t.Fatalf("sbom show: %+v", r)
		}
	})
}

// TestSignAttestOnlyRegistry: --no-chain attests in the registry only, and
// check --attestation --source all then finds the statement's proof
// missing on chain.
func TestSignAttestOnlyRegistry(t *testing.T) {
	w := newWorld(t)
	base, _ := w.image("team/base", nil)
	ref, _ := w.image("team/app", nil)
	sbomPath := w.sbomFile(base)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-chain", "--attest", sbomPath, ref); r.code != 0 || !strings.Contains(r.stdout, ".att") {
		t.Fatalf("sign --no-chain --attest: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "check", "--attestation", "--source", "registry", pub, ref); r.code != 0 {
		t.Fatalf("check --source registry: %+v", r)
	}
	// The image proof is deployed, the statement's is not.
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, ref); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	r := runCLI(t, w.env(), "", "check", "--attestation", "--source", "all", pub, ref)
	if r.code != exitNotVerified || !strings.HasPrefix(r.stdout, "NOT VERIFIED") || !strings.Contains(r.stdout, "sbom: ") {
		t.Fatalf("check --source all without the statement's proof: %+v", r)
	}
}

// TestAttestationRefusals: what must not verify, or must not be signed, and
// how each says so.
func TestAttestationRefusals(t *testing.T) {
	w := newWorld(t)
	base, _ := w.image("team/base", nil)
	ref, digest := w.image("team/app", nil)
	otherRef, otherDigest := w.image("team/other", nil)
	sbomPath := w.sbomFile(base)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--attest", sbomPath, ref, otherRef); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	// Move the first image's attestation onto the second.
	repo, _ := name.NewRepository(w.regHost + "/team/app")
	otherRepo, _ := name.NewRepository(w.regHost + "/team/other")
	att, err := remote.Image(image.AttestationTag(repo, digest))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(image.AttestationTag(otherRepo, otherDigest), att); err != nil {
		t.Fatal(err)
	}
	other, _ := keys.GenerateKey(nil)

	malformed := filepath.Join(w.dir, "bad.spdx.json")
	notSPDX := filepath.Join(w.dir, "notspdx.json")
	for path, content := range map[string]string{malformed: `{"spdxVersion": "SPDX-2.3", "packages": [`, notSPDX: `{"bomFormat": "CycloneDX"}`} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	bsDir := filepath.Join(w.dir, "bs")
	if err := os.MkdirAll(bsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bsDir, "goshfile.yaml"), []byte("image: scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string   // in standard output, when not empty
		stderr []string // in the one line of standard error, when not empty
	}{
		{"another key", []string{"check", "--attestation", "--source", "registry", other.Public().String(), ref}, exitNotVerified, "signature does not match the key", nil},
		{"copied onto another image", []string{"check", "--attestation", "--source", "registry", pub, otherRef}, exitNotVerified, "attestation of another image", nil},
		{"no attestation", []string{"check", "--attestation", "--source", "registry", pub, w.regHost + "/team/base:latest"}, exitNotVerified, "no attestations found", nil},
		{"check, --source chain", []string{"check", "--attestation", "--source", "chain", pub, ref}, exitUsage, "", []string{"--attestation with --source chain", "only its statement's digest", "--source all"}},
		{"check, --source chain by default", []string{"check", "--attestation", pub, ref}, exitUsage, "", []string{"--attestation with --source chain"}},
		{"sbom show, another key", []string{"sbom", "show", "--public", other.Public().String(), ref}, exitNotVerified, "", []string{"no attestation verified with this key"}},
		{"sbom show, copied", []string{"sbom", "show", "--public", pub, otherRef}, exitNotVerified, "", []string{"attestation of another image"}},
		{"sbom show, bare digest", []string{"sbom", "show", "--public", pub, digest.String()}, exitUsage, "", []string{"bare digest"}},
		{"sign, malformed SPDX", []string{"sign", "--secret-file", keyPath, "--attest", malformed, ref}, exitUsage, "", []string{"--attest", "bad.spdx.json"}},
		{"sign, not SPDX", []string{"sign", "--secret-file", keyPath, "--attest", notSPDX, ref}, exitUsage, "", []string{"--attest", "notspdx.json"}},
		{"sign, missing file", []string{"sign", "--secret-file", keyPath, "--attest", filepath.Join(w.dir, "none.json"), ref}, exitUsage, "", []string{"none.json"}},
		{"sign, bare digest", []string{"sign", "--secret-file", keyPath, "--no-chain", "--attest", sbomPath, digest.String()}, exitUsage, "", []string{"bare digest"}},
		{"sign, offline", []string{"sign", "--secret-file", keyPath, "--offline", "--message-out", filepath.Join(w.dir, "m.json"), "--attest", sbomPath, digest.String()}, exitUsage, "", []string{"--offline"}},
		{"build-and-sign without --sbom", []string{"build-and-sign", "--attest", "-t", w.regHost + "/team/x:1", bsDir}, exitUsage, "", []string{"--sbom FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pushes := w.pushes()
			r := runCLI(t, w.env(), "", tt.args...)
			if tt.stderr != nil {
				r.wantError(t, tt.code, tt.stderr...)
			} else if r.code != tt.code {
				t.Fatalf("exit code %d, want %d: %+v", r.code, tt.code, r)
			}
			if tt.stdout != "" && (!strings.HasPrefix(r.stdout, "NOT VERIFIED") || !strings.Contains(r.stdout, tt.stdout)) {
				t.Fatalf("stdout %q lacks %q", r.stdout, tt.stdout)
			}
			if w.pushes() != pushes {
				t.Fatal("something was pushed")
			}
		})
	}
}

// jsonEqual reports whether two texts are the same JSON value.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}
