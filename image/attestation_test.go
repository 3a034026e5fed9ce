package image

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const testSPDX = `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app"}`

// TestPAE checks the encoding against the example of the DSSE
// specification.
func TestPAE(t *testing.T) {
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

func TestStatementDigest(t *testing.T) {
	st := []byte(`{"_type":"x"}`)
	sum := sha256.Sum256(st)
	got := StatementDigest(st)
	if want := "in-toto:sha256:" + hex.EncodeToString(sum[:]); got != want {
		t.Errorf("StatementDigest = %q, want %q", got, want)
	}
	if strings.HasPrefix(got, "sha256:") {
		t.Errorf("%s can be read as an image digest", got)
	}
}

func TestWriteAttestation(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "team/app:v1", nil)
	r := fastRegistry()
	alice, bob := mustKey(t, 'a'), mustKey(t, 'b')

	res, err := r.WriteAttestation(ctx, reg.target(t, "team/app:v1"), alice, SPDXPredicateType, []byte(testSPDX))
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyPresent || res.Layers != 1 {
		t.Errorf("first write: AlreadyPresent=%v Layers=%d", res.AlreadyPresent, res.Layers)
	}
	if want := "sha256-" + digest.Hex + ".att"; res.Tag.TagStr() != want {
		t.Errorf("tag %s, want %s", res.Tag.TagStr(), want)
	}

	// The artifact is what cosign writes: one DSSE layer with the
	// predicate type annotation, the envelope signed over PAE.
	img, err := remote.Image(res.Tag)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != DSSEMediaType || m.Layers[0].Annotations[PredicateTypeAnnotation] != SPDXPredicateType {
		t.Fatalf("layers %+v", m.Layers)
	}
	var env Envelope
	if err := json.Unmarshal(res.Envelope, &env); err != nil {
		t.Fatal(err)
	}
	stmt, _ := base64.StdEncoding.DecodeString(env.Payload)
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	pub := alice.Public()
	if !ed25519.Verify(pub[:], PAE(InTotoPayloadType, stmt), sig) {
		t.Error("the envelope's signature is not pure Ed25519 over PAE")
	}
	var st Statement
	if err := json.Unmarshal(stmt, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type != StatementType || st.Subject[0].Digest["sha256"] != digest.Hex || st.Subject[0].Name != reg.host+"/team/app" {
		t.Errorf("statement %s", stmt)
	}

	// Again: nothing pushed.
	puts := reg.Count("PUT", "/manifests/")
	res, err = r.WriteAttestation(ctx, reg.target(t, "team/app:v1"), alice, SPDXPredicateType, []byte(testSPDX))
	if err != nil {
		t.Fatal(err)
	}
	if !res.AlreadyPresent || reg.Count("PUT", "/manifests/") != puts {
		t.Errorf("second write pushed: AlreadyPresent=%v", res.AlreadyPresent)
	}

	// Another signer's attestation goes beside the first.
	res, err = r.WriteAttestation(ctx, reg.target(t, "team/app@"+digest.String()), bob, SPDXPredicateType, []byte(testSPDX))
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyPresent || res.Layers != 2 {
		t.Errorf("second signer: AlreadyPresent=%v Layers=%d", res.AlreadyPresent, res.Layers)
	}
	for _, k := range []struct {
		name string
		pub  [32]byte
	}{{"alice", alice.Public()}, {"bob", bob.Public()}} {
		if _, err := r.VerifyAttestation(ctx, reg.target(t, "team/app:v1"), k.pub, SPDXPredicateType); err != nil {
			t.Errorf("%s: %v", k.name, err)
		}
	}
}

func TestWriteAttestationRefusesMalformedPredicate(t *testing.T) {
	reg := newTestRegistry(t)
	reg.pushImage(t, "team/app:v1", nil)
	_, err := fastRegistry().WriteAttestation(t.Context(), reg.target(t, "team/app:v1"), mustKey(t, 'a'), SPDXPredicateType, []byte(`{"spdxVersion":`))
	if !errors.Is(err, ErrInvalidPredicate) {
		t.Fatalf("err = %v, want ErrInvalidPredicate", err)
	}
	if n := reg.Count("PUT", "/manifests/"); n != 1 { // the image itself
		t.Errorf("%d manifests pushed", n)
	}
}

func TestVerifyAttestation(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	attested := reg.pushImage(t, "team/app:v1", nil)
	other := reg.pushImage(t, "team/app:other", nil)
	reg.pushImage(t, "team/app:bare", nil)
	reg.pushImage(t, "team/app:custom", nil)
	r := fastRegistry()
	alice, carol := mustKey(t, 'a'), mustKey(t, 'c')
	if _, err := r.WriteAttestation(ctx, reg.target(t, "team/app:v1"), alice, SPDXPredicateType, []byte(testSPDX)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.WriteAttestation(ctx, reg.target(t, "team/app:custom"), alice, "https://example.com/other", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	// The attestation copied onto another image.
	repo, _ := name.NewRepository(reg.host + "/team/app")
	copyArtifact(t, AttestationTag(repo, attested), AttestationTag(repo, other))

	tests := []struct {
		name    string
		ref     string
		key     [32]byte
		wantErr error
		reason  string
	}{
		{"verified", "team/app:v1", alice.Public(), nil, ""},
		{"another key", "team/app:v1", carol.Public(), ErrNotVerified, "signature does not match the key"},
		{"copied onto another image", "team/app:other", alice.Public(), ErrNotVerified, "attestation of another image"},
		{"no attestation", "team/app:bare", alice.Public(), ErrNoAttestation, "no attestations found"},
		{"another predicate type", "team/app:custom", alice.Public(), ErrNotVerified, "predicate type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := r.VerifyAttestation(ctx, reg.target(t, tt.ref), tt.key, SPDXPredicateType)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if string(v.Predicate) != testSPDX {
					t.Errorf("predicate %s", v.Predicate)
				}
				if v.Target.Digest != attested {
					t.Errorf("target %s", v.Target)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want %v with %q", err, tt.wantErr, tt.reason)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// TestVerifyAttestationRefusesForgedLayers: layers that are not what
// cosign writes, or that are signed but say something else, never verify,
// and each says why.
func TestVerifyAttestationRefusesForgedLayers(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "team/app:v1", nil)
	alice := mustKey(t, 'a')
	envelope := func(payloadType string, statement []byte, sign bool) []byte {
		env := Envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(statement), Signatures: []EnvelopeSignature{}}
		if sign {
			sig, err := alice.Sign(PAE(payloadType, statement))
			if err != nil {
				t.Fatal(err)
			}
			env.Signatures = append(env.Signatures, EnvelopeSignature{Sig: base64.StdEncoding.EncodeToString(sig)})
		}
		b, _ := json.Marshal(env)
		return b
	}
	statement := func(typ, predicateType string, subject map[string]string) []byte {
		b, _ := json.Marshal(Statement{Type: typ, Subject: []Subject{{Name: "x", Digest: subject}}, PredicateType: predicateType, Predicate: json.RawMessage(testSPDX)})
		return b
	}
	good := map[string]string{"sha256": digest.Hex}
	tests := []struct {
		name      string
		mediaType types.MediaType
		blob      []byte
		reason    string
	}{
		{"simple-signing layer", SimpleSigningMediaType, []byte(`{}`), "not a DSSE envelope"},
		{"not JSON", DSSEMediaType, []byte(`{`), "not a DSSE envelope"},
		{"another payload type", DSSEMediaType, envelope("text/plain", statement(StatementType, SPDXPredicateType, good), true), "envelope payload type"},
		{"payload not base64", DSSEMediaType, []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[]}`), "not base64"},
		{"unsigned", DSSEMediaType, envelope(InTotoPayloadType, statement(StatementType, SPDXPredicateType, good), false), "no signatures"},
		{"not a statement", DSSEMediaType, envelope(InTotoPayloadType, []byte(`[1]`), true), "not an in-toto statement"},
		{"another statement type", DSSEMediaType, envelope(InTotoPayloadType, statement("https://example.com/x", SPDXPredicateType, good), true), "statement type"},
		{"another predicate type", DSSEMediaType, envelope(InTotoPayloadType, statement(StatementType, "https://cyclonedx.org/bom", good), true), "predicate type"},
		{"no sha256 subject", DSSEMediaType, envelope(InTotoPayloadType, statement(StatementType, SPDXPredicateType, map[string]string{"sha512": "00"}), true), "no subject digest"},
	}
	repo, _ := name.NewRepository(reg.host + "/team/app")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(tt.blob, tt.mediaType), MediaType: tt.mediaType})
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(AttestationTag(repo, digest), img); err != nil {
				t.Fatal(err)
			}
			_, err = fastRegistry().VerifyAttestation(ctx, reg.target(t, "team/app:v1"), alice.Public(), SPDXPredicateType)
			var nv *NotVerifiedError
			if !errors.As(err, &nv) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want not verified because %q", err, tt.reason)
			}
		})
	}
}
