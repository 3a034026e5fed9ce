package signature_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

const testSBOM = `{"spdxVersion": "SPDX-2.3", "name": "app"}`

// TestSignAttestation: with an attestation, an image named twice gets two
// proofs (the image's and the statement's, each deployed and paid once),
// one signature and one attestation pushed; signing again repeats nothing;
// the checker verifies the attestation from both sources and refuses
// another key's.
func TestSignAttestation(t *testing.T) {
	w := newWorld(t)
	ref, digest := w.image("team/att", nil)
	byDigest := w.regHost + "/team/att@" + digest.String()
	key, other := newKey(t), newKey(t)
	s := &signature.Signer{Key: key, Registry: &image.Registry{}, Proofs: w.deployer(),
		Attest: &signature.Attestation{PredicateType: image.SPDXPredicateType, Predicate: []byte(testSBOM)}}
	out := s.Sign(t.Context(), targets(t, ref, byDigest))
	for _, o := range out {
		if o.Err != nil {
			t.Fatalf("%s: %v", o.Target, o.Err)
		}
		if o.StatementProof == nil || o.StatementRegistry == nil || o.StatementProof.Content != image.StatementDigest(o.Statement) {
			t.Fatalf("%s: %+v", o.Target, o)
		}
		if !strings.HasPrefix(o.StatementProof.Content, image.StatementDigestPrefix) || o.StatementProof.Address == o.Proof.Address {
			t.Fatalf("statement proof %+v beside the image's %+v", o.StatementProof, o.Proof)
		}
	}
	if d, p := w.deployments(); d != 2 || p != 2 {
		t.Errorf("%d deployments and %d payments, want 2 and 2", d, p)
	}
	again := s.Sign(t.Context(), targets(t, ref))[0]
	if again.Err != nil || !again.StatementProof.AlreadyDeployed || !again.StatementRegistry.AlreadyPresent {
		t.Fatalf("signing again: %+v", again)
	}
	if d, p := w.deployments(); d != 2 || p != 2 {
		t.Errorf("after signing again: %d deployments and %d payments", d, p)
	}

	ch := &signature.Checker{Registry: &image.Registry{}, Proofs: &proof.Deployer{Client: w.client()}, Attestation: image.SPDXPredicateType}
	for _, src := range []signature.Source{signature.SourceRegistry, signature.SourceAll} {
		ch.Source = src
		tg := targets(t, ref, ref)
		res := ch.Check(t.Context(), []signature.CheckRequest{{Target: tg[0], Public: key.Public()}, {Target: tg[1], Public: other.Public()}})
		if r := res[0]; r.Err != nil || !r.Verified || r.Attestation == nil || r.Attestation.Verification == nil || (src&signature.SourceChain != 0) != (r.Attestation.Chain != nil) {
			t.Errorf("source %d: %+v", src, r)
		}
		if r := res[1]; !r.NotVerified() {
			t.Errorf("source %d, another key: %+v", src, r)
		}
	}

	// The chain alone cannot check an attestation: refused, and the
	// registry not read (a target by tag stays unresolved).
	ch.Source = signature.SourceChain
	for _, r := range ch.Check(t.Context(), []signature.CheckRequest{{Target: targets(t, ref)[0], Public: key.Public()}}) {
		if !errors.Is(r.Err, signature.ErrAttestationNeedsRegistry) || r.Verified || r.Attestation != nil || r.Target.HasDigest() {
			t.Errorf("source chain: %+v", r)
		}
	}

	// Only the image signed, not attested: the attestation is missing.
	plain, _ := w.image("team/plain", nil)
	if o := (&signature.Signer{Key: key, Registry: &image.Registry{}, Proofs: w.deployer()}).Sign(t.Context(), targets(t, plain))[0]; o.Err != nil {
		t.Fatal(o.Err)
	}
	ch.Source = signature.SourceAll
	if r := ch.Check(t.Context(), []signature.CheckRequest{{Target: targets(t, plain)[0], Public: key.Public()}})[0]; !r.NotVerified() {
		t.Errorf("an image without an attestation: %+v", r)
	}
}
