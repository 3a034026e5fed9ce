package image

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// readers shares the authenticated transports of pulls (and, apart, of
// pushes). go-containerregistry
// pings a registry (GET /v2/, and on loopback an HTTPS attempt first) for
// every repository it is asked about, which doubles the round trips of a
// check and, for a thousand images in a thousand repositories, costs a
// thousand pings. A registry that answers the ping without a bearer
// challenge (anonymous or basic auth) needs only one; behind bearer tokens,
// whose scopes name repositories, a transport is kept per repository.
type readers struct {
	mu sync.Mutex
	m  map[string]*readerEntry
}

type readerEntry struct {
	mu sync.Mutex // held while the transport is being made
	rt http.RoundTripper
}

// defaultBackoff and defaultRetryStatus are go-containerregistry's own
// defaults, which it does not apply to a transport it is handed ready-made.
var (
	defaultBackoff     = remote.Backoff{Duration: time.Second, Factor: 3, Jitter: 0.1, Steps: 3}
	defaultRetryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
)

// readOptions are the options of reads from repo, through a transport
// shared with the other reads of the same registry.
func (r *Registry) readOptions(ctx context.Context, repo name.Repository) ([]remote.Option, error) {
	return r.sharedOptions(ctx, repo, transport.PullScope)
}

// writeOptions are the options of reads and writes in repo, through a
// transport shared with the other writes to the same registry.
func (r *Registry) writeOptions(ctx context.Context, repo name.Repository) ([]remote.Option, error) {
	return r.sharedOptions(ctx, repo, transport.PushScope)
}

func (r *Registry) sharedOptions(ctx context.Context, repo name.Repository, action string) ([]remote.Option, error) {
	if r == nil {
		return (*Registry)(nil).options(ctx), nil
	}
	rt, err := r.readTransport(ctx, repo, action)
	if err != nil {
		return nil, err
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(rt)}
	if r.Platform != nil {
		opts = append(opts, remote.WithPlatform(*r.Platform))
	}
	return opts, nil
}

func (r *Registry) readTransport(ctx context.Context, repo name.Repository, action string) (http.RoundTripper, error) {
	regKey := action + " " + repo.Scheme() + "://" + repo.RegistryStr()
	r.readers.mu.Lock()
	if r.readers.m == nil {
		r.readers.m = map[string]*readerEntry{}
	}
	e := r.readers.m[regKey]
	if e == nil {
		// A bearer registry has entries per repository only.
		e = r.readers.m[regKey+"/"+repo.RepositoryStr()]
	}
	if e == nil {
		e = &readerEntry{}
		r.readers.m[regKey] = e
	}
	r.readers.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rt != nil {
		return e.rt, nil
	}
	rt, bearer, err := r.newReadTransport(ctx, repo, action)
	if err != nil {
		return nil, err // not kept: the next read pings again
	}
	if !bearer {
		e.rt = rt
		return rt, nil
	}
	// Scoped tokens: this transport serves this repository only, and the
	// registry's entry is dropped so that each repository makes its own.
	r.readers.mu.Lock()
	if r.readers.m[regKey] == e {
		delete(r.readers.m, regKey)
	}
	r.readers.m[regKey+"/"+repo.RepositoryStr()] = &readerEntry{rt: rt}
	r.readers.mu.Unlock()
	return rt, nil
}

// newReadTransport authenticates for action (pull, or push and pull) in repo as
// go-containerregistry would, with its retries and user agent, and reports
// whether the registry asked for bearer tokens.
func (r *Registry) newReadTransport(ctx context.Context, repo name.Repository, action string) (http.RoundTripper, bool, error) {
	var kc authn.Keychain = authn.DefaultKeychain
	if r.Keychain != nil {
		kc = r.Keychain
	}
	auth, err := authn.Resolve(ctx, kc, repo)
	if err != nil {
		return nil, false, err
	}
	base := http.RoundTripper(remote.DefaultTransport)
	if r.Transport != nil {
		base = r.Transport
	}
	rec := &challengeRecorder{inner: &plainHTTPGuard{base: base, insecure: r.Insecure}}
	backoff := defaultBackoff
	if r.Backoff != nil {
		backoff = *r.Backoff
	}
	var t http.RoundTripper = transport.NewRetry(rec, transport.WithRetryBackoff(backoff), transport.WithRetryStatusCodes(defaultRetryStatus...))
	t = transport.NewUserAgent(t, r.UserAgent)
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, t, []string{repo.Scope(action)})
	if err != nil {
		return nil, false, err
	}
	return rt, rec.bearer.Load(), nil
}

// challengeRecorder notes whether the registry's ping answered with a
// bearer challenge.
type challengeRecorder struct {
	inner  http.RoundTripper
	bearer atomic.Bool
}

func (c *challengeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.inner.RoundTrip(req)
	if err == nil && req.URL.Path == "/v2/" {
		for _, h := range resp.Header.Values("WWW-Authenticate") {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(h)), "bearer") {
				c.bearer.Store(true)
			}
		}
	}
	return resp, err
}
