package image

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/gosh-sh/sign-cli/keys"
)

// TestCosignVerifiesOurAttestations runs `cosign verify-attestation --key
// --type spdxjson` on attestations this package wrote: it must accept them
// with either signer's key, and reject another key, an attestation copied
// onto another image, another predicate type and an image without any.
func TestCosignVerifiesOurAttestations(t *testing.T) {
	cosign := findCosign(t)
	ctx := t.Context()
	reg := newTestRegistry(t)
	attested := reg.pushImage(t, "peer/app:v1", nil)
	other := reg.pushImage(t, "peer/app:other", nil)
	bare := reg.pushImage(t, "peer/app:bare", nil)
	r := fastRegistry()
	alice, bob, carol := mustKey(t, 'a'), mustKey(t, 'b'), mustKey(t, 'c')
	for _, k := range []keys.Key{alice, bob} {
		if _, err := r.WriteAttestation(ctx, reg.target(t, "peer/app:v1"), k, SPDXPredicateType, []byte(testSPDX)); err != nil {
			t.Fatal(err)
		}
	}
	repo, _ := name.NewRepository(reg.host + "/peer/app")
	copyArtifact(t, AttestationTag(repo, attested), AttestationTag(repo, other))
	keyFile := pemFiles(t)
	tests := []struct {
		name     string
		image    string
		key      keys.Key
		typ      string
		verified bool
		refusal  string // in cosign's error when not verified
	}{
		{"first signer", "peer/app@" + attested.String(), alice, "spdxjson", true, ""},
		{"second signer", "peer/app@" + attested.String(), bob, "spdxjson", true, ""},
		{"by tag", "peer/app:v1", alice, "spdxjson", true, ""},
		{"another key", "peer/app@" + attested.String(), carol, "spdxjson", false, "no matching attestations"},
		{"copied onto another image", "peer/app@" + other.String(), alice, "spdxjson", false, "no matching subject digest found"},
		{"another predicate type", "peer/app@" + attested.String(), alice, "cyclonedx", false, "none of the attestations matched the predicate type"},
		{"no attestations", "peer/app@" + bare.String(), alice, "spdxjson", false, "no matching attestations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"verify-attestation", "--key", keyFile(tt.key), "--type", tt.typ,
				"--insecure-ignore-tlog=true", "--allow-http-registry=true", reg.host + "/" + tt.image}
			stdout, stderr, err := runCosign(ctx, t, cosign, keyFile(tt.key), args)
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				t.Fatalf("running cosign: %v", err)
			}
			if got := err == nil; got != tt.verified {
				t.Fatalf("cosign verified=%v, want %v\nstdout: %s\nstderr: %s", got, tt.verified, stdout.String(), stderr.String())
			}
			if !tt.verified {
				// A refusal names what failed; a network or trust-root
				// failure would mean the test proved nothing.
				if !strings.Contains(stderr.String(), tt.refusal) {
					t.Fatalf("cosign exit code %d, stderr lacks %q: %s", exitErr.ExitCode(), tt.refusal, stderr.String())
				}
				return
			}
			// stdout: the verified envelope; its statement is about this
			// image and carries the SPDX document.
			var env Envelope
			if err := json.Unmarshal(stdout.Bytes(), &env); err != nil {
				t.Fatalf("cosign output %q: %v", stdout.String(), err)
			}
			b, err := base64.StdEncoding.DecodeString(env.Payload)
			if err != nil {
				t.Fatal(err)
			}
			var st Statement
			if err := json.Unmarshal(b, &st); err != nil {
				t.Fatal(err)
			}
			if err := checkStatement(&st, attested, SPDXPredicateType); err != nil {
				t.Error(err)
			}
		})
	}
}
