package image

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

// testRegistry is the shared test registry with this package's helpers:
// targets in it, and images and indexes pushed to it.
type testRegistry struct {
	*registrytest.Registry
	host string
}

func newTestRegistry(t testing.TB, opts ...registrytest.Option) *testRegistry {
	t.Helper()
	r := registrytest.New(t, opts...)
	return &testRegistry{Registry: r, host: r.Host}
}

// pushImage writes a small random image with labels and returns its digest.
func (tr *testRegistry) pushImage(t testing.TB, ref string, labels map[string]string) v1.Hash {
	t.Helper()
	_, d := tr.PushRandom(t, ref, labels)
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
