package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/gosh-sh/sign-cli/keys"
)

// Media types, payload types and annotation of cosign's attestation
// artifact: a DSSE envelope per layer, whose payload is an in-toto statement.
const (
	// DSSEMediaType is the media type of each attestation layer, whose blob
	// is the DSSE envelope.
	DSSEMediaType types.MediaType = "application/vnd.dsse.envelope.v1+json"
	// InTotoPayloadType is the envelope's payloadType; cosign refuses any
	// other.
	InTotoPayloadType = "application/vnd.in-toto+json"
	// StatementType is the _type of an in-toto statement v1.
	StatementType = "https://in-toto.io/Statement/v1"
	// SPDXPredicateType is the predicate type of an SPDX document (cosign's
	// --type spdxjson).
	SPDXPredicateType = "https://spdx.dev/Document"
	// PredicateTypeAnnotation is the layer annotation in which cosign notes
	// the statement's predicate type, so that readers can pick layers
	// without opening them.
	PredicateTypeAnnotation = "predicateType"
)

// maxAttestationSize bounds the envelopes read from a registry: an SBOM of
// thousands of packages is a few megabytes.
const maxAttestationSize = 32 << 20

var (
	// ErrNoAttestation: the image has no attestation artifact at all. It
	// wraps ErrNotVerified.
	ErrNoAttestation = fmt.Errorf("%w: no attestations found", ErrNotVerified)
	// ErrInvalidPredicate: the predicate to attest is not a JSON document.
	ErrInvalidPredicate = errors.New("the predicate is not JSON")
)

// AttestationTag is the tag under which cosign stores the attestations of
// digest in repo: sha256-<hex>.att.
func AttestationTag(repo name.Repository, digest v1.Hash) name.Tag {
	return repo.Tag(digest.Algorithm + "-" + digest.Hex + ".att")
}

// attestationTag is the .att tag of a resolved target, beside its .sig tag.
func (r *Registry) attestationTag(t Target) (name.Tag, error) {
	sig, err := r.signatureTag(t)
	if err != nil {
		return name.Tag{}, err
	}
	return AttestationTag(sig.Context(), t.Digest), nil
}

// Statement is an in-toto statement v1 about one or more artifacts.
// Encoding it with encoding/json gives the bytes NewStatement signs.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject names an artifact by its digests (algorithm to hex).
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// NewStatement returns the statement that the image of repo with manifest
// digest has the predicate (a JSON document) of predicateType. The subject's
// name is the repository, as cosign writes it; verifiers match the digest.
func NewStatement(repo name.Repository, digest v1.Hash, predicateType string, predicate []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, predicate); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPredicate, err)
	}
	st := Statement{
		Type:          StatementType,
		Subject:       []Subject{{Name: repo.Name(), Digest: map[string]string{digest.Algorithm: digest.Hex}}},
		PredicateType: predicateType,
		Predicate:     compact.Bytes(),
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding the in-toto statement: %w", err)
	}
	return b, nil
}

// StatementDigest is the SHA-256 of a statement's bytes as signed, in the
// form a proof contract holds: in-toto:sha256:<hex>. The prefix keeps it
// apart from an image digest, so a proof of a statement never passes for a
// proof of an image and the other way round.
func StatementDigest(statement []byte) string {
	sum := sha256.Sum256(statement)
	return StatementDigestPrefix + hex.EncodeToString(sum[:])
}

// StatementDigestPrefix starts every StatementDigest.
const StatementDigestPrefix = "in-toto:sha256:"

// checkStatement reports why statement does not vouch for digest with
// predicateType, or nil when it does.
func checkStatement(st *Statement, digest v1.Hash, predicateType string) error {
	if st.Type != StatementType && st.Type != "https://in-toto.io/Statement/v0.1" {
		return fmt.Errorf("statement type is %q, expected %q", st.Type, StatementType)
	}
	if st.PredicateType != predicateType {
		return fmt.Errorf("predicate type is %q, expected %q", st.PredicateType, predicateType)
	}
	var claimed []string
	for _, s := range st.Subject {
		hex, ok := s.Digest[digest.Algorithm]
		if !ok {
			continue
		}
		if hex == digest.Hex {
			return nil
		}
		claimed = append(claimed, digest.Algorithm+":"+hex)
	}
	if len(claimed) == 0 {
		return errors.New("statement has no subject digest")
	}
	return fmt.Errorf("statement is about %s, not %s (attestation of another image)", strings.Join(claimed, ", "), digest)
}

// Envelope is a DSSE envelope: a payload of payloadType and its signatures
// over PAE(payloadType, payload).
type Envelope struct {
	PayloadType string              `json:"payloadType"`
	Payload     string              `json:"payload"` // standard base64
	Signatures  []EnvelopeSignature `json:"signatures"`
}

// EnvelopeSignature is one signature of an envelope; sign-cli leaves KeyID
// empty, as cosign does for keys without an identity.
type EnvelopeSignature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"` // standard base64
}

// PAE is DSSE's pre-authentication encoding, the bytes that are signed:
// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in decimal.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// signEnvelope wraps an in-toto statement in a DSSE envelope signed with key
// (pure Ed25519 over the PAE encoding).
func signEnvelope(statement []byte, key keys.Key) ([]byte, error) {
	sig, err := key.Sign(PAE(InTotoPayloadType, statement))
	if err != nil {
		return nil, err
	}
	env := Envelope{
		PayloadType: InTotoPayloadType,
		Payload:     base64.StdEncoding.EncodeToString(statement),
		Signatures:  []EnvelopeSignature{{Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
	return json.Marshal(env)
}

// openEnvelope decodes an envelope and returns its statement bytes when one
// of its signatures verifies with pub.
func openEnvelope(blob []byte, pub keys.PublicKey) ([]byte, error) {
	var env Envelope
	if err := json.Unmarshal(blob, &env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %v", err)
	}
	if env.PayloadType != InTotoPayloadType {
		return nil, fmt.Errorf("envelope payload type is %q, expected %q", env.PayloadType, InTotoPayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("envelope payload is not base64: %v", err)
	}
	pae := PAE(env.PayloadType, payload)
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err == nil && pub.Verify(pae, sig) {
			return payload, nil
		}
	}
	if len(env.Signatures) == 0 {
		return nil, errors.New("envelope has no signatures")
	}
	return nil, errors.New("signature does not match the key")
}

// AttestResult says what WriteAttestation did.
type AttestResult struct {
	// Target is the attested image, with its digest.
	Target Target
	// Tag is where the attestation artifact lives.
	Tag name.Tag
	// Statement is the signed in-toto statement, Envelope the layer's blob.
	Statement []byte
	Envelope  []byte
	// AlreadyPresent is true when the same statement signed by the same key
	// was there and nothing was pushed.
	AlreadyPresent bool
	// Layers is the number of attestations in the artifact afterwards.
	Layers int
}

// WriteAttestation signs an in-toto statement that the target has the
// predicate (JSON of predicateType) and stores it, in a DSSE envelope, in
// the image's .att artifact as cosign attest does: nothing is pushed when
// the same statement signed by the same key is there, and other signers'
// attestations are kept beside the new one. A target whose digest is not
// known yet is resolved first.
func (r *Registry) WriteAttestation(ctx context.Context, t Target, key keys.Key, predicateType string, predicate []byte) (*AttestResult, error) {
	if !key.Valid() {
		return nil, fmt.Errorf("writing attestation: %w: no key", keys.ErrInvalidKey)
	}
	if _, err := t.Repository(); err != nil {
		return nil, fmt.Errorf("writing attestation: %w", err)
	}
	if !t.HasDigest() {
		var err error
		if t, err = r.Resolve(ctx, t); err != nil {
			return nil, fmt.Errorf("writing attestation: %w", err)
		}
	}
	tag, err := r.attestationTag(t)
	if err != nil {
		return nil, fmt.Errorf("writing attestation: %w", err)
	}
	statement, err := NewStatement(t.Ref.Context(), t.Digest, predicateType, predicate)
	if err != nil {
		return nil, fmt.Errorf("writing attestation of %s: %w", t, err)
	}
	envelope, err := signEnvelope(statement, key)
	if err != nil {
		return nil, fmt.Errorf("writing attestation of %s: %w", t, err)
	}
	res := &AttestResult{Target: t, Tag: tag, Statement: statement, Envelope: envelope}
	opts, err := r.writeOptions(ctx, tag.Context())
	if err != nil {
		return nil, fmt.Errorf("writing attestation of %s: %w", t, classify(err))
	}
	pub := key.Public()
	read := func() (v1.Image, int, bool, error) {
		base, layers, err := fetchAttestations(ctx, tag, opts, envelope)
		if err != nil && !errors.Is(err, ErrNoAttestation) {
			return nil, 0, false, fmt.Errorf("reading %s: %w", tag, err)
		}
		for _, l := range layers {
			if l.err != nil {
				continue
			}
			if st, err := openEnvelope(l.blob, pub); err == nil && bytes.Equal(st, statement) {
				return base, len(layers), true, nil
			}
		}
		return base, len(layers), false, nil
	}
	add := mutate.Addendum{
		Layer: static.NewLayer(envelope, DSSEMediaType),
		// cosign writes an empty signature annotation on attestations (the
		// signature is inside the envelope) and reads the predicate type
		// from the layer.
		Annotations: map[string]string{SignatureAnnotation: "", PredicateTypeAnnotation: predicateType},
		MediaType:   DSSEMediaType,
	}
	res.AlreadyPresent, res.Layers, err = appendLayer(tag, opts, read, add)
	if err != nil {
		return nil, fmt.Errorf("writing attestation of %s: %w", t, err)
	}
	return res, nil
}

// fetchAttestations reads the attestation artifact at tag and its DSSE
// layers. It returns ErrNoAttestation when there is none.
func fetchAttestations(ctx context.Context, tag name.Tag, opts []remote.Option, known ...[]byte) (v1.Image, []artifactLayer, error) {
	img, layers, err := fetchArtifact(ctx, tag, opts, maxAttestationSize, func(d v1.Descriptor) error {
		if d.MediaType != DSSEMediaType {
			return fmt.Errorf("media type %s is not a DSSE envelope", d.MediaType)
		}
		return nil
	}, known...)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrNoAttestation
	}
	return img, layers, err
}

// AttestationVerification is an attestation that verified.
type AttestationVerification struct {
	// Target is the attested image.
	Target Target
	// Tag is the attestation artifact, and Layer the index of the layer
	// that verified.
	Tag   name.Tag
	Layer int
	// Statement is the signed in-toto statement as signed; Predicate its
	// predicate.
	Statement []byte
	Predicate json.RawMessage
}

// VerifyAttestation looks for an attestation of the target by pub with
// predicateType in its .att artifact, checking each layer as cosign
// verify-attestation does: the DSSE signature over the statement, that a
// subject's digest is the target's digest (an attestation copied onto
// another image fails), and the predicate type. A target whose digest is not
// known yet is resolved first.
//
// The error wraps ErrNotVerified (ErrNoAttestation, *NotVerifiedError) when
// the registry answered and no attestation matched, or a registry error
// when it could not be checked.
func (r *Registry) VerifyAttestation(ctx context.Context, t Target, pub keys.PublicKey, predicateType string) (*AttestationVerification, error) {
	if _, err := t.Repository(); err != nil {
		return nil, fmt.Errorf("verifying attestation: %w", err)
	}
	if pub.IsZero() {
		return nil, fmt.Errorf("verifying the attestation of %s: %w: no public key", t, keys.ErrInvalidKey)
	}
	if !t.HasDigest() {
		var err error
		if t, err = r.resolveWith(ctx, t); err != nil {
			return nil, fmt.Errorf("verifying attestation: %w", err)
		}
	}
	tag, err := r.attestationTag(t)
	if err != nil {
		return nil, fmt.Errorf("verifying attestation: %w", err)
	}
	opts, err := r.readOptions(ctx, tag.Context())
	if err != nil {
		return nil, fmt.Errorf("verifying the attestation of %s: reading %s: %w", t, tag, classify(err))
	}
	_, layers, err := fetchAttestations(ctx, tag, opts)
	if err != nil {
		if errors.Is(err, ErrNoAttestation) {
			return nil, fmt.Errorf("verifying the attestation of %s: %w (%s)", t, err, tag)
		}
		return nil, fmt.Errorf("verifying the attestation of %s: reading %s: %w", t, tag, err)
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("verifying the attestation of %s: %w (%s has no layers)", t, ErrNoAttestation, tag)
	}
	nv := &NotVerifiedError{Target: t, What: "attestation"}
	for i, l := range layers {
		var st Statement
		statement, reason := func() ([]byte, error) {
			if l.err != nil {
				return nil, l.err
			}
			if pt, ok := l.desc.Annotations[PredicateTypeAnnotation]; ok && pt != predicateType {
				return nil, fmt.Errorf("predicate type is %q, expected %q", pt, predicateType)
			}
			b, err := openEnvelope(l.blob, pub)
			if err != nil {
				return nil, err
			}
			if err := json.Unmarshal(b, &st); err != nil {
				return nil, fmt.Errorf("payload is not an in-toto statement: %v", err)
			}
			return b, checkStatement(&st, t.Digest, predicateType)
		}()
		if reason != nil {
			nv.Reasons = append(nv.Reasons, fmt.Sprintf("layer %d: %v", i, reason))
			continue
		}
		return &AttestationVerification{Target: t, Tag: tag, Layer: i, Statement: statement, Predicate: st.Predicate}, nil
	}
	return nil, nv
}
