package image

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CosignSignatureType is the critical.type of cosign's simple-signing
// payload.
const CosignSignatureType = "cosign container image signature"

// SimpleSigning is the "simple signing" payload that cosign signs. Encoding it
// with encoding/json gives the bytes cosign writes: fields in this order, no
// white space, HTML characters escaped, annotation keys sorted.
type SimpleSigning struct {
	Critical SimpleSigningCritical `json:"critical"`
	// Optional holds the annotations; cosign writes null when there are none.
	Optional map[string]any `json:"optional"`
}

// SimpleSigningCritical is the part of the payload every verifier checks.
type SimpleSigningCritical struct {
	Identity struct {
		DockerReference string `json:"docker-reference"`
	} `json:"identity"`
	Image struct {
		DockerManifestDigest string `json:"docker-manifest-digest"`
	} `json:"image"`
	Type string `json:"type"`
}

// NewPayload returns the payload bytes for an image of repo with manifest
// digest, and annotations (nil or empty gives "optional": null).
// docker-reference is the repository without tag or digest, as cosign writes
// it; verifiers do not check it, so a signature follows its digest anywhere.
func NewPayload(repo name.Repository, digest v1.Hash, annotations map[string]string) ([]byte, error) {
	var p SimpleSigning
	p.Critical.Identity.DockerReference = repo.Name()
	p.Critical.Image.DockerManifestDigest = digest.String()
	p.Critical.Type = CosignSignatureType
	if len(annotations) > 0 {
		p.Optional = make(map[string]any, len(annotations))
		for k, v := range annotations {
			p.Optional[k] = v
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the simple-signing payload: %w", err)
	}
	return b, nil
}

// ParsePayload decodes a simple-signing payload.
func ParsePayload(b []byte) (SimpleSigning, error) {
	var p SimpleSigning
	if err := json.Unmarshal(b, &p); err != nil {
		return SimpleSigning{}, fmt.Errorf("payload is not simple-signing JSON: %w", err)
	}
	return p, nil
}

// checkClaims reports why payload p does not vouch for digest with
// annotations, or nil when it does.
func (p SimpleSigning) checkClaims(digest v1.Hash, annotations map[string]string) error {
	if p.Critical.Type != CosignSignatureType {
		return fmt.Errorf("payload type is %q, expected %q", p.Critical.Type, CosignSignatureType)
	}
	if got := p.Critical.Image.DockerManifestDigest; got != digest.String() {
		if got == "" {
			return fmt.Errorf("payload has no digest claim")
		}
		return fmt.Errorf("payload claims digest %s, not %s (signature of another image)", got, digest)
	}
	keys := make([]string, 0, len(annotations))
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		got, ok := p.Optional[k]
		if !ok {
			return fmt.Errorf("annotation %q is missing", k)
		}
		if s, isString := got.(string); !isString || s != annotations[k] {
			return fmt.Errorf("annotation %q is %v, expected %q", k, got, annotations[k])
		}
	}
	return nil
}

// ParseAnnotations reads annotations written as key=value. The value may
// contain '=' and may be empty; the key may not. A key given twice is an
// error.
func ParseAnnotations(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("annotation %q: expected key=value", kv)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("annotation %q given more than once", k)
		}
		out[k] = v
	}
	return out, nil
}
