package sbom

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// TagCheckParallelism bounds the images CheckTags resolves at once, so
// that a large SBOM does not open a connection per image.
const TagCheckParallelism = 8

// taggedPin is an image the SBOM pins by a tag, for one platform.
type taggedPin struct {
	ref      reference.Named // REPOSITORY:TAG
	platform ocispecs.Platform
	pin      digest.Digest

	now  digest.Digest // what the tag names today
	gone bool          // the registry no longer has it
}

// TaggedImages counts the images CheckTags would resolve for plats (every
// platform when none is given).
func (l *Lock) TaggedImages(plats ...ocispecs.Platform) (int, error) {
	pins, err := l.taggedPins(plats)
	return len(pins), err
}

// CheckTags resolves again, through r (with ResolveManifest when r is a
// ManifestResolver: the config is not needed), every image l pins by a tag for
// one of plats (every platform when none is given), and compares what the
// tag names now with the pin. A tag that names another manifest is a
// Change to that manifest; a tag the registry no longer has (or that no
// longer has an image for the platform) is Removed. Images built from
// source, and images the build file names by digest alone, carry no tag and
// are not asked about; nor are those it names NAME:TAG@DIGEST when
// CheckDockerfile or CheckGoshfile saw it do so (the build reads the digest
// whatever the tag names, and sbom verify agrees). An empty Difference means the SBOM still says what its
// tags name; the caller decides what a stale SBOM means. A registry that
// fails, or answers with something that is not an image, is an error
// (ErrResolve for failures), never a verdict.
func (l *Lock) CheckTags(ctx context.Context, r Resolver, plats ...ocispecs.Platform) (*Difference, error) {
	pins, err := l.taggedPins(plats)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(TagCheckParallelism)
	for _, p := range pins {
		g.Go(func() error {
			resolve := r.Resolve
			if m, ok := r.(ManifestResolver); ok {
				resolve = m.ResolveManifest
			}
			res, err := resolve(gctx, p.ref, p.platform)
			switch {
			case errors.Is(err, ErrImageNotFound):
				p.gone = true
			case err != nil:
				return fmt.Errorf("resolving %s for %s: %w", p.ref, platforms.FormatAll(p.platform), err)
			case res == nil || res.Manifest.Validate() != nil:
				return fmt.Errorf("%w: resolving %s for %s: the registry gave no valid digest", ErrResolve, p.ref, platforms.FormatAll(p.platform))
			default:
				p.now = res.Manifest
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d := &Difference{}
	for _, e := range l.images {
		p, ok := pins[e.Key]
		switch {
		case !ok:
		case p.gone:
			d.Removed = append(d.Removed, e)
		case p.now != p.pin:
			d.Changed = append(d.Changed, Change{Key: e.Key, Relationship: e.Relationship, Old: e.Digest, New: p.now.String()})
		}
	}
	sortEntries(d.Removed)
	sortChanges(d.Changed)
	return d, nil
}

// taggedPins are the images l pins by a tag for plats, by Entry.Key.
func (l *Lock) taggedPins(plats []ocispecs.Platform) (map[string]*taggedPin, error) {
	var want []string
	for _, p := range plats {
		want = append(want, platforms.FormatAll(platforms.Normalize(p)))
	}
	out := map[string]*taggedPin{}
	for key, d := range l.pins {
		p, err := parseTaggedKey(key)
		if err != nil {
			return nil, err
		}
		if p == nil || l.digestOnly(key) || (len(want) > 0 && !slices.Contains(want, platforms.FormatAll(p.platform))) {
			continue
		}
		p.pin = d
		out[key] = p
	}
	return out, nil
}

// parseTaggedKey reads an image's reference and platform from its purl
// key; nil when the purl has no tag.
func parseTaggedKey(key string) (*taggedPin, error) {
	named, q, err := keyRepository(key)
	if err != nil {
		return nil, err
	}
	tag := q.Get("tag")
	if tag == "" {
		return nil, nil
	}
	tagged, err := reference.WithTag(reference.TrimNamed(named), tag)
	if err != nil {
		return nil, invalidf("package URL %s: tag: %v", key, err)
	}
	os := q.Get("os")
	if os == "" {
		os = "linux"
	}
	p := platforms.Normalize(ocispecs.Platform{OS: os, Architecture: q.Get("arch"), Variant: q.Get("variant")})
	return &taggedPin{ref: tagged, platform: p}, nil
}
