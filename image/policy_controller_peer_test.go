package image

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/gosh-sh/sign-cli/keys"
)

// findPolicyTester returns sigstore policy-controller's tester
// (cmd/tester of the version tools/policycontroller pins):
// $SIGN_CLI_POLICY_TESTER, .tools/bin/policy-tester or PATH; with CI set it
// is built from the Go module proxy (about four minutes on an empty cache).
func findPolicyTester(t *testing.T) string {
	t.Helper()
	const pkg = "github.com/sigstore/policy-controller/cmd/tester"
	return findPeerTool(t, peerTool{
		name: "policy-tester",
		env:  "SIGN_CLI_POLICY_TESTER",
		install: func(toolsBin string) string {
			return "cd tools/policycontroller && CGO_ENABLED=0 go build -o " + filepath.Join(toolsBin, "policy-tester") + " " + pkg
		},
		build: func(dir string) *exec.Cmd {
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "policy-tester"), pkg)
			cmd.Dir = filepath.Join("..", "tools", "policycontroller")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			return cmd
		},
	})
}

// clusterImagePolicy is a ClusterImagePolicy that admits an image signed
// by the key in pem, or with attest, one with an SPDX attestation by it.
func clusterImagePolicy(pem []byte, attest bool) string {
	var b strings.Builder
	b.WriteString("apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: sign-cli\nspec:\n  images:\n  - glob: \"**\"\n  authorities:\n  - name: signer\n    key:\n      data: |\n")
	for _, line := range strings.Split(strings.TrimSpace(string(pem)), "\n") {
		b.WriteString("        " + line + "\n")
	}
	if attest {
		b.WriteString("    attestations:\n    - name: sbom\n      predicateType: spdxjson\n")
	}
	return b.String()
}

// TestPolicyControllerAcceptsOurSignatures runs sigstore policy-controller's
// tester, with a ClusterImagePolicy holding the signer's public key, on
// images this package signed and attested in a registry on loopback: it
// admits them, and refuses another signer, a signature or attestation
// copied from another image, and an image with neither.
func TestPolicyControllerAcceptsOurSignatures(t *testing.T) {
	tester := findPolicyTester(t)
	ctx := t.Context()
	reg := newTestRegistry(t)
	signed := reg.pushImage(t, "peer/app:v1", nil)
	copied := reg.pushImage(t, "peer/app:copied", nil)
	bare := reg.pushImage(t, "peer/app:bare", nil)
	sigOnly := reg.pushImage(t, "peer/app:signature-only", nil)
	r := fastRegistry()
	alice, bob := mustKey(t, 'a'), mustKey(t, 'b')
	target := reg.target(t, "peer/app:v1")
	if _, err := r.WriteSignature(ctx, target, alice, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.WriteAttestation(ctx, target, alice, SPDXPredicateType, []byte(testSPDX)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.WriteSignature(ctx, reg.target(t, "peer/app:signature-only"), alice, nil); err != nil {
		t.Fatal(err)
	}
	repo, _ := name.NewRepository(reg.host + "/peer/app")
	copyArtifact(t, SignatureTag(repo, signed), SignatureTag(repo, copied))
	copyArtifact(t, AttestationTag(repo, signed), AttestationTag(repo, copied))

	dir := t.TempDir()
	policy := func(k keys.Key, attest bool) string {
		p := filepath.Join(dir, k.Public().String()[:8]+map[bool]string{false: "-sig", true: "-att"}[attest]+".yaml")
		if err := os.WriteFile(p, []byte(clusterImagePolicy(k.Public().PEM(), attest)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		image    string
		key      keys.Key
		attest   bool
		admitted bool
	}{
		{"signature", "peer/app@" + signed.String(), alice, false, true},
		{"signature by tag", "peer/app:v1", alice, false, true},
		{"attestation", "peer/app@" + signed.String(), alice, true, true},
		{"signature, another key", "peer/app@" + signed.String(), bob, false, false},
		{"attestation, another key", "peer/app@" + signed.String(), bob, true, false},
		{"signature copied from another image", "peer/app@" + copied.String(), alice, false, false},
		{"attestation copied from another image", "peer/app@" + copied.String(), alice, true, false},
		{"no signature", "peer/app@" + bare.String(), alice, false, false},
		{"no attestation", "peer/app@" + bare.String(), alice, true, false},
		{"a signature but no attestation", "peer/app@" + sigOnly.String(), alice, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(cctx, tester, "-policy", policy(tt.key, tt.attest), "-image", reg.host+"/"+tt.image)
			home := t.TempDir()
			cmd.Env = append(os.Environ(), "HOME="+home, "DOCKER_CONFIG="+filepath.Join(home, "docker"), "TUF_ROOT="+filepath.Join(home, "tuf"))
			out, err := cmd.Output()
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				t.Fatalf("running the tester: %v", err)
			}
			if admitted := err == nil; admitted != tt.admitted {
				t.Fatalf("admitted=%v, want %v\nstdout: %s\nstderr: %s", admitted, tt.admitted, out, stderrOf(err))
			}
			if tt.admitted {
				return
			}
			// A refusal is the tester's JSON verdict naming what failed; a
			// network or policy failure (log.Fatal) would prove nothing.
			var verdict struct{ Errors []string }
			if err := json.Unmarshal(out, &verdict); err != nil || len(verdict.Errors) == 0 {
				t.Fatalf("no verdict on stdout (%v): %s\nstderr: %s", err, out, stderrOf(err))
			}
			v := strings.Join(verdict.Errors, "; ")
			if !strings.Contains(v, "key validation failed for authority signer") {
				t.Fatalf("refused for another reason: %s", v)
			}
			t.Logf("refused: %s", v)
		})
	}
}

func stderrOf(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return string(exitErr.Stderr)
	}
	return ""
}
