package image

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/gosh-sh/sign-cli/keys"
)

// Media types and annotation of cosign's signature artifact.
const (
	// SimpleSigningMediaType is the media type of each signature layer,
	// whose blob is the payload.
	SimpleSigningMediaType types.MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// SignatureAnnotation holds the standard base64 of the signature on
	// each layer.
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
)

// maxPayloadSize bounds the payload blobs read from a registry; real ones are
// a few hundred bytes.
const maxPayloadSize = 1 << 20

var (
	// ErrNotVerified is wrapped by every verification that ran to the end
	// and found no valid signature: the answer is "no", not "could not tell".
	ErrNotVerified = errors.New("not verified")
	// ErrNoSignature: the image has no signature artifact at all. It wraps
	// ErrNotVerified.
	ErrNoSignature = fmt.Errorf("%w: no signatures found", ErrNotVerified)
)

// SignatureTag is the tag under which cosign stores the signatures of
// digest in repo: sha256-<hex>.sig.
func SignatureTag(repo name.Repository, digest v1.Hash) name.Tag {
	return repo.Tag(digest.Algorithm + "-" + digest.Hex + ".sig")
}

// signatureTag is the .sig tag of a resolved target, in
// Registry.SignatureRepository when that is set.
func (r *Registry) signatureTag(t Target) (name.Tag, error) {
	if !t.HasDigest() {
		return name.Tag{}, errors.New("digest not resolved")
	}
	repo, err := t.Repository()
	if err != nil {
		return name.Tag{}, err
	}
	if r != nil && r.SignatureRepository != "" {
		if repo, err = name.NewRepository(r.SignatureRepository); err != nil {
			return name.Tag{}, fmt.Errorf("%w: signature repository %q: %v", ErrInvalidTarget, r.SignatureRepository, err)
		}
	}
	if r.plainHTTPAllowed(repo.RegistryStr()) {
		if repo, err = name.NewRepository(repo.Name(), name.Insecure); err != nil {
			return name.Tag{}, err
		}
	}
	return SignatureTag(repo, t.Digest), nil
}

// SignResult says what WriteSignature did.
type SignResult struct {
	// Target is the signed image, with its digest.
	Target Target
	// Tag is where the signature artifact lives.
	Tag name.Tag
	// Payload is the signed simple-signing JSON; Signature its Ed25519
	// signature.
	Payload   []byte
	Signature []byte
	// AlreadyPresent is true when the same signature was there and nothing
	// was pushed.
	AlreadyPresent bool
	// Layers is the number of signatures in the artifact afterwards.
	Layers int
}

// WriteSignature signs the target's digest with key in cosign's format and
// stores the signature in the image's .sig artifact: nothing is pushed when
// the same signature (same payload, same key) is already there, and other
// signers' signatures are kept beside the new one. A target whose digest is
// not known yet is resolved first.
func (r *Registry) WriteSignature(ctx context.Context, t Target, key keys.Key, annotations map[string]string) (*SignResult, error) {
	if !key.Valid() {
		return nil, fmt.Errorf("writing signature: %w: no key", keys.ErrInvalidKey)
	}
	if _, err := t.Repository(); err != nil {
		return nil, fmt.Errorf("writing signature: %w", err)
	}
	if !t.HasDigest() {
		var err error
		if t, err = r.Resolve(ctx, t); err != nil {
			return nil, fmt.Errorf("writing signature: %w", err)
		}
	}
	tag, err := r.signatureTag(t)
	if err != nil {
		return nil, fmt.Errorf("writing signature: %w", err)
	}
	payload, err := NewPayload(t.Ref.Context(), t.Digest, annotations)
	if err != nil {
		return nil, fmt.Errorf("writing signature: %w", err)
	}
	sig, err := key.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("writing signature: %w", err)
	}
	res := &SignResult{Target: t, Tag: tag, Payload: payload, Signature: sig}

	opts, err := r.writeOptions(ctx, tag.Context())
	if err != nil {
		return nil, fmt.Errorf("writing signature: %w", classify(err))
	}
	pub := key.Public()
	read := func() (v1.Image, int, bool, error) {
		base, existing, err := fetchSignatures(ctx, tag, opts, payload)
		if err != nil && !errors.Is(err, ErrNoSignature) {
			return nil, 0, false, fmt.Errorf("reading %s: %w", tag, err)
		}
		return base, len(existing), hasSignature(existing, payload, pub), nil
	}
	add := mutate.Addendum{
		Layer:       static.NewLayer(payload, SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)},
		MediaType:   SimpleSigningMediaType,
	}
	res.AlreadyPresent, res.Layers, err = appendLayer(tag, opts, read, add)
	if err != nil {
		return nil, fmt.Errorf("writing signature: %w", err)
	}
	return res, nil
}

// appendLayer adds a layer to the cosign artifact at tag, beside the layers
// of other signers, unless read finds it there already. read returns the
// artifact (nil when there is none), its number of layers and whether the
// layer is present. Another signer may push between our read and our write,
// and the tag then holds only one of the two artifacts: reading back after
// the push catches that, and appending again repairs it. already is true
// when nothing was pushed.
func appendLayer(tag name.Tag, opts []remote.Option, read func() (v1.Image, int, bool, error), add mutate.Addendum) (already bool, layers int, err error) {
	for attempt := 0; ; attempt++ {
		base, n, present, err := read()
		if err != nil {
			return false, 0, err
		}
		if present {
			return attempt == 0, n, nil
		}
		if attempt == maxSignAttempts || (attempt > 0 && n == 0) {
			// Pushed and lost too often, or our push is not visible at all.
			break
		}
		if base == nil {
			base = empty.Image
		}
		img, err := mutate.Append(base, add)
		if err != nil {
			return false, 0, err
		}
		img = mutate.ConfigMediaType(mutate.MediaType(img, types.OCIManifestSchema1), types.OCIConfigJSON)
		if err := remote.Write(tag, img, opts...); err != nil {
			return false, 0, fmt.Errorf("pushing %s: %w", tag, classify(err))
		}
	}
	return false, 0, fmt.Errorf("%w: the layer pushed to %s did not stay there (other signers writing at the same time?)", ErrRegistry, tag)
}

// maxSignAttempts bounds how often WriteSignature pushes when concurrent
// signers keep replacing the artifact.
const maxSignAttempts = 4

// hasSignature reports whether layers hold this payload signed by pub.
func hasSignature(layers []sigLayer, payload []byte, pub keys.PublicKey) bool {
	for _, l := range layers {
		if l.err == nil && bytes.Equal(l.payload, payload) && pub.Verify(payload, l.signature) {
			return true
		}
	}
	return false
}

// sigLayer is one signature read from a .sig artifact.
type sigLayer struct {
	payload   []byte
	signature []byte
	err       error // why the layer cannot be a valid signature at all
}

// fetchSignatures reads the signature artifact at tag and each of its
// layers. It returns ErrNoSignature when there is none.
func fetchSignatures(ctx context.Context, tag name.Tag, opts []remote.Option, known ...[]byte) (v1.Image, []sigLayer, error) {
	img, raw, err := fetchArtifact(ctx, tag, opts, maxPayloadSize, func(d v1.Descriptor) error {
		if d.MediaType != SimpleSigningMediaType {
			return fmt.Errorf("media type %s is not a simple-signing signature", d.MediaType)
		}
		if _, ok := d.Annotations[SignatureAnnotation]; !ok {
			return fmt.Errorf("no %s annotation", SignatureAnnotation)
		}
		return nil
	}, known...)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrNoSignature
	}
	if err != nil {
		return nil, nil, err
	}
	layers := make([]sigLayer, len(raw))
	for i, l := range raw {
		layers[i] = sigLayer{payload: l.blob, err: l.err}
		if l.err != nil {
			continue
		}
		b64 := l.desc.Annotations[SignatureAnnotation]
		if layers[i].signature, err = base64.StdEncoding.DecodeString(strings.TrimSpace(b64)); err != nil {
			layers[i].err = fmt.Errorf("signature annotation is not base64: %v", err)
		}
	}
	return img, layers, nil
}

// artifactLayer is one layer of a cosign artifact: its descriptor, and its
// blob unless err says why the layer cannot be what the caller looks for.
type artifactLayer struct {
	desc v1.Descriptor
	blob []byte
	err  error
}

// fetchArtifact reads the cosign artifact at tag (ErrNotFound when there is
// none) and the blob of each layer that accept takes and that is at most
// maxSize bytes. A layer whose digest is the SHA-256 of one of the known
// blobs is that blob (the digest names the content), so it is not fetched:
// checking a signature made as expected costs the manifest's round trip
// alone.
func fetchArtifact(ctx context.Context, tag name.Tag, opts []remote.Option, maxSize int64, accept func(v1.Descriptor) error, known ...[]byte) (v1.Image, []artifactLayer, error) {
	byDigest := map[v1.Hash][]byte{}
	for _, p := range known {
		h, _, err := v1.SHA256(bytes.NewReader(p))
		if err == nil {
			byDigest[h] = p
		}
	}
	img, err := remote.Image(tag, opts...)
	if err != nil {
		return nil, nil, classify(err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, nil, classify(err)
	}
	layers := make([]artifactLayer, len(m.Layers))
	for i, d := range m.Layers {
		if err := ctx.Err(); err != nil {
			return nil, nil, classify(err)
		}
		l := &layers[i]
		l.desc = d
		if l.err = accept(d); l.err != nil {
			continue
		}
		if d.Size > maxSize {
			l.err = fmt.Errorf("layer of %d bytes is larger than %d", d.Size, maxSize)
			continue
		}
		if p, ok := byDigest[d.Digest]; ok {
			l.blob = p
			continue
		}
		layer, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return nil, nil, classify(err)
		}
		rc, err := layer.Compressed()
		if err != nil {
			return nil, nil, classify(err)
		}
		l.blob, err = io.ReadAll(io.LimitReader(rc, maxSize+1))
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("reading layer %s: %w", d.Digest, classify(err))
		}
	}
	return img, layers, nil
}

// Verification is a signature that verified.
type Verification struct {
	// Target is the verified image.
	Target Target
	// Tag is the signature artifact, and Layer the index of the layer that
	// verified.
	Tag   name.Tag
	Layer int
	// Payload is the signed JSON, Signature its signature.
	Payload   []byte
	Signature []byte
	// Annotations are the payload's optional fields that are strings.
	Annotations map[string]string
}

// NotVerifiedError says why no layer of a signature artifact verified. It
// wraps ErrNotVerified.
type NotVerifiedError struct {
	Target Target
	// What was looked for: "signature" when empty, or "attestation".
	What string
	// Reasons has one entry per layer, in order.
	Reasons []string
}

func (e *NotVerifiedError) Error() string {
	what := e.What
	if what == "" {
		what = "signature"
	}
	return fmt.Sprintf("no %s verified with this key: %s", what, strings.Join(e.Reasons, "; "))
}

func (e *NotVerifiedError) Unwrap() error { return ErrNotVerified }

// VerifySignature looks for a signature of the target by pub in its .sig
// artifact, checking each layer as cosign does: the Ed25519 signature over
// the payload, that critical.image.docker-manifest-digest is the target's
// digest (a signature copied onto another image fails), and that the payload
// carries every given annotation. A target whose digest is not known yet is
// resolved first.
//
// The error wraps ErrNotVerified (ErrNoSignature, *NotVerifiedError) when
// the registry answered and no signature matched, or a registry error
// (ErrNotFound for the image itself, ErrUnauthorized, ErrRegistry) when it
// could not be checked.
func (r *Registry) VerifySignature(ctx context.Context, t Target, pub keys.PublicKey, annotations map[string]string) (*Verification, error) {
	return r.verify(ctx, t, pub, annotations)
}

func (r *Registry) verify(ctx context.Context, t Target, pub keys.PublicKey, annotations map[string]string) (*Verification, error) {
	if _, err := t.Repository(); err != nil {
		return nil, fmt.Errorf("verifying signature: %w", err)
	}
	if pub.IsZero() {
		return nil, fmt.Errorf("verifying signature: %w: no public key", keys.ErrInvalidKey)
	}
	if !t.HasDigest() {
		var err error
		if t, err = r.resolveWith(ctx, t); err != nil {
			return nil, fmt.Errorf("verifying signature: %w", err)
		}
	}
	tag, err := r.signatureTag(t)
	if err != nil {
		return nil, fmt.Errorf("verifying signature: %w", err)
	}
	opts, err := r.readOptions(ctx, tag.Context())
	if err != nil {
		return nil, fmt.Errorf("verifying signature: reading %s: %w", tag, classify(err))
	}
	// The payload this image's signature would have when made as sign-cli
	// and cosign make it: when a layer names its digest, the payload need
	// not be fetched.
	var known [][]byte
	if t.Ref != nil {
		if p, err := NewPayload(t.Ref.Context(), t.Digest, annotations); err == nil {
			known = append(known, p)
		}
	}
	_, layers, err := fetchSignatures(ctx, tag, opts, known...)
	if err != nil {
		if errors.Is(err, ErrNoSignature) {
			return nil, fmt.Errorf("%w (%s)", err, tag)
		}
		return nil, fmt.Errorf("verifying signature: reading %s: %w", tag, err)
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("%w (%s has no layers)", ErrNoSignature, tag)
	}
	nv := &NotVerifiedError{Target: t}
	for i, l := range layers {
		reason := func() error {
			if l.err != nil {
				return l.err
			}
			if !pub.Verify(l.payload, l.signature) {
				return errors.New("signature does not match the key")
			}
			p, err := ParsePayload(l.payload)
			if err != nil {
				return err
			}
			return p.checkClaims(t.Digest, annotations)
		}()
		if reason != nil {
			nv.Reasons = append(nv.Reasons, fmt.Sprintf("layer %d: %v", i, reason))
			continue
		}
		p, _ := ParsePayload(l.payload)
		v := &Verification{Target: t, Tag: tag, Layer: i, Payload: l.payload, Signature: l.signature}
		for k, val := range p.Optional {
			if s, ok := val.(string); ok {
				if v.Annotations == nil {
					v.Annotations = map[string]string{}
				}
				v.Annotations[k] = s
			}
		}
		return v, nil
	}
	return nil, nv
}

// VerifyRequest is one target of VerifyAll, with the key and annotations it
// must be signed with.
type VerifyRequest struct {
	Target      Target
	Public      keys.PublicKey
	Annotations map[string]string
}

// VerifyResult is the outcome of one VerifyRequest: Verification when it
// verified, Err otherwise (see VerifySignature for its kinds).
type VerifyResult struct {
	Request      VerifyRequest
	Verification *Verification
	Err          error
}

// DefaultParallelism bounds the registry look-ups of VerifyAll when the
// caller gives no bound.
const DefaultParallelism = 8

// VerifyAll verifies many targets with at most parallelism registry look-ups
// at a time (DefaultParallelism when parallelism < 1), sharing connections
// and tokens between them. Results are in the order of reqs.
func (r *Registry) VerifyAll(ctx context.Context, reqs []VerifyRequest, parallelism int) []VerifyResult {
	if parallelism < 1 {
		parallelism = DefaultParallelism
	}
	results := make([]VerifyResult, len(reqs))
	var g errgroup.Group
	g.SetLimit(parallelism)
	for i, q := range reqs {
		results[i].Request = q
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				results[i].Err = fmt.Errorf("verifying signature: %w", classify(err))
				return nil
			}
			results[i].Verification, results[i].Err = r.verify(ctx, q.Target, q.Public, q.Annotations)
			return nil
		})
	}
	g.Wait()
	return results
}
