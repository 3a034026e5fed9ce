package image

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

// TestResolveTrustsOnlyTheBytes: a registry (or a proxy) that names another
// digest in its HEAD answer or its Docker-Content-Digest header than the
// manifest it serves cannot choose what gets signed: the digest is that of
// the bytes a pull gets.
func TestResolveTrustsOnlyTheBytes(t *testing.T) {
	var lie atomic.Value // the digest the registry claims, once set
	reg := newTestRegistry(t, registrytest.Wrap(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			claimed, _ := lie.Load().(string)
			if claimed == "" || !strings.Contains(r.URL.Path, "/manifests/v1") {
				h.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Docker-Content-Digest", claimed)
			if r.Method == http.MethodHead {
				w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(http.StatusOK)
				return
			}
			h.ServeHTTP(&headerKeeper{ResponseWriter: w, keep: "Docker-Content-Digest", value: claimed}, r)
		})
	}))
	served := reg.pushImage(t, "app:v1", nil)
	chosen := reg.pushImage(t, "app:other", nil) // the attacker's choice, in the same repository
	lie.Store(chosen.String())

	got, err := fastRegistry().Resolve(t.Context(), reg.target(t, "app:v1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != served {
		t.Fatalf("resolved to %s (the claimed %s), want the served manifest's %s", got.Digest, chosen, served)
	}
}

// TestResolveByDigestProvesExistence: a digest reference resolves only when
// the registry serves a manifest with exactly that digest.
func TestResolveByDigestProvesExistence(t *testing.T) {
	reg := newTestRegistry(t)
	d := reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	if _, err := r.Resolve(t.Context(), reg.target(t, "app@"+d.String())); err != nil {
		t.Fatalf("existing digest: %v", err)
	}
	missing := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	if _, err := r.Resolve(t.Context(), reg.target(t, "app@"+missing.String())); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing digest: %v, want not found", err)
	}
}

// headerKeeper overrides one response header whatever the handler sets.
type headerKeeper struct {
	http.ResponseWriter
	keep, value string
}

func (h *headerKeeper) WriteHeader(code int) {
	h.ResponseWriter.Header().Set(h.keep, h.value)
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerKeeper) Write(b []byte) (int, error) {
	h.ResponseWriter.Header().Set(h.keep, h.value)
	return h.ResponseWriter.Write(b)
}
