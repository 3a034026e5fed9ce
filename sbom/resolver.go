package sbom

import (
	"context"
	"fmt"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Resolver finds the image a reference names for one platform.
type Resolver interface {
	// Resolve returns the manifest of ref (a name with a tag, a digest or
	// both) for platform, and its config. For a multi-platform index it is
	// the platform's own manifest; Resolved.Index then is the index's.
	Resolve(ctx context.Context, ref reference.Named, platform ocispecs.Platform) (*Resolved, error)
}

// ManifestResolver is a Resolver that can also find the manifest a
// reference names without reading its config, which is all CheckTags
// needs; Resolved.Config is then nil.
type ManifestResolver interface {
	Resolver
	ResolveManifest(ctx context.Context, ref reference.Named, platform ocispecs.Platform) (*Resolved, error)
}

// Resolved is what a Resolver found.
type Resolved struct {
	// Manifest is the digest of the image manifest the build reads.
	Manifest digest.Digest
	// Index is the digest of the index the reference pointed to, when it
	// pointed to one.
	Index digest.Digest
	// Config is the image config, as stored.
	Config []byte
}

// recorder is the llb.ImageMetaResolver handed to the frontends: it asks
// the Resolver once per reference and platform, remembers the answers, and
// returns the platform manifest's digest, so that the LLB pins every image
// to exactly the manifest recorded.
type recorder struct {
	resolver Resolver
	platform ocispecs.Platform

	mu   sync.Mutex
	seen map[string]*resolution
}

// resolution is one image the build asked for.
type resolution struct {
	ref      reference.Named
	platform ocispecs.Platform
	once     sync.Once
	res      *Resolved
	err      error
}

func newRecorder(r Resolver, platform ocispecs.Platform) *recorder {
	return &recorder{resolver: r, platform: platform, seen: map[string]*resolution{}}
}

// ResolveImageConfig implements llb.ImageMetaResolver.
func (r *recorder) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", "", nil, invalidf("image %q: %v", ref, err)
	}
	named = reference.TagNameOnly(named)
	platform := r.platform
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	platform = platforms.Normalize(platform)
	key := named.String() + " " + platforms.FormatAll(platform)

	r.mu.Lock()
	res := r.seen[key]
	if res == nil {
		res = &resolution{ref: named, platform: platform}
		r.seen[key] = res
	}
	r.mu.Unlock()

	res.once.Do(func() {
		res.res, res.err = r.resolver.Resolve(ctx, named, platform)
		if res.err == nil && res.res.Manifest == "" {
			res.err = fmt.Errorf("%w: %s: the registry gave no digest", ErrResolve, named)
		}
	})
	if res.err != nil {
		return "", "", nil, res.err
	}
	return ref, res.res.Manifest, res.res.Config, nil
}

// lookup returns what was recorded for the image the LLB names as
// name[:tag]@manifest on platform.
func (r *recorder) lookup(name, tag string, manifest digest.Digest, platform ocispecs.Platform) *resolution {
	r.mu.Lock()
	defer r.mu.Unlock()
	want := platforms.FormatAll(platforms.Normalize(platform))
	var found *resolution
	for _, res := range r.seen {
		if res.err != nil || res.ref.Name() != name || res.res.Manifest != manifest || platforms.FormatAll(res.platform) != want {
			continue
		}
		if tag != "" && refTag(res.ref) != tag {
			continue
		}
		// Of several references to one manifest, the smallest wins, so
		// that map order never shows.
		if found == nil || res.ref.String() < found.ref.String() {
			found = res
		}
	}
	return found
}

// refTag is the tag of ref, or "".
func refTag(ref reference.Named) string {
	if t, ok := ref.(reference.Tagged); ok {
		return t.Tag()
	}
	return ""
}
