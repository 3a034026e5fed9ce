package image

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// ErrInvalidTarget is wrapped by errors about a target that is neither an
// image reference nor a digest.
var ErrInvalidTarget = errors.New("invalid target")

// Target is what gets signed or checked: an image reference, or a bare
// manifest digest. A tag reference learns its digest from Registry.Resolve;
// a digest reference and a bare digest know theirs from the start.
type Target struct {
	// Ref is the image reference, nil for a bare digest.
	Ref name.Reference
	// Digest is the manifest digest, zero until known.
	Digest v1.Hash
}

// ParseTarget reads a target: an image reference such as
// registry/repo:tag or repo@sha256:…, or a bare digest sha256:<64 hex>.
// References without a registry default to Docker Hub, as docker does.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("%w: empty; expected an image reference (registry/repo:tag, repo@sha256:…) or a digest (sha256:<64 hex>)", ErrInvalidTarget)
	}
	if algo, _, ok := strings.Cut(s, ":"); ok && isDigestAlgorithm(algo) {
		d, err := ParseDigest(s)
		if err != nil {
			return Target{}, err
		}
		return Target{Digest: d}, nil
	}
	if hexstr.IsLen(s, 64) {
		return Target{}, fmt.Errorf("%w: %q looks like a digest without its algorithm; write sha256:%s", ErrInvalidTarget, s, strings.ToLower(s))
	}
	ref, err := name.ParseReference(s)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %q is neither an image reference (registry/repo:tag, repo@sha256:…) nor a digest (sha256:<64 hex>): %v", ErrInvalidTarget, s, err)
	}
	if why := checkReferenceGrammar(s); why != "" {
		return Target{}, fmt.Errorf("%w: %q is not an image reference: %s", ErrInvalidTarget, s, why)
	}
	t := Target{Ref: ref}
	if d, ok := ref.(name.Digest); ok {
		h, err := ParseDigest(d.DigestStr())
		if err != nil {
			return Target{}, err
		}
		t.Digest = h
	}
	return t, nil
}

// isDigestAlgorithm reports whether s names a digest algorithm (OCI
// image-spec registers sha256 and sha512), so "sha512:…" gets a clear error
// instead of being read as a repository called sha512.
func isDigestAlgorithm(s string) bool {
	switch strings.ToLower(s) {
	case "sha256", "sha384", "sha512":
		return true
	}
	return false
}

// ParseDigest reads a manifest digest sha256:<64 hex>. Upper-case hex is
// accepted and written back in lower case.
func ParseDigest(s string) (v1.Hash, error) {
	s = strings.TrimSpace(s)
	algo, hexPart, ok := strings.Cut(s, ":")
	if !ok || strings.ToLower(algo) != "sha256" {
		return v1.Hash{}, fmt.Errorf("%w: %q: expected a digest sha256:<64 hex characters>", ErrInvalidTarget, s)
	}
	if !hexstr.IsLen(hexPart, 64) {
		return v1.Hash{}, fmt.Errorf("%w: %q: expected sha256: followed by 64 hex characters, got %s", ErrInvalidTarget, s, hexstr.Describe(hexPart))
	}
	return v1.Hash{Algorithm: "sha256", Hex: strings.ToLower(hexPart)}, nil
}

// HasDigest reports whether the target's manifest digest is known.
func (t Target) HasDigest() bool { return t.Digest.Hex != "" }

// String is the reference as given, followed by @digest once a tag has been
// resolved, or the bare digest.
func (t Target) String() string {
	switch {
	case t.Ref == nil:
		return t.Digest.String()
	case !t.HasDigest():
		return t.Ref.Name()
	}
	if _, ok := t.Ref.(name.Digest); ok {
		return t.Ref.Name()
	}
	return t.Ref.Name() + "@" + t.Digest.String()
}

// Repository is the repository the image lives in.
func (t Target) Repository() (name.Repository, error) {
	if t.Ref == nil {
		return name.Repository{}, fmt.Errorf("%w: %s is a bare digest with no registry; give an image reference (registry/repo@%s)", ErrInvalidTarget, t.Digest, t.Digest)
	}
	return t.Ref.Context(), nil
}

// DigestRef is repository@digest, the reference that names exactly the
// signed manifest.
func (t Target) DigestRef() (name.Digest, error) {
	repo, err := t.Repository()
	if err != nil {
		return name.Digest{}, err
	}
	if !t.HasDigest() {
		return name.Digest{}, fmt.Errorf("%s: digest not resolved yet", t.Ref)
	}
	return repo.Digest(t.Digest.String()), nil
}
