package sbom

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spdx/tools-golang/spdx"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/goshfile"
)

// ErrNotLocked: a build reads an image its SBOM does not pin, or does
// something a locked build may not. It wraps ErrInvalid.
var ErrNotLocked = &wrapped{msg: "not locked by the SBOM", kind: ErrInvalid}

// Lock is an SBOM used as a lock file: the digest each image is pinned to.
type Lock struct {
	pins      map[string]digest.Digest // by Entry.Key
	images    []Entry                  // the pinned images, with their relationships
	platforms []string
	crates    []Entry // the crates and the dependencies between them
	// sources are the pinned images as BuildKit's image sources name
	// them, docker-image://REPOSITORY[:TAG]@DIGEST, sorted.
	sources []string

	// named records how Pin was asked for each image, by Entry.Key: the
	// build file's references, so that CheckTags leaves alone the images
	// it names by digest (NAME:TAG@DIGEST reads the digest whatever the
	// tag names).
	mu    sync.Mutex
	named map[string]refKinds
}

// refKinds are the ways a build file named one image.
type refKinds struct{ byTag, byDigest bool }

// noteRef records that key was asked for by ref.
func (l *Lock) noteRef(key string, ref reference.Named) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.named == nil {
		l.named = map[string]refKinds{}
	}
	k := l.named[key]
	if _, ok := ref.(reference.Canonical); ok {
		k.byDigest = true
	} else {
		k.byTag = true
	}
	l.named[key] = k
}

// digestOnly reports whether the build file named key only with a digest.
func (l *Lock) digestOnly(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.named[key]
	return k.byDigest && !k.byTag
}

// NewLock reads the pins of doc, a document Read accepts.
func NewLock(doc *spdx.Document) (*Lock, error) {
	es, err := entries(doc)
	if err != nil {
		return nil, err
	}
	plats, err := Platforms(doc)
	if err != nil {
		return nil, err
	}
	l := &Lock{pins: map[string]digest.Digest{}, platforms: plats}
	for _, e := range es {
		if isCrate(e) {
			l.crates = append(l.crates, e)
			continue
		}
		d := digest.Digest(e.Digest)
		if old, ok := l.pins[e.Key]; ok && old != d {
			return nil, invalidf("the SBOM pins %s to both %s and %s", e.Key, old, d)
		}
		l.pins[e.Key] = d
		if !slices.Contains(l.images, e) {
			l.images = append(l.images, e)
		}
		src, err := imageSourceID(e.Key, d)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(l.sources, src) {
			l.sources = append(l.sources, src)
		}
	}
	slices.Sort(l.sources)
	return l, nil
}

// imageSourceID is the identifier of the image source of the image whose
// purl key is key, pinned to d.
func imageSourceID(key string, d digest.Digest) (string, error) {
	named, q, err := keyRepository(key)
	if err != nil {
		return "", err
	}
	ref := named.Name()
	if tag := q.Get("tag"); tag != "" {
		ref += ":" + tag
	}
	return "docker-image://" + ref + "@" + d.String(), nil
}

// keyRepository reads the repository and the qualifiers of an image's purl
// key.
func keyRepository(key string) (reference.Named, url.Values, error) {
	_, query, _ := strings.Cut(key, "?")
	q, err := url.ParseQuery(query)
	if err != nil || q.Get("repository_url") == "" {
		return nil, nil, invalidf("package URL %s names no repository_url", key)
	}
	named, err := reference.ParseNormalizedNamed(q.Get("repository_url"))
	if err != nil {
		return nil, nil, invalidf("package URL %s: repository_url: %v", key, err)
	}
	return named, q, nil
}

// CheckPlatform refuses a platform the SBOM was not made for.
func (l *Lock) CheckPlatform(p ocispecs.Platform) error {
	want := platforms.FormatAll(platforms.Normalize(p))
	for _, got := range l.platforms {
		if got == want {
			return nil
		}
	}
	return fmt.Errorf("%w: it records %s, the build is for %s", ErrPlatformMismatch, strings.Join(l.platforms, ","), want)
}

// Pin returns the digest the SBOM pins ref to on platform.
func (l *Lock) Pin(ref string, platform ocispecs.Platform) (digest.Digest, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", invalidf("image %q: %v", ref, err)
	}
	named = reference.TagNameOnly(named)
	im := image{repository: named.Name(), tag: refTag(named), platform: platforms.Normalize(platform)}
	l.noteRef(im.key(), named)
	d, ok := l.pins[im.key()]
	if !ok {
		return "", fmt.Errorf("%w: image %s for %s", ErrNotLocked, reference.FamiliarString(named), platforms.FormatAll(im.platform))
	}
	if c, ok := named.(reference.Canonical); ok && c.Digest() != d {
		return "", fmt.Errorf("%w: image %s is written with a digest the SBOM does not pin (%s)", ErrNotLocked, ref, d)
	}
	return d, nil
}

// Resolver answers images from the SBOM: each reference is pinned to its
// digest and only then resolved through inner (for its config), and an
// answer with another digest is refused. An image the SBOM lacks is
// ErrNotLocked, without asking inner.
func (l *Lock) Resolver(inner llb.ImageMetaResolver) llb.ImageMetaResolver {
	return &lockedResolver{lock: l, inner: inner}
}

type lockedResolver struct {
	lock  *Lock
	inner llb.ImageMetaResolver
}

func (r *lockedResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	platform := DefaultPlatform
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	d, err := r.lock.Pin(ref, platform)
	if err != nil {
		return "", "", nil, err
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", "", nil, invalidf("image %q: %v", ref, err)
	}
	var base reference.Named = reference.TrimNamed(named)
	if t, ok := named.(reference.Tagged); ok {
		if base, err = reference.WithTag(base, t.Tag()); err != nil {
			return "", "", nil, invalidf("image %q: %v", ref, err)
		}
	}
	pinned, err := reference.WithDigest(base, d)
	if err != nil {
		return "", "", nil, invalidf("image %q: %v", ref, err)
	}
	_, got, config, err := r.inner.ResolveImageConfig(ctx, pinned.String(), opt)
	if err != nil {
		return "", "", nil, err
	}
	if got != "" && got != d {
		return "", "", nil, fmt.Errorf("%w: %s resolved to %s", ErrNotLocked, pinned, got)
	}
	return ref, d, config, nil
}

// CheckGoshfile lists what keeps f, read from filename, from being built
// locked to l for platform: a base image the SBOM does not pin, and cache
// mounts, whose content comes from earlier builds rather than the SBOM.
// Each problem names its line.
func (l *Lock) CheckGoshfile(f *goshfile.File, filename string, platform ocispecs.Platform) error {
	var errs []error
	at := func(pos goshfile.Position, format string, args ...any) {
		e := &goshfile.Error{Filename: filename, Pos: pos, Msg: fmt.Sprintf(format, args...)}
		errs = append(errs, &kindError{kind: ErrNotLocked, err: e})
	}
	if f.Image != "scratch" {
		if _, err := l.Pin(f.Image, platform); err != nil {
			if errors.Is(err, ErrNotLocked) {
				at(f.ImagePos, "image %s is not pinned for %s by the SBOM", f.Image, platforms.FormatAll(platforms.Normalize(platform)))
			} else {
				at(f.ImagePos, "%v", err)
			}
		}
	}
	for i, s := range f.Steps {
		if s.Run != nil && len(s.Run.Cache) > 0 {
			at(s.Pos, "step %d has cache mounts, which a locked build does not allow", i+1)
		}
	}
	return errors.Join(errs...)
}

// BuildLocals are the local directories a build reads, by BuildKit's
// names: its context, the directory of its Dockerfile or goshfile, and
// the crates prepared from the SBOM for run steps that mount them (their
// every file checked against the checksum the SBOM pins).
var BuildLocals = []string{goshfile.LocalContext, goshfile.LocalDockerfile, goshfile.LocalCargo}

// CheckDockerfile lists what keeps a Dockerfile from being built locked to
// l, before any daemon or registry is asked: it translates data with
// dockerbuild.Convert, every image answered from the SBOM alone (with a
// stand-in config) and run steps without a network by default, and audits
// the result (Audit, with BuildLocals). An image the SBOM does not pin
// is named at its Dockerfile line.
func (l *Lock) CheckDockerfile(ctx context.Context, data []byte, opt dockerbuild.ConvertOptions, audit AuditOptions) error {
	platform := DefaultPlatform
	if opt.Platform != nil {
		platform = platforms.Normalize(*opt.Platform)
	}
	opt.Platform = &platform
	opt.Resolver = lockStub{l}
	opt.NetworkNone = true
	def, err := dockerbuild.Convert(ctx, data, opt)
	if err != nil {
		if errors.Is(err, ErrNotLocked) {
			return err
		}
		return invalidf("%v", err)
	}
	if audit.Locals == nil {
		audit.Locals = BuildLocals
	}
	return l.Audit(def, platform, audit)
}

// lockStub answers images from the SBOM alone: the digest it pins and a
// stand-in config.
type lockStub struct{ lock *Lock }

func (s lockStub) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	platform := DefaultPlatform
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	d, err := s.lock.Pin(ref, platform)
	if errors.Is(err, ErrNotLocked) {
		return "", "", nil, &kindError{kind: ErrNotLocked, err: fmt.Errorf("image %s is not pinned for %s by the SBOM", ref, platforms.FormatAll(platforms.Normalize(platform)))}
	}
	if err != nil {
		return "", "", nil, err
	}
	return ref, d, dockerbuild.StubConfig(opt), nil
}
