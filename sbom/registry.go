package sbom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/gosh-sh/sign-cli/internal/loopback"
)

// ErrImageNotFound: the registry answered that an image does not exist. It
// wraps ErrInvalid: the build file names an image nobody can read.
var ErrImageNotFound = &wrapped{msg: "image not found", kind: ErrInvalid}

// RegistryResolver resolves images through their registries with
// go-containerregistry, as docker pull would: credentials from the Docker
// keychain, HTTPS except on loopback. Its zero value is ready to use; one
// RegistryResolver keeps its authenticated transports for all the images it
// resolves.
type RegistryResolver struct {
	// Keychain supplies credentials; nil means authn.DefaultKeychain.
	Keychain authn.Keychain
	// Transport carries the requests; nil means remote.DefaultTransport.
	Transport http.RoundTripper
	// Insecure allows plain HTTP to registries that are not on loopback.
	Insecure bool
	// UserAgent is added to go-containerregistry's user agent.
	UserAgent string

	once   sync.Once
	puller *remote.Puller
	err    error
}

func (r *RegistryResolver) init() error {
	r.once.Do(func() {
		kc := r.Keychain
		if kc == nil {
			kc = authn.DefaultKeychain
		}
		base := r.Transport
		if base == nil {
			base = remote.DefaultTransport
		}
		opts := []remote.Option{
			remote.WithAuthFromKeychain(kc),
			remote.WithTransport(httpOnlyWhereAllowed{base: base, insecure: r.Insecure}),
		}
		if r.UserAgent != "" {
			opts = append(opts, remote.WithUserAgent(r.UserAgent))
		}
		r.puller, r.err = remote.NewPuller(opts...)
	})
	return r.err
}

// Resolve implements Resolver.
func (r *RegistryResolver) Resolve(ctx context.Context, ref reference.Named, platform ocispecs.Platform) (*Resolved, error) {
	_, desc, err := r.get(ctx, ref)
	if err != nil {
		return nil, err
	}
	res := &Resolved{}
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, child, err := platformChild(desc, platform)
		if err != nil {
			return nil, err
		}
		if img, err = idx.Image(child); err != nil {
			return nil, registryError(err)
		}
		res.Index = digest.Digest(desc.Digest.String())
		res.Manifest = digest.Digest(child.String())
	} else {
		if img, err = desc.Image(); err != nil {
			return nil, registryError(err)
		}
		res.Manifest = digest.Digest(desc.Digest.String())
	}
	if res.Config, err = img.RawConfigFile(); err != nil {
		return nil, registryError(err)
	}
	return res, nil
}

// ResolveManifest implements ManifestResolver: one GET of the manifest
// ref names and, for an index, a HEAD of the platform's manifest, so that a
// manifest the index lists but the registry no longer serves counts as
// gone.
func (r *RegistryResolver) ResolveManifest(ctx context.Context, ref reference.Named, platform ocispecs.Platform) (*Resolved, error) {
	gref, desc, err := r.get(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !desc.MediaType.IsIndex() {
		// Read, so that a registry answering garbage is an error rather
		// than a manifest that moved.
		if _, err := v1.ParseManifest(bytes.NewReader(desc.Manifest)); err != nil {
			return nil, registryError(fmt.Errorf("%s: the manifest: %w", ref, err))
		}
		return &Resolved{Manifest: digest.Digest(desc.Digest.String())}, nil
	}
	_, child, err := platformChild(desc, platform)
	if err != nil {
		return nil, err
	}
	head, err := r.puller.Head(ctx, gref.Context().Digest(child.String()))
	if err != nil {
		return nil, registryError(err)
	}
	if head.Digest != child {
		return nil, fmt.Errorf("%w: %s: the registry answered %s for manifest %s", ErrResolve, ref, head.Digest, child)
	}
	return &Resolved{Manifest: digest.Digest(child.String()), Index: digest.Digest(desc.Digest.String())}, nil
}

// get fetches the manifest ref names.
func (r *RegistryResolver) get(ctx context.Context, ref reference.Named) (name.Reference, *remote.Descriptor, error) {
	if err := r.init(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrResolve, err)
	}
	var nopts []name.Option
	if r.Insecure || loopback.IsAddr(reference.Domain(ref)) {
		nopts = append(nopts, name.Insecure)
	}
	gref, err := name.ParseReference(ref.String(), nopts...)
	if err != nil {
		return nil, nil, invalidf("image %s: %v", ref, err)
	}
	desc, err := r.puller.Get(ctx, gref)
	if err != nil {
		return nil, nil, registryError(err)
	}
	return gref, desc, nil
}

// platformChild reads the index desc is and picks platform's manifest.
func platformChild(desc *remote.Descriptor, platform ocispecs.Platform) (v1.ImageIndex, v1.Hash, error) {
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, v1.Hash{}, registryError(err)
	}
	child, err := childFor(idx, platform)
	if err != nil {
		// The tag names no image for the platform: as good as absent.
		return nil, v1.Hash{}, &kindError{kind: ErrImageNotFound, err: err}
	}
	return idx, child, nil
}

// childFor picks the manifest of platform in an index, as BuildKit would:
// the best match of the platforms that can run it.
func childFor(idx v1.ImageIndex, platform ocispecs.Platform) (v1.Hash, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return v1.Hash{}, err
	}
	m := platforms.Only(platform)
	var best *v1.Descriptor
	var bestP ocispecs.Platform
	for i := range im.Manifests {
		d := &im.Manifests[i]
		if d.Platform == nil || !d.MediaType.IsImage() {
			continue
		}
		p := ocispecs.Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant, OSVersion: d.Platform.OSVersion}
		if !m.Match(p) {
			continue
		}
		if best == nil || m.Less(p, bestP) {
			best, bestP = d, p
		}
	}
	if best == nil {
		return v1.Hash{}, fmt.Errorf("no image for %s in the index", platforms.FormatAll(platform))
	}
	return best.Digest, nil
}

// registryError classifies a failure: absent images are bad input, the
// rest a registry failure.
func registryError(err error) error {
	var te *transport.Error
	if errors.As(err, &te) {
		if te.StatusCode == http.StatusNotFound {
			return fmt.Errorf("%w: %v", ErrImageNotFound, err)
		}
		for _, d := range te.Errors {
			if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
				return fmt.Errorf("%w: %v", ErrImageNotFound, err)
			}
		}
	}
	if errors.Is(err, errPlainHTTP) {
		return invalidf("%v", err)
	}
	return fmt.Errorf("%w: %w", ErrResolve, err)
}

var errPlainHTTP = errors.New("plain HTTP is allowed only to registries on loopback (or with --insecure-registry)")

// httpOnlyWhereAllowed stops go-containerregistry from falling back to
// plain HTTP for private and .local addresses, where anyone on the network
// could swap the manifests being pinned.
type httpOnlyWhereAllowed struct {
	base     http.RoundTripper
	insecure bool
}

func (g httpOnlyWhereAllowed) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.insecure && !loopback.IsAddr(req.URL.Host) {
		return nil, fmt.Errorf("%s: %w", req.URL.Host, errPlainHTTP)
	}
	return g.base.RoundTrip(req)
}
