package sbom

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/dockerbuild"
)

// tenSources is a Dockerfile that reads ten images: a base, and nine copied
// from.
func tenSources(tb testing.TB, r *testRegistry) string {
	var b strings.Builder
	b.WriteString("FROM REG/base:1\n")
	r.push(tb, "base:1")
	for i := range 9 {
		repo := fmt.Sprintf("lib%d:1", i)
		r.push(tb, repo)
		fmt.Fprintf(&b, "COPY --from=REG/%s /x /x%d\n", repo, i)
	}
	return b.String()
}

// BenchmarkGenerateTenImages is one `sbom generate` of a Dockerfile with
// ten image sources against a registry on loopback, with a cold resolver
// each time, as a command run has; requests/op are the registry requests.
func BenchmarkGenerateTenImages(b *testing.B) {
	r := newTestRegistry(b)
	dockerfile := tenSources(b, r)
	r.requests.Store(0)
	b.ResetTimer()
	for b.Loop() {
		doc, err := r.generate(b, "Dockerfile", dockerfile, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(doc.Packages); n != 11 {
			b.Fatalf("%d packages, want 11", n)
		}
	}
	b.ReportMetric(float64(r.requests.Load())/float64(b.N), "requests/op")
}

// BenchmarkCheckDockerfile is what a locked build adds on the client before
// the daemon is asked: the translation of a Dockerfile of ten image
// sources with every image answered from the lock (check), against the
// same translation with stand-in images and no lock (convert), its peer.
func BenchmarkCheckDockerfile(b *testing.B) {
	r := newTestRegistry(b)
	dockerfile := tenSources(b, r)
	lock := lockOf(b, r, dockerfile)
	data := []byte(strings.ReplaceAll(dockerfile, "REG", r.host))
	opt := dockerbuild.ConvertOptions{Filename: "Dockerfile"}
	b.Run("convert", func(b *testing.B) {
		for b.Loop() {
			if _, err := dockerbuild.Convert(b.Context(), data, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if err := lock.CheckDockerfile(b.Context(), data, opt, AuditOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckTags is what a locked build asks the registry before the
// daemon is asked: the ten tags of the ten-image Dockerfile resolved again
// with a cold resolver (checktags), against generating that Dockerfile's
// SBOM in the same run (generate), its peer; requests/op are the registry
// requests.
func BenchmarkCheckTags(b *testing.B) {
	r := newTestRegistry(b)
	dockerfile := tenSources(b, r)
	lock := lockOf(b, r, dockerfile)
	b.Run("generate", func(b *testing.B) {
		r.requests.Store(0)
		for b.Loop() {
			if _, err := r.generate(b, "Dockerfile", dockerfile, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(r.requests.Load())/float64(b.N), "requests/op")
	})
	b.Run("checktags", func(b *testing.B) {
		r.requests.Store(0)
		for b.Loop() {
			d, err := lock.CheckTags(b.Context(), r.resolver(), DefaultPlatform)
			if err != nil || !d.Empty() {
				b.Fatalf("CheckTags = %v, %v", d, err)
			}
		}
		b.ReportMetric(float64(r.requests.Load())/float64(b.N), "requests/op")
	})
}
