package image

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/gosh-sh/sign-cli/internal/loopback"
	"github.com/gosh-sh/sign-cli/keys"

	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

func TestResolve(t *testing.T) {
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "team/app:v1", nil)
	ctx := t.Context()
	r := fastRegistry()

	got, err := r.Resolve(ctx, reg.target(t, "team/app:v1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != digest {
		t.Errorf("digest %s, want %s", got.Digest, digest)
	}
	if want := reg.host + "/team/app:v1@" + digest.String(); got.String() != want {
		t.Errorf("String = %s, want %s", got, want)
	}

	byDigest, err := r.Resolve(ctx, reg.target(t, "team/app@"+digest.String()))
	if err != nil || byDigest.Digest != digest {
		t.Errorf("digest reference: %v, %v", byDigest.Digest, err)
	}

	bare, _ := ParseTarget(digest.String())
	if got, err := r.Resolve(ctx, bare); err != nil || got.Digest != digest {
		t.Errorf("bare digest: %v, %v", got.Digest, err)
	}

	notFound := []string{
		"team/app:v2",
		"team/other:v1",
		"team/app@sha256:" + strings.Repeat("0", 64),
	}
	for _, ref := range notFound {
		_, err := r.Resolve(ctx, reg.target(t, ref))
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrRegistry) || errors.Is(err, ErrUnauthorized) {
			t.Errorf("Resolve(%s) error %v, want only ErrNotFound", ref, err)
		}
		// The caller names the reference; the error names the manifest URL
		// the registry was asked for, as go-containerregistry's do.
		repo, id, _ := strings.Cut(strings.Replace(ref, "@", ":", 1), ":")
		if err != nil && !strings.Contains(err.Error(), "/v2/"+repo+"/manifests/"+id) {
			t.Errorf("error %q does not name the manifest it asked for", err)
		}
		if err != nil && strings.Contains(err.Error(), ref) {
			t.Errorf("error %q repeats the reference its caller names", err)
		}
	}
}

func TestResolveWithoutHEAD(t *testing.T) {
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "app:v1", nil)
	reg.Fail(-1, http.StatusMethodNotAllowed, http.MethodHead, "/manifests/")
	got, err := fastRegistry().Resolve(t.Context(), reg.target(t, "app:v1"))
	if err != nil || got.Digest != digest {
		t.Fatalf("Resolve = %v, %v; want %s", got.Digest, err, digest)
	}
	if reg.Count(http.MethodGet, "/manifests/v1") == 0 {
		t.Error("no GET of the manifest")
	}
}

// basicAuth lets requests through only with the given credentials.
func basicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

type staticKeychain struct{ user, pass string }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return &authn.Basic{Username: k.user, Password: k.pass}, nil
}

func TestRegistryErrors(t *testing.T) {
	ctx := t.Context()

	authReg := newTestRegistry(t, registrytest.Wrap(basicAuth("alice", "s3cret")))
	withCreds := fastRegistry()
	withCreds.Keychain = staticKeychain{"alice", "s3cret"}
	// Push through a client with credentials, then read without them.
	tg := authReg.target(t, "private/app:v1")
	img := authReg.pushImageAuth(t, "private/app:v1", withCreds.Keychain)
	if got, err := withCreds.Resolve(ctx, tg); err != nil || got.Digest != img {
		t.Fatalf("with credentials: %v, %v", got.Digest, err)
	}
	wrongCreds := fastRegistry()
	wrongCreds.Keychain = staticKeychain{"alice", "wrong"}
	for name, r := range map[string]*Registry{"anonymous": func() *Registry { r := fastRegistry(); r.Keychain = authn.NewMultiKeychain(); return r }(), "wrong password": wrongCreds} {
		_, err := r.Resolve(ctx, tg)
		if !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrUnauthorized", name, err)
		}
	}

	failing := newTestRegistry(t)
	failing.Fail(-1, http.StatusServiceUnavailable, "", "/v2/app/")
	if _, err := fastRegistry().Resolve(ctx, failing.target(t, "app:v1")); !errors.Is(err, ErrRegistry) || errors.Is(err, ErrNotFound) {
		t.Errorf("server error: %v, want ErrRegistry", err)
	}

	closed := newTestRegistry(t)
	closedTarget := closed.target(t, "app:v1")
	closed.Close()
	if _, err := fastRegistry().Resolve(ctx, closedTarget); !errors.Is(err, ErrRegistry) {
		t.Errorf("closed server: %v, want ErrRegistry", err)
	}
}

// fakeTransport answers every plain-HTTP request with 404 and fails every
// HTTPS one, recording the hosts it was asked for.
type fakeTransport struct{ httpHosts []string }

func (f *fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "https" {
		return nil, errors.New("tls: no server here")
	}
	f.httpHosts = append(f.httpHosts, req.URL.Host)
	return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}

func TestPlainHTTPOnlyForLoopbackOrInsecure(t *testing.T) {
	ctx := t.Context()
	for _, host := range []string{"10.1.2.3:5000", "192.168.1.20", "172.16.0.5:5000"} {
		tg, err := ParseTarget(host + "/app:v1")
		if err != nil {
			t.Fatal(err)
		}
		ft := &fakeTransport{}
		r := fastRegistry()
		r.Transport = ft
		_, err = r.Resolve(ctx, tg)
		if !errors.Is(err, ErrPlainHTTP) {
			t.Errorf("%s: %v, want ErrPlainHTTP", host, err)
		}
		if len(ft.httpHosts) != 0 {
			t.Errorf("%s: plain HTTP went out to %v", host, ft.httpHosts)
		}

		ft = &fakeTransport{}
		r.Transport, r.Insecure = ft, true
		_, err = r.Resolve(ctx, tg)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s insecure: %v, want the fake 404 as ErrNotFound", host, err)
		}
		if len(ft.httpHosts) == 0 {
			t.Errorf("%s insecure: no plain HTTP request", host)
		}
	}
	// Every loopback host is reached over plain HTTP without Insecure, by
	// the rule of internal/loopback, including those go-containerregistry
	// would only try over HTTPS (127.0.0.2, localhost without a port). The
	// signature artifact follows the same rule.
	for _, host := range []string{"localhost:5000", "localhost", "app.localhost:5000", "127.0.0.2:5000", "[::1]:5000"} {
		tg, err := ParseTarget(host + "/app:v1")
		if err != nil {
			t.Fatal(err)
		}
		ft := &fakeTransport{}
		r := fastRegistry()
		r.Transport = ft
		if _, err := r.Resolve(ctx, tg); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want the fake 404 as ErrNotFound", host, err)
		}
		if len(ft.httpHosts) == 0 {
			t.Errorf("%s: no plain HTTP request", host)
		}
		tg.Digest = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}
		tag, err := r.signatureTag(tg)
		if err != nil || tag.Scheme() != "http" {
			t.Errorf("%s: signature tag %v (scheme %s), %v", host, tag, tag.Scheme(), err)
		}
	}
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "127.8.9.1": true, "a.localhost": true, "10.0.0.1": false, "example.com": false, "localhost.example.com": false} {
		if got := loopback.IsHost(host); got != want {
			t.Errorf("loopback.IsHost(%s) = %v", host, got)
		}
	}
}

func TestLabels(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	pub := "61c3c5b97a33c9c0a03af112fbb27e3f44d99e1f804853f9842bb7a6e5de3ff9"
	reg.pushImage(t, "app:labelled", map[string]string{WalletPublicLabel: pub, "other": "x"})
	reg.pushImage(t, "app:plain", nil)
	reg.pushImage(t, "app:badlabel", map[string]string{WalletPublicLabel: "not-a-key"})
	reg.pushIndex(t, "app:multi", map[string]map[string]string{
		"linux/amd64": {WalletPublicLabel: pub},
		"linux/arm64": {WalletPublicLabel: strings.Repeat("11", 32)},
	})
	r := fastRegistry()

	labels, err := r.Labels(ctx, reg.target(t, "app:labelled"))
	if err != nil || labels["other"] != "x" {
		t.Fatalf("Labels = %v, %v", labels, err)
	}
	for _, ref := range []string{"app:labelled", "app:multi"} {
		p, err := r.WalletPublic(ctx, reg.target(t, ref))
		if err != nil || p.String() != pub {
			t.Errorf("WalletPublic(%s) = %v, %v", ref, p, err)
		}
	}
	arm := fastRegistry()
	arm.Platform = &v1.Platform{OS: "linux", Architecture: "arm64"}
	if p, err := arm.WalletPublic(ctx, reg.target(t, "app:multi")); err != nil || p.String() != strings.Repeat("11", 32) {
		t.Errorf("arm64 WalletPublic = %v, %v", p, err)
	}
	// Resolved targets are read by digest.
	resolved, err := r.Resolve(ctx, reg.target(t, "app:labelled"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := r.WalletPublic(ctx, resolved); err != nil || p.String() != pub {
		t.Errorf("WalletPublic(resolved) = %v, %v", p, err)
	}

	if _, err := r.WalletPublic(ctx, reg.target(t, "app:plain")); err == nil || !strings.Contains(err.Error(), "has no WALLET_PUBLIC label") {
		t.Errorf("no label: %v", err)
	}
	if _, err := r.WalletPublic(ctx, reg.target(t, "app:badlabel")); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("bad label: %v", err)
	}
	if _, err := r.Labels(ctx, reg.target(t, "app:missing")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing image: %v", err)
	}
	bare, _ := ParseTarget("sha256:" + strings.Repeat("ab", 32))
	if _, err := r.Labels(ctx, bare); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("bare digest: %v", err)
	}
}
