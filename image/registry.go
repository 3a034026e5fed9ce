package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/gosh-sh/sign-cli/internal/loopback"
	"github.com/gosh-sh/sign-cli/keys"
)

// Errors of registry operations. Every error a Registry method returns about
// the registry wraps exactly one of ErrNotFound, ErrUnauthorized, ErrPlainHTTP
// or ErrRegistry, so a caller can tell "checked and absent" from "could not
// check".
var (
	// ErrNotFound: the registry answered that the manifest, tag or repository
	// does not exist.
	ErrNotFound = errors.New("not found in the registry")
	// ErrUnauthorized: the registry refused the credentials, or there were none.
	ErrUnauthorized = errors.New("registry denied access")
	// ErrPlainHTTP: the registry can only be reached over plain HTTP, which
	// is allowed for loopback addresses or when Registry.Insecure is set.
	ErrPlainHTTP = errors.New("plain HTTP to a registry that is not on loopback")
	// ErrRegistry: the registry could not be reached or failed (network
	// errors, timeouts, server errors, malformed answers).
	ErrRegistry = errors.New("registry unreachable or failing")
)

// WalletPublicLabel is the image label that names the public key of the
// wallet that vouches for the image.
const WalletPublicLabel = "WALLET_PUBLIC"

// Registry reaches container registries through go-containerregistry. The
// zero Registry uses the Docker keychain (credential helpers and
// ~/.docker/config.json), HTTPS everywhere except loopback, and
// go-containerregistry's transport and retries.
type Registry struct {
	// Insecure allows plain HTTP (and HTTPS without certificate checks, as
	// go-containerregistry does for insecure registries) to any registry.
	Insecure bool
	// Keychain supplies credentials; nil means authn.DefaultKeychain.
	Keychain authn.Keychain
	// Transport carries the requests; nil means remote.DefaultTransport.
	Transport http.RoundTripper
	// UserAgent is added to go-containerregistry's user agent.
	UserAgent string
	// Platform chooses the image of a multi-platform index when reading
	// labels; nil means linux/amd64.
	Platform *v1.Platform
	// Backoff overrides the retry schedule of failed requests.
	Backoff *remote.Backoff
	// SignatureRepository, when set, holds the .sig artifacts instead of
	// each image's own repository (like cosign's COSIGN_REPOSITORY).
	SignatureRepository string

	readers readers
}

// options are the go-containerregistry options of one call.
func (r *Registry) options(ctx context.Context) []remote.Option {
	var kc authn.Keychain = authn.DefaultKeychain
	if r != nil && r.Keychain != nil {
		kc = r.Keychain
	}
	base := remote.DefaultTransport
	insecure := false
	if r != nil {
		insecure = r.Insecure
		if r.Transport != nil {
			base = r.Transport
		}
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithTransport(&plainHTTPGuard{base: base, insecure: insecure}),
	}
	if r != nil {
		if r.UserAgent != "" {
			opts = append(opts, remote.WithUserAgent(r.UserAgent))
		}
		if r.Platform != nil {
			opts = append(opts, remote.WithPlatform(*r.Platform))
		}
		if r.Backoff != nil {
			opts = append(opts, remote.WithRetryBackoff(*r.Backoff))
		}
	}
	return opts
}

// withScheme re-reads ref so that go-containerregistry may fall back to
// plain HTTP when it is allowed (see plainHTTPAllowed). On its own,
// go-containerregistry does so for some loopback names (localhost:PORT,
// *.localhost, 127.0.0.1) but not others (127.0.0.2, localhost without a
// port), and for private addresses, where plainHTTPGuard refuses it.
func (r *Registry) withScheme(ref name.Reference) (name.Reference, error) {
	if !r.plainHTTPAllowed(ref.Context().RegistryStr()) {
		return ref, nil
	}
	return name.ParseReference(ref.Name(), name.Insecure)
}

// plainHTTPAllowed reports whether the registry at host (host or
// host:port) may be reached over plain HTTP: it is on loopback, or
// insecure registries are allowed.
func (r *Registry) plainHTTPAllowed(host string) bool {
	return (r != nil && r.Insecure) || loopback.IsAddr(host)
}

// Resolve fetches the manifest digest a target's reference points to (for a
// digest reference, it confirms the manifest exists). A bare digest is
// returned as it is: there is no registry to ask.
func (r *Registry) Resolve(ctx context.Context, t Target) (Target, error) {
	if t.Ref == nil {
		if !t.HasDigest() {
			return Target{}, fmt.Errorf("%w: empty target", ErrInvalidTarget)
		}
		return t, nil
	}
	got, err := r.resolveWith(ctx, t)
	if err != nil {
		return Target{}, err
	}
	if t.HasDigest() && got.Digest != t.Digest {
		return Target{}, fmt.Errorf("%w: registry returned digest %s", ErrRegistry, got.Digest)
	}
	return got, nil
}

// resolveWith fetches the manifest of t.Ref and takes its digest from the
// bytes themselves. A registry (or anything between it and us) could answer
// a HEAD, or a Docker-Content-Digest header, with a digest of its choosing
// while serving another manifest to a pull; the digest of the bytes is the
// one a pull by digest gets, so that is what is signed and checked. Fetching
// by digest also proves the manifest exists.
func (r *Registry) resolveWith(ctx context.Context, t Target) (Target, error) {
	ref, err := r.withScheme(t.Ref)
	if err != nil {
		return Target{}, err
	}
	opts, err := r.readOptions(ctx, ref.Context())
	if err != nil {
		return Target{}, classify(err)
	}
	d, err := remote.Get(ref, opts...)
	if err != nil {
		return Target{}, classify(err)
	}
	sum := sha256.Sum256(d.Manifest)
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	if dg, ok := ref.(name.Digest); ok && dg.DigestStr() != got.String() {
		return Target{}, fmt.Errorf("resolving %s: %w: the registry served a manifest whose digest is %s", t.Ref, ErrRegistry, got)
	}
	t.Digest = got
	return t, nil
}

// Labels returns the labels of the image's config (for a multi-platform
// index, of the image for Registry.Platform).
func (r *Registry) Labels(ctx context.Context, t Target) (map[string]string, error) {
	ref, err := r.imageRef(t)
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", err)
	}
	opts, err := r.readOptions(ctx, ref.Context())
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", classify(err))
	}
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", classify(err))
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", classify(err))
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", classify(err))
	}
	return cfg.Config.Labels, nil
}

// ErrNoLabel is an image without the WALLET_PUBLIC label, when the key to
// check it with was to come from there.
var ErrNoLabel = errors.New("no " + WalletPublicLabel + " label")

// WalletPublic reads the public key in the image's WALLET_PUBLIC label.
func (r *Registry) WalletPublic(ctx context.Context, t Target) (keys.PublicKey, error) {
	labels, err := r.Labels(ctx, t)
	if err != nil {
		return keys.PublicKey{}, err
	}
	v, ok := labels[WalletPublicLabel]
	if !ok {
		return keys.PublicKey{}, fmt.Errorf("the image has %w", ErrNoLabel)
	}
	p, err := keys.ParsePublicKey(v)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("label %s: %w", WalletPublicLabel, err)
	}
	return p, nil
}

// imageRef is the reference to fetch for t: by digest when known, so that
// what is read is exactly what is signed.
func (r *Registry) imageRef(t Target) (name.Reference, error) {
	if t.Ref == nil {
		_, err := t.Repository()
		return nil, err
	}
	var ref name.Reference = t.Ref
	if t.HasDigest() {
		d, err := t.DigestRef()
		if err != nil {
			return nil, err
		}
		ref = d
	}
	return r.withScheme(ref)
}

// classify wraps err with the sentinel that says what kind of failure it is,
// keeping err itself for the message and for errors.As.
func classify(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{ErrNotFound, ErrUnauthorized, ErrPlainHTTP, ErrRegistry, ErrInvalidTarget} {
		if errors.Is(err, s) && s != ErrPlainHTTP {
			return err
		}
	}
	kind := ErrRegistry
	var te *transport.Error
	switch {
	case errors.Is(err, ErrPlainHTTP):
		kind = ErrPlainHTTP
	case errors.As(err, &te):
		kind = classifyTransport(te)
	}
	return &registryError{kind: kind, err: err}
}

func classifyTransport(te *transport.Error) error {
	for _, d := range te.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return ErrNotFound
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			return ErrUnauthorized
		}
	}
	switch te.StatusCode {
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	}
	return ErrRegistry
}

// registryError carries a failure and its kind; errors.Is matches both.
type registryError struct {
	kind error
	err  error
}

func (e *registryError) Error() string {
	if e.kind == ErrPlainHTTP {
		return e.err.Error()
	}
	return e.kind.Error() + ": " + e.err.Error()
}

func (e *registryError) Unwrap() []error { return []error{e.kind, e.err} }

// plainHTTPGuard refuses plain-HTTP requests to hosts that are not loopback
// unless insecure registries are allowed. go-containerregistry itself falls
// back to HTTP for private and .local addresses, where a network attacker
// could then read tokens and swap manifests.
type plainHTTPGuard struct {
	base     http.RoundTripper
	insecure bool
}

func (g *plainHTTPGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.insecure && !loopback.IsHost(req.URL.Hostname()) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w: refusing http://%s (allow insecure registries to permit it)", ErrPlainHTTP, req.URL.Host)
	}
	return g.base.RoundTrip(req)
}
