package sbom

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spdx/tools-golang/spdx"
)

// testRegistry is go-containerregistry's in-memory registry on loopback,
// with the requests sbom makes to it counted.
type testRegistry struct {
	host     string
	requests atomic.Int64
}

func newTestRegistry(tb testing.TB) *testRegistry {
	tb.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	tb.Cleanup(srv.Close)
	return &testRegistry{host: strings.TrimPrefix(srv.URL, "http://")}
}

// resolver resolves through r, counting requests.
func (r *testRegistry) resolver() *RegistryResolver {
	return &RegistryResolver{Transport: countingTransport{base: http.DefaultTransport, n: &r.requests}}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(req)
}

// push stores a new random image at repo:tag and returns its digest.
func (r *testRegistry) push(tb testing.TB, repoTag string) v1.Hash {
	tb.Helper()
	img := randomImage(tb)
	return r.write(tb, repoTag, img, func(ref name.Reference) error { return remote.Write(ref, img) })
}

// pushIndex stores an index of a new random image per platform at repo:tag
// and returns the images' digests by platform ("linux/arm64").
func (r *testRegistry) pushIndex(tb testing.TB, repoTag string, plats ...v1.Platform) (v1.Hash, map[string]v1.Hash) {
	tb.Helper()
	idx := v1.ImageIndex(empty.Index)
	digests := map[string]v1.Hash{}
	for _, p := range plats {
		img := randomImage(tb)
		d, _ := img.Digest()
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
		digests[p.String()] = d
	}
	return r.write(tb, repoTag, idx, func(ref name.Reference) error { return remote.WriteIndex(ref, idx) }), digests
}

func randomImage(tb testing.TB) v1.Image {
	img, err := random.Image(64, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// write stores something with a digest at repo:tag through put.
func (r *testRegistry) write(tb testing.TB, repoTag string, what interface{ Digest() (v1.Hash, error) }, put func(name.Reference) error) v1.Hash {
	tb.Helper()
	ref, err := name.ParseReference(r.host+"/"+repoTag, name.Insecure)
	if err != nil {
		tb.Fatal(err)
	}
	if err := put(ref); err != nil {
		tb.Fatal(err)
	}
	d, err := what.Digest()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// generate runs Generate on a build file with r's resolver.
func (r *testRegistry) generate(tb testing.TB, filename, content string, mod func(*Options)) (*spdx.Document, error) {
	tb.Helper()
	opt := Options{
		Filename: filename,
		Data:     []byte(strings.ReplaceAll(content, "REG", r.host)),
		Name:     "app",
		Resolver: r.resolver(),
	}
	if mod != nil {
		mod(&opt)
	}
	return Generate(context.Background(), opt)
}

// summary lists a document's entries as "REPO:TAG@DIGEST REL", with the
// registry's address written REG, for comparing with a table's want.
func (r *testRegistry) summary(tb testing.TB, doc *spdx.Document) []string {
	tb.Helper()
	es, err := entries(doc)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, strings.ReplaceAll(e.String(), r.host, "REG"))
	}
	return out
}
