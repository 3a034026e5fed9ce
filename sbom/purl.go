package sbom

import (
	"fmt"
	"sort"
	"strings"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// image is one package of the document: an image read for one platform.
type image struct {
	repository string // registry/path, as in repository_url
	tag        string
	manifest   digest.Digest
	index      digest.Digest
	platform   ocispecs.Platform
	base       bool
}

func newImage(s imageSource, rec *recorder) (image, error) {
	if s.manifest.Algorithm() != digest.SHA256 || s.manifest.Validate() != nil {
		return image{}, fmt.Errorf("%w: image %s: only sha256 manifest digests can be recorded", ErrResolve, s.ref)
	}
	im := image{
		repository: s.ref.Name(),
		tag:        refTag(s.ref),
		manifest:   s.manifest,
		platform:   s.platform,
		base:       s.base,
	}
	if r := rec.lookup(s.ref.Name(), im.tag, s.manifest, s.platform); r != nil {
		im.tag = refTag(r.ref)
		im.index = r.res.Index
	}
	return im, nil
}

// purl is the image's package URL in the purl specification's OCI form:
// pkg:oci/NAME@sha256%3AHEX?arch=...&repository_url=...&tag=..., with the
// qualifiers in the canonical (sorted) order.
func (im image) purl() string {
	return "pkg:oci/" + im.purlName() + "@" + string(im.manifest.Algorithm()) + "%3A" + im.manifest.Encoded() + "?" + im.qualifiers()
}

// key is the purl without its digest: what an image is, whatever it is
// pinned to.
func (im image) key() string {
	return "pkg:oci/" + im.purlName() + "?" + im.qualifiers()
}

// purlName is the last path component, lowercased, as the OCI purl type
// asks.
func (im image) purlName() string {
	name := im.repository
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToLower(name)
}

func (im image) qualifiers() string {
	q := map[string]string{
		"arch":           im.platform.Architecture,
		"repository_url": im.repository,
	}
	if im.tag != "" {
		q["tag"] = im.tag
	}
	if im.platform.OS != "" && im.platform.OS != "linux" {
		q["os"] = im.platform.OS
	}
	if im.platform.Variant != "" {
		q["variant"] = im.platform.Variant
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + escapeQualifier(q[k])
	}
	return strings.Join(parts, "&")
}

// escapeQualifier percent-encodes a qualifier value, keeping the
// characters of image names readable as the purl examples write them.
func escapeQualifier(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~/:", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// refName is the image's reference as a person writes it.
func (im image) refName() string {
	named, err := reference.ParseNormalizedNamed(im.repository)
	if err != nil {
		return im.repository
	}
	s := reference.FamiliarName(named)
	if im.tag != "" {
		s += ":" + im.tag
	}
	return s
}
