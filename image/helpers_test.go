package image

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry is go-containerregistry's in-memory registry behind an
// httptest server, with a log of the requests it saw.
type testRegistry struct {
	*httptest.Server
	host string

	mu       sync.Mutex
	requests []string // "METHOD path"
}

// newTestRegistry starts a registry; wrap, if not nil, sits in front of it
// (to count, refuse or fail requests).
func newTestRegistry(t testing.TB, wrap func(http.Handler) http.Handler) *testRegistry {
	t.Helper()
	tr := &testRegistry{}
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	tr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.requests = append(tr.requests, r.Method+" "+r.URL.Path)
		tr.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(tr.Close)
	tr.host = strings.TrimPrefix(tr.URL, "http://")
	return tr
}

// count returns how many requests had this method and a path containing part.
func (tr *testRegistry) count(method, part string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, r := range tr.requests {
		m, p, _ := strings.Cut(r, " ")
		if m == method && strings.Contains(p, part) {
			n++
		}
	}
	return n
}

// pushImage writes a small random image with labels and returns its digest.
func (tr *testRegistry) pushImage(t testing.TB, ref string, labels map[string]string) v1.Hash {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if labels != nil {
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg = cfg.DeepCopy()
		cfg.Config.Labels = labels
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
	}
	r, err := name.ParseReference(tr.host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pushIndex writes a two-platform index whose images carry different labels.
func (tr *testRegistry) pushIndex(t *testing.T, ref string, labels map[string]map[string]string) v1.Hash {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	for platform, l := range labels {
		os, arch, _ := strings.Cut(platform, "/")
		img, err := random.Image(128, 1)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture = os, arch
		cfg.Config.Labels = l
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: os, Architecture: arch}},
		})
	}
	r, err := name.ParseReference(tr.host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	return d
}

// target parses host/ref, failing the test on error.
func (tr *testRegistry) target(t testing.TB, ref string) Target {
	t.Helper()
	tg, err := ParseTarget(tr.host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// fastRegistry is a client whose retries do not slow the tests down.
func fastRegistry() *Registry {
	return &Registry{Backoff: &remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 2}}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pushImageAuth is pushImage through a keychain.
func (tr *testRegistry) pushImageAuth(t *testing.T, ref string, kc authn.Keychain) v1.Hash {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(tr.host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithAuthFromKeychain(kc)); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func contextCancelled() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}
